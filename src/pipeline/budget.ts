import type { BudgetPool } from './budget-pool';
import { MIN_USEFUL_COMPLETION, type BudgetLimits } from './budget-pool';
import type { SmoaConfig, Strategy } from './config';
import { estimateStage, stagePlans, sumStages, type EstimateInput, type RunEstimate, type StageEstimate, type StagePlan } from './estimate';
import { formatUsd } from './format';

export {  type BudgetLimits } from './budget-pool';

/**
 * A run's budget (`budget: { maxUsd?, maxTokens? }`), stage by stage. Before a stage the engine asks what completion
 * cap lets the stage and what must follow it (the aggregator) fit in what the pool has left, counting every call's
 * reservation as the estimate does (estimate.ts). The answer is the largest cap that fits (none when the models' own
 * maxTokens fit): a tight budget shortens answers first, then drops later layers; a stage that does not fit even with
 * MIN_USEFUL_COMPLETION tokens per call is not started (a `budget-stop` event). Each call then reserves its own bound
 * from the pool (budget-pool.ts), which is what makes the limit hold.
 */

/** Caps are not cut below this to keep every layer: fewer layers with longer answers are worth more. */
const PREFERRED_CAP = 256;

/** A per-run override of `budget` (panel fields, CLI flags): each given limit replaces the config's, the other stays. */
export function withBudget(config: SmoaConfig, override: BudgetLimits | undefined): SmoaConfig {
  const given = Object.fromEntries(Object.entries(override ?? {}).filter(([, v]) => v !== undefined));
  return Object.keys(given).length ? { ...config, budget: { ...config.budget, ...given } } : config;
}

/** `cap`: the completion cap the stage's calls send (undefined: their own maxTokens fit). */
export type BudgetVerdict = { ok: true; cap: number | undefined } | { ok: false; reason: string };

export function hasLimits(limits: BudgetLimits | undefined): limits is BudgetLimits {
  return !!limits && (limits.maxUsd !== undefined || limits.maxTokens !== undefined);
}

type Left = { tokens: number; usd: number };

/** Whether the stages, with every completion cut to `cap`, fit in what is left; the reason names figures and limits. */
function fits(limits: BudgetLimits, left: Left, sum: RunEstimate, what: string): { ok: true } | { ok: false; reason: string } {
  if (limits.maxTokens !== undefined && Number.isFinite(left.tokens)) {
    if (sum.completionTokens === null || sum.promptUnbounded) return { ok: false, reason: `${what} has no token bound (no maxTokens for ${sum.unbounded.join(', ')})` };
    const need = sum.promptTokens + sum.completionTokens;
    if (need > left.tokens) return { ok: false, reason: `${what} may use up to ${fmtTokens(need)} tokens; ${fmtTokens(Math.max(0, left.tokens))} of the ${fmtTokens(limits.maxTokens)}-token budget are left` };
  }
  if (limits.maxUsd !== undefined && Number.isFinite(left.usd)) {
    if (sum.costUsd === null) {
      const why = sum.unpriced.length ? `no price for ${sum.unpriced.join(', ')}` : `no maxTokens for ${sum.unbounded.join(', ')}`;
      return { ok: false, reason: `${what} has no cost bound (${why}), so the ${formatUsd(limits.maxUsd)} budget cannot allow it` };
    }
    if (sum.costUsd > left.usd) return { ok: false, reason: `${what} may cost up to ${formatUsd(sum.costUsd)}; ${formatUsd(Math.max(0, left.usd))} of the ${formatUsd(limits.maxUsd)} budget is left` };
  }
  return { ok: true };
}

/**
 * The largest completion cap (none, or at least MIN_USEFUL_COMPLETION) with which `stages(cap)` fits in `left`.
 * Bigger caps never cost less, so a binary search finds it.
 */
function fitCap(limits: BudgetLimits, left: Left, strategy: Strategy, stages: (cap: number | undefined) => StageEstimate[], what: string): BudgetVerdict {
  const check = (cap: number | undefined) => fits(limits, left, sumStages(strategy, stages(cap)), what);
  if (check(undefined).ok) return { ok: true, cap: undefined };
  const floor = check(MIN_USEFUL_COMPLETION);
  if (!floor.ok) return { ok: false, reason: `${floor.reason}, even with answers cut to ${MIN_USEFUL_COMPLETION} tokens` };
  let lo = MIN_USEFUL_COMPLETION;
  let hi = Math.max(lo, Math.min(Number.isFinite(left.tokens) ? left.tokens : 1 << 20, 1 << 20));
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (check(mid).ok) lo = mid;
    else hi = mid - 1;
  }
  return { ok: true, cap: lo };
}

/** The budget of one run: knows the strategy's stages and asks the estimate for each with what the run knows by then. */
export class RunBudget {
  private readonly plans: StagePlan[];

  private constructor(
    private readonly config: SmoaConfig,
    private readonly input: EstimateInput,
    private readonly strategy: Strategy,
    private readonly pool: BudgetPool,
  ) {
    this.plans = stagePlans(config, strategy);
  }

