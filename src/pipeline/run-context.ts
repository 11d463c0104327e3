import { secrets } from './secrets';
import { callCost, Totals } from './accounting';
import { BudgetPool, type Reservation } from './budget-pool';
import { hasLimits } from './budget';
import { addUsage, clipToTokens, promptBound, READ_BACK_TOKENS, ruleUsage } from './tokens';
import { CallError, type ChatMessage, type ChatClient, type JsonResponseFormat, type RetryPolicy, type TokenUsage, type ToolCall, type ToolSpec } from './client';
import { modelById, type ModelConfig, type SmoaConfig } from './config';
import type { CallFailure, CallInfo, CallStage, EventListener, SmoaEvent } from './events';

/** Everything a run needs from outside: how to reach each model, and where events go. */
export interface EngineDeps {
  clientFor(model: ModelConfig): ChatClient;
  onEvent?: EventListener;
  signal?: AbortSignal;
  /**
   * A budget shared with other runs (an evaluation's --max-usd): this run's calls reserve from it as well as from the
   * config's own budget.
   */
  budgetPool?: BudgetPool;
}

export interface CallSpec {
  stage: CallStage;
  modelId: string;
  messages: ChatMessage[];
  layer?: number;
  slot?: number;
  role?: string;
  temperature?: number;
  maxTokens?: number;
  responseFormat?: JsonResponseFormat;
  /** Extra listener for this call's tokens (the aggregator's become the answer stream). */
  onToken?: (text: string) => void;
  /** Called when a retry voids what the call streamed so far. */
  onRestart?: (callId: string, reason: string) => void;
  /** Why this call differs from a plain one (shown with the call). */
  note?: string;
  /** Agent turns: tools this model may call (each call becomes a `tool-call` event). */
  tools?: ToolSpec[];
  toolChoice?: 'auto' | 'required';
  retry?: RetryPolicy;
}

export type CallOutcome =
  | { ok: true; callId: string; text: string; usage: TokenUsage }
  | { ok: false; callId: string; error: CallFailure; partialText: string };

/** Per-run state: the clock, the event sink, the totals, and the one place where a model is called. */
export class RunContext {
  readonly totals = new Totals();
  /** Where this run's calls reserve their bound; undefined when no budget limits the run. */
  readonly pool: BudgetPool | undefined;
  /** The completion cap the budget set for the stage now running (see budget.ts); calls send at most this. */
  stageCap: number | undefined;
  private readonly started = performance.now();
  private callCount = 0;
  firstAnswerTokenMs?: number;

  constructor(
    readonly config: SmoaConfig,
    private readonly deps: EngineDeps,
    readonly signal: AbortSignal,
  ) {
    this.pool = hasLimits(config.budget) ? new BudgetPool(config.budget, deps.budgetPool) : deps.budgetPool;
  }

  elapsed(): number {
    return Math.round((performance.now() - this.started) * 1000) / 1000;
  }

  emit(event: DistributiveOmit<SmoaEvent, 't'>): void {
    try {
      // Every consumer (trace, chat, panel, log, files, MCP) reads these events: no secret may be in them. Streamed
      // pieces are too short to hold a key, and redacting each one would cost a regex per token.
      const clean = event.type === 'call-token' || event.type === 'answer-token' ? event : secrets.redactDeep(event);
      this.deps.onEvent?.({ ...clean, t: this.elapsed() } as SmoaEvent);
    } catch {
      // A consumer's bug must not break the run.
    }
  }

  get cancelled(): boolean {
    return this.signal.aborted;
  }

