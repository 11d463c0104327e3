import type { TokenUsage } from './client';
import type { ModelConfig } from './config';
import type { Cost, RunTotals } from './events';

export function callCost(model: ModelConfig, usage: TokenUsage): number | undefined {
  if (!model.price) return undefined;
  return (usage.promptTokens * model.price.inputPerMTok + usage.completionTokens * model.price.outputPerMTok) / 1e6;
}

/** Running sums for a run; every call goes through `add`. */
export class Totals {
  calls = 0;
  failedCalls = 0;
  /** Calls stopped by a cancel: counted, but not as failures. */
  cancelledCalls = 0;
  promptTokens = 0;
  completionTokens = 0;
  estimated = false;
  private costUsd = 0;
  private pricedCalls = 0;
  private unpricedCalls = 0;

  add(usage: TokenUsage | undefined, cost: number | undefined, outcome: 'done' | 'failed' | 'cancelled' = 'done'): void {
    this.calls++;
    if (outcome === 'failed') this.failedCalls++;
    if (outcome === 'cancelled') this.cancelledCalls++;
    if (!usage) return;
    this.promptTokens += usage.promptTokens;
    this.completionTokens += usage.completionTokens;
    this.estimated ||= usage.estimated;
    if (cost === undefined) this.unpricedCalls++;
    else {
      this.pricedCalls++;
      this.costUsd += cost;
    }
  }

  cost(): Cost | undefined {
    return this.pricedCalls ? { usd: this.costUsd, complete: this.unpricedCalls === 0 } : undefined;
  }

  snapshot(extra: { wallMs: number; firstAnswerTokenMs?: number; layersRun: number }): RunTotals {
    return {
      calls: this.calls,
      failedCalls: this.failedCalls,
      ...(this.cancelledCalls ? { cancelledCalls: this.cancelledCalls } : {}),
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      estimated: this.estimated,
      ...(this.cost() ? { cost: this.cost() } : {}),
      ...extra,
    };
  }
}