  /** Undefined when nothing limits the run: then the engine asks nothing. */
  static of(config: SmoaConfig, input: EstimateInput, strategy: Strategy, pool: BudgetPool | undefined): RunBudget | undefined {
    return pool ? new RunBudget(config, input, strategy, pool) : undefined;
  }

  private fit(stages: (cap: number | undefined) => StageEstimate[], what: string): BudgetVerdict {
    const left = this.pool.left();
    // The limits named in a refusal: the run's own, else what an evaluation's hold left it.
    const limits: BudgetLimits = {
      ...(Number.isFinite(left.tokens) ? { maxTokens: this.config.budget?.maxTokens ?? left.tokens } : {}),
      ...(Number.isFinite(left.usd) ? { maxUsd: this.config.budget?.maxUsd ?? left.usd } : {}),
    };
    return fitCap(limits, left, this.strategy, stages, what);
  }

  private stage(plan: StagePlan, cap: number | undefined, seen?: string[]): StageEstimate {
    return estimateStage(this.config, this.input, plan, { strategy: this.strategy, ...(cap !== undefined ? { cap } : {}), ...(seen ? { seen } : {}) });
  }

  /** What comes after the last layer: Self-MoA-Seq's synthesis steps, then the aggregator. */
  private aggregatorReserve(cap: number | undefined): StageEstimate[] {
    return this.plans.filter((p) => p.stage === 'aggregator' || p.stage === 'synthesis').map((p) => this.stage(p, cap));
  }

  private layerStages(layer: number, kept: string[], cap: number | undefined, through = layer): StageEstimate[] {
    return this.plans
      .filter((p) => 'layer' in p && p.layer >= layer && p.layer <= through)
      .map((p) => this.stage(p, cap, p.stage === 'proposer' && p.layer === layer && layer > 1 ? kept : undefined));
  }

  private lastLayer(): number {
    return Math.max(0, ...this.plans.map((p) => ('layer' in p ? p.layer : 0)));
  }

  /** The role writer runs only if it, layer 1 and the aggregator after it fit: roles are the first thing to give up. */
  beforeRoles(): BudgetVerdict {
    const roles = this.plans.filter((p) => p.stage === 'roles');
    return this.fit((cap) => [...roles.map((p) => this.stage(p, cap)), ...this.layerStages(1, [], cap), ...this.aggregatorReserve(cap)], 'the role writer (with layer 1 and the aggregator after it)');
  }

  /**
   * A layer (its proposers, judge and moderator) starts only if the aggregator after it still fits, so the run ends
   * with a synthesis rather than a bare proposal. Every remaining layer is planned for first; when that would cut
   * answers below PREFERRED_CAP, this layer alone (with the aggregator) is, and later layers may be dropped. Layer 1
   * alone is allowed when that is all that fits: its best answer is then the run's answer.
   */
  beforeLayer(layer: number, kept: string[]): BudgetVerdict {
    const all = this.fit((cap) => [...this.layerStages(layer, kept, cap, this.lastLayer()), ...this.aggregatorReserve(cap)], `layers ${layer}-${this.lastLayer()} (with the aggregator after them)`);
    if (all.ok && (all.cap === undefined || all.cap >= PREFERRED_CAP)) return all;
    const one = this.fit((cap) => [...this.layerStages(layer, kept, cap), ...this.aggregatorReserve(cap)], `layer ${layer} (with the aggregator after it)`);
    if (one.ok) return all.ok && all.cap! >= (one.cap ?? Infinity) ? all : one;
    if (all.ok) return all;
    if (layer > 1) return one;
    return this.fit((cap) => this.layerStages(layer, kept, cap), `layer ${layer}`);
  }

  /** The aggregator with the answers actually kept. */
  beforeAggregator(kept: string[], judgeNotes?: string): BudgetVerdict {
    const synthesis = this.plans.filter((p) => p.stage === 'synthesis');
    if (synthesis.length) return this.fit((cap) => this.aggregatorReserve(cap), 'the aggregator (with its synthesis steps)');
    const plan: StagePlan = { stage: 'aggregator', sees: kept.length };
    return this.fit(
      (cap) => [estimateStage(this.config, this.input, plan, { strategy: this.strategy, seen: kept, ...(cap !== undefined ? { cap } : {}), ...(judgeNotes ? { judgeNotes } : {}) })],
      'the aggregator',
    );
  }
}

/**
 * What a budget would do to a whole run before it starts (`--estimate`, the panel): the completion cap every call
 * would get so that all stages fit, or why not even short answers fit.
 */
export function budgetCaps(config: SmoaConfig, input: EstimateInput, strategy: Strategy): BudgetVerdict | undefined {
  const limits = config.budget;
  if (!hasLimits(limits)) return undefined;
  const left = { tokens: limits.maxTokens ?? Infinity, usd: limits.maxUsd ?? Infinity };
  const plans = stagePlans(config, strategy);
  return fitCap(limits, left, strategy, (cap) => plans.map((p) => estimateStage(config, input, p, { strategy, ...(cap !== undefined ? { cap } : {}) })), 'the whole run');
}

function fmtTokens(n: number): string {
  return Math.floor(n).toLocaleString('en-US');
}