  /** Calls a model, streaming its tokens as events. Never throws: failures come back as values. */
  async call(spec: CallSpec): Promise<CallOutcome> {
    const model = modelById(this.config, spec.modelId);
    const callId = `c${++this.callCount}`;
    const info: CallInfo = {
      callId,
      stage: spec.stage,
      modelId: model.id,
      model: model.label ?? model.model,
      ...(spec.layer !== undefined ? { layer: spec.layer } : {}),
      ...(spec.slot !== undefined ? { slot: spec.slot } : {}),
      ...(spec.role !== undefined ? { role: spec.role } : {}),
      ...(spec.note !== undefined ? { note: spec.note } : {}),
    };
    this.emit({ type: 'call-started', ...info });
    const start = performance.now();
    const want = minDefined(spec.maxTokens ?? model.maxTokens, this.stageCap);
    const prompt = promptBound(spec.messages);
    let reservation: Reservation | undefined;
    if (this.pool) {
      const r = this.pool.reserve(model, prompt, want);
      if (!r.ok) {
        const error: CallFailure = { message: `not started: ${r.reason}`, kind: 'over-budget', attempts: 0 };
        this.totals.add(undefined, undefined, 'failed');
        this.emit({ type: 'call-failed', callId, error, latencyMs: 0 });
        return { ok: false, callId, error, partialText: '' };
      }
      reservation = r;
    }
    const maxTokens = reservation ? reservation.cap : want;
    // What was settled with the pool so far (attempts that were cut and retried), so the end settles the rest.
    let settled: TokenUsage | undefined;
    let lastCap = maxTokens;
    const settle = (usage: TokenUsage | undefined) => {
      if (!reservation || !this.pool) return;
      const rest = subtractUsage(usage, settled);
      this.pool.settle(reservation, rest, rest ? callCost(model, rest) : undefined);
      settled = addUsage(settled, rest);
      reservation = undefined;
    };
    let firstToken: number | undefined;
    let partial = '';
    try {
      const response = await this.deps.clientFor(model).complete({
        messages: spec.messages,
        stage: spec.stage,
        temperature: spec.temperature ?? model.temperature ?? this.config.temperature,
        maxTokens,
        responseFormat: spec.responseFormat,
        signal: this.signal,
        onToken: (text) => {
          firstToken ??= performance.now();
          partial += text;
          this.emit({ type: 'call-token', callId, text });
          spec.onToken?.(text);
        },
        ...(spec.tools?.length
          ? {
              tools: spec.tools,
              ...(spec.toolChoice ? { toolChoice: spec.toolChoice } : {}),
              onToolCall: (call: ToolCall) => this.emit({ type: 'tool-call', callId, toolCallId: call.callId, name: call.name, input: call.input }),
            }
          : {}),
        ...(spec.retry ? { retry: spec.retry } : {}),
        onRetry: ({ billed, ...notice }) => {
          // The failed attempt's tokens are billed: settle them, and reserve the retry's bound before it starts.
          if (reservation && this.pool) {
            settle(addUsage(settled, billed));
            const again = this.pool.reserve(model, prompt, want);
            if (!again.ok) return { stop: again.reason };
            reservation = again;
            lastCap = again.cap;
          }
          partial = '';
          firstToken = undefined;
          spec.onRestart?.(callId, notice.reason);
          this.emit({ type: 'call-retry', callId, ...notice });
          return lastCap !== maxTokens && lastCap !== undefined ? { maxTokens: lastCap } : undefined;
        },
      });
      const cost = callCost(model, response.usage);
      settle(response.usage);
      this.totals.add(response.usage, cost);
      this.emit({
        type: 'call-done',
        callId,
        text: response.text,
        usage: response.usage,
        ...(cost !== undefined ? { cost } : {}),
        latencyMs: Math.round(performance.now() - start),
        ...(firstToken !== undefined ? { ttftMs: Math.round(firstToken - start) } : {}),
        attempts: response.attempts,
      });
      return { ok: true, callId, text: readBack(response.text, lastCap), usage: response.usage };
    } catch (err) {
      const error = toFailure(err, this.signal);
      // Billed before the failure: what the client says, else what streamed, counted with the token rule.
      const usage = (err instanceof CallError ? err.usage : undefined) ?? (partial ? ruleUsage(spec.messages, partial, lastCap) : undefined);
      const cost = usage ? callCost(model, usage) : undefined;
      settle(usage);
      this.totals.add(usage, cost, error.kind === 'cancelled' ? 'cancelled' : 'failed');
      this.emit({
        type: 'call-failed',
        callId,
        error,
        latencyMs: Math.round(performance.now() - start),
        ...(partial ? { partialText: partial } : {}),
        ...(usage ? { usage } : {}),
        ...(cost !== undefined ? { cost } : {}),
      });
      return { ok: false, callId, error, partialText: partial };
    }
  }
}

/** What a later stage reads of an answer: clipped past READ_BACK_TOKENS per token of its cap (tokens.ts). */
function readBack(text: string, cap: number | undefined): string {
  return cap === undefined ? text : clipToTokens(text, READ_BACK_TOKENS * cap);
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function subtractUsage(total: TokenUsage | undefined, part: TokenUsage | undefined): TokenUsage | undefined {
  if (!total || !part) return total;
  return {
    promptTokens: Math.max(0, total.promptTokens - part.promptTokens),
    completionTokens: Math.max(0, total.completionTokens - part.completionTokens),
    estimated: total.estimated,
  };
}

function toFailure(err: unknown, signal: AbortSignal): CallFailure {
  if (signal.aborted) return { message: 'cancelled', kind: 'cancelled', attempts: 1 };
  if (err instanceof CallError) {
    return { message: err.message, kind: err.kind, attempts: err.attempts, ...(err.status ? { status: err.status } : {}) };
  }
  // Clients for other providers (e.g. VS Code's models) may throw plain errors; keep their message.
  return { message: err instanceof Error ? err.message : String(err), kind: 'unknown', attempts: 1 };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
