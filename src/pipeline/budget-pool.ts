import { callCost } from './accounting';
import type { TokenUsage } from './client';
import type { ModelConfig } from './config';
import { formatUsd } from './format';

/**
 * Budgets as reservations. Before a call starts it reserves its bound from a pool: its prompt (counted with the token
 * rule, tokens.ts) plus a completion cap, the smaller of what it asks for (the model's maxTokens) and what the pool
 * still allows; the cap is sent as the request's max tokens, so a model without maxTokens is bounded too. When the
 * call ends its reservation is settled with the usage it was billed for. Concurrent calls, the layers of a run and the
 * runs of an evaluation all reserve from the same pool (or from a hold on it), so the limit holds at any concurrency.
 */

export interface BudgetLimits {
  maxUsd?: number;
  maxTokens?: number;
}

/** Fewer completion tokens than this make no useful answer (nor a judge's verdict): such a call is not started. */
export const MIN_USEFUL_COMPLETION = 32;

export interface Reservation {
  /** The completion cap to send (undefined: no pool limits this call and the model asks for none). */
  cap: number | undefined;
  tokens: number;
  usd: number;
}

export type ReserveResult = ({ ok: true } & Reservation) | { ok: false; reason: string };

export interface PoolSpent {
  tokens: number;
  usd: number;
  /** Some call had no price: its dollars are not in `usd`. */
  usdIncomplete: boolean;
}

export class BudgetPool {
  private readonly spent: PoolSpent = { tokens: 0, usd: 0, usdIncomplete: false };
  private held = { tokens: 0, usd: 0 };

  constructor(
    readonly limits: BudgetLimits,
    private readonly parent?: BudgetPool,
  ) {}

  /** What was settled (billed) so far, in this pool. */
  settled(): PoolSpent {
    return { ...this.spent };
  }

  /** Tokens and dollars still free: the tightest of this pool and those it draws from (Infinity: no limit). */
  left(): { tokens: number; usd: number } {
    const own = {
      tokens: this.limits.maxTokens === undefined ? Infinity : this.limits.maxTokens - this.spent.tokens - this.held.tokens,
      usd: this.limits.maxUsd === undefined ? Infinity : this.limits.maxUsd - this.spent.usd - this.held.usd,
    };
    const up = this.parent?.left();
    return up ? { tokens: Math.min(own.tokens, up.tokens), usd: Math.min(own.usd, up.usd) } : own;
  }

  /** Whether some pool of the chain has a dollar limit (then a model without a price cannot be bounded). */
  private limitsUsd(): boolean {
    return this.limits.maxUsd !== undefined || !!this.parent?.limitsUsd();
  }

  private limitsAnything(): boolean {
    return this.limits.maxUsd !== undefined || this.limits.maxTokens !== undefined || !!this.parent?.limitsAnything();
  }

  /**
   * The largest completion cap (at most `want`) that fits with a prompt of `promptTokens`, or why none does.
   * `min` is the smallest cap worth a call.
   */
  capFor(model: ModelConfig, promptTokens: number, want: number | undefined, min = MIN_USEFUL_COMPLETION): { ok: true; cap: number | undefined } | { ok: false; reason: string } {
    if (!this.limitsAnything()) return { ok: true, cap: want };
    const left = this.left();
    let cap = want ?? Infinity;
    cap = Math.min(cap, Math.floor(left.tokens - promptTokens));
    if (this.limitsUsd()) {
      if (!model.price) return { ok: false, reason: `${model.id} has no price, so a dollar budget cannot bound its call` };
      const promptUsd = (promptTokens * model.price.inputPerMTok) / 1e6;
      cap = model.price.outputPerMTok > 0 ? Math.min(cap, Math.floor(((left.usd - promptUsd) * 1e6) / model.price.outputPerMTok)) : left.usd >= promptUsd ? cap : -1;
    }
    const floor = Math.min(min, want ?? min);
    if (!(cap >= floor)) {
      const what = Number.isFinite(left.tokens) ? `${Math.max(0, Math.floor(left.tokens)).toLocaleString('en-US')} tokens` : `${formatUsd(Math.max(0, left.usd))}`;
      return { ok: false, reason: `a call to ${model.id} needs ${promptTokens.toLocaleString('en-US')} prompt tokens and at least ${floor} completion tokens; ${what} of the budget are left` };
    }
    return { ok: true, cap: Number.isFinite(cap) ? cap : undefined };
  }

  /** Reserves a call's bound: its prompt and the completion cap it will send. */
  reserve(model: ModelConfig, promptTokens: number, want: number | undefined, min = MIN_USEFUL_COMPLETION): ReserveResult {
    const fit = this.capFor(model, promptTokens, want, min);
    if (!fit.ok) return fit;
    const r: Reservation = { cap: fit.cap, tokens: promptTokens + (fit.cap ?? 0), usd: model.price ? (callCost(model, { promptTokens, completionTokens: fit.cap ?? 0, estimated: true }) ?? 0) : 0 };
    this.hold(r.tokens, r.usd);
    return { ok: true, ...r };
  }

  /** Ends a reservation: what it held is freed and what the call was billed for is spent. */
  settle(r: Pick<Reservation, 'tokens' | 'usd'>, usage: TokenUsage | undefined, cost: number | undefined): void {
    this.hold(-r.tokens, -r.usd);
    if (usage) this.spend(usage.promptTokens + usage.completionTokens, cost ?? 0, cost === undefined);
  }

  /**
   * Holds a fixed bound (an evaluation run's) and hands out a pool limited to it; `release` frees the hold and spends
   * what the inner pool spent. Undefined when the bound does not fit.
   */
  holdFor(limits: BudgetLimits): { pool: BudgetPool; release(): void } | undefined {
    const left = this.left();
    const tokens = limits.maxTokens ?? 0;
    const usd = limits.maxUsd ?? 0;
    if (tokens > left.tokens || usd > left.usd) return undefined;
    this.hold(tokens, usd);
    const pool = new BudgetPool(limits);
    return {
      pool,
      release: () => {
        this.hold(-tokens, -usd);
        const s = pool.settled();
        this.spend(s.tokens, s.usd, s.usdIncomplete);
      },
    };
  }

  private hold(tokens: number, usd: number): void {
    this.held = { tokens: this.held.tokens + tokens, usd: this.held.usd + usd };
    this.parent?.hold(tokens, usd);
  }

  private spend(tokens: number, usd: number, incomplete: boolean): void {
    this.spent.tokens += tokens;
    this.spent.usd += usd;
    this.spent.usdIncomplete ||= incomplete;
    this.parent?.spend(tokens, usd, incomplete);
  }
}
