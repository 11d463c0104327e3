import type { Totals } from './accounting';
import type { SmoaConfig, Strategy } from './config';
import { estimateStage, stagePlans, sumStages, type EstimateInput, type StageEstimate, type StagePlan } from './estimate';

/**
 * A run's budget (`budget: { maxUsd?, maxTokens? }`). Before each stage the engine asks it whether what was spent plus
 * the stage's upper bound (estimate.ts) stays within the limits; a stage that might pass them is not started. So a
 * budget is a hard cap as far as the bounds hold: a stage with no bound (a model without maxTokens, or without a price
 * under a dollar limit) is never started under that limit.
 */

export interface BudgetLimits {
  maxUsd?: number;
  maxTokens?: number;
}

export interface Spent {
  tokens: number;
  usd: number;
  /** Some call so far had no price, so `usd` is short of the real spend. */
  usdIncomplete: boolean;
}

/** A per-run override of `budget` (panel fields, CLI flags): each given limit replaces the config's, the other stays. */
export function withBudget(config: SmoaConfig, override: BudgetLimits | undefined): SmoaConfig {
  const given = Object.fromEntries(Object.entries(override ?? {}).filter(([, v]) => v !== undefined));
  return Object.keys(given).length ? { ...config, budget: { ...config.budget, ...given } } : config;
}

export type BudgetVerdict = { ok: true } | { ok: false; reason: string };

export function hasLimits(limits: BudgetLimits | undefined): limits is BudgetLimits {
  return !!limits && (limits.maxUsd !== undefined || limits.maxTokens !== undefined);
}

/** Whether `bound` fits in what is left of the limits; the reason names the stage, the figures and the limit. */
export function checkBudget(limits: BudgetLimits, spent: Spent, bound: Pick<StageEstimate, 'promptTokens' | 'completionTokens' | 'costUsd' | 'unbounded' | 'unpriced'>, what: string): BudgetVerdict {
  if (limits.maxTokens !== undefined) {
    if (bound.completionTokens === null) {
      return { ok: false, reason: `${what} has no token bound (no maxTokens for ${bound.unbounded.join(', ')}), so the ${fmtTokens(limits.maxTokens)}-token budget cannot allow it` };
    }
    const need = bound.promptTokens + bound.completionTokens;
    if (spent.tokens + need > limits.maxTokens) {
      return { ok: false, reason: `${what} may use up to ${fmtTokens(need)} tokens; ${fmtTokens(spent.tokens)} of the ${fmtTokens(limits.maxTokens)}-token budget are spent` };
    }
  }
  if (limits.maxUsd !== undefined) {
    if (bound.costUsd === null) {
      const why = bound.unbounded.length ? `no maxTokens for ${bound.unbounded.join(', ')}` : `no price for ${bound.unpriced.join(', ')}`;
      return { ok: false, reason: `${what} has no cost bound (${why}), so the ${fmtUsd(limits.maxUsd)} budget cannot allow it` };
    }
    if (spent.usdIncomplete) return { ok: false, reason: `calls without a price were made, so the ${fmtUsd(limits.maxUsd)} budget cannot tell what is left` };
    if (spent.usd + bound.costUsd > limits.maxUsd) {
      return { ok: false, reason: `${what} may cost up to ${fmtUsd(bound.costUsd)}; ${fmtUsd(spent.usd)} of the ${fmtUsd(limits.maxUsd)} budget is spent` };
    }
  }
  return { ok: true };
}

/** The budget of one run: knows the strategy's stages and asks the estimate for each with what the run knows by then. */
export class RunBudget {
  private readonly plans: StagePlan[];

  private constructor(
    private readonly config: SmoaConfig,
    private readonly input: EstimateInput,
    private readonly strategy: Strategy,
    private readonly limits: BudgetLimits,
    private readonly totals: Totals,
  ) {
    this.plans = stagePlans(config, strategy);
  }

  /** Undefined when the config sets no limit: then the engine asks nothing. */
  static of(config: SmoaConfig, input: EstimateInput, strategy: Strategy, totals: Totals): RunBudget | undefined {
    return hasLimits(config.budget) ? new RunBudget(config, input, strategy, config.budget, totals) : undefined;
  }

  private spent(): Spent {
    const cost = this.totals.cost();
    return {
      tokens: this.totals.promptTokens + this.totals.completionTokens,
      usd: cost?.usd ?? 0,
      usdIncomplete: cost ? !cost.complete : this.totals.calls > this.totals.failedCalls,
    };
  }

  private check(stages: StageEstimate[], what: string): BudgetVerdict {
    return checkBudget(this.limits, this.spent(), sumStages(this.strategy, stages), what);
  }

  private stage(plan: StagePlan, seen?: string[]): StageEstimate {
    return estimateStage(this.config, this.input, plan, { strategy: this.strategy, ...(seen ? { seen } : {}) });
  }

  /** What comes after the last layer: Self-MoA-Seq's synthesis steps, then the aggregator. */
  private aggregatorReserve(): StageEstimate[] {
    return this.plans.filter((p) => p.stage === 'aggregator' || p.stage === 'synthesis').map((p) => this.stage(p));
  }

  /** The role writer runs only if it, layer 1 and the aggregator after it fit: roles are the first thing to give up. */
  beforeRoles(): BudgetVerdict {
    const roles = this.plans.filter((p) => p.stage === 'roles').map((p) => this.stage(p));
    return this.check([...roles, ...this.layerStages(1, []), ...this.aggregatorReserve()], 'the role writer (with layer 1 and the aggregator after it)');
  }

  /**
   * A layer (its proposers, judge and moderator) starts only if the aggregator after it still fits, so the run ends
   * with a synthesis rather than a bare proposal. Layer 1 alone is allowed when that is all that fits: its best answer
   * is then the run's answer.
   */
  beforeLayer(layer: number, kept: string[]): BudgetVerdict {
    const stages = this.layerStages(layer, kept);
    const withAggregator = this.check([...stages, ...this.aggregatorReserve()], `layer ${layer} (with the aggregator after it)`);
    if (withAggregator.ok || layer > 1) return withAggregator;
    return this.check(stages, `layer ${layer}`);
  }

  /** The aggregator with the answers actually kept. */
  beforeAggregator(kept: string[]): BudgetVerdict {
    const synthesis = this.plans.filter((p) => p.stage === 'synthesis');
    if (synthesis.length) return this.check(this.aggregatorReserve(), 'the aggregator (with its synthesis steps)');
    return this.check([this.stage({ stage: 'aggregator', sees: kept.length }, kept)], 'the aggregator');
  }

  private layerStages(layer: number, kept: string[]): StageEstimate[] {
    return this.plans
      .filter((p) => 'layer' in p && p.layer === layer)
      .map((p) => this.stage(p, p.stage === 'proposer' && layer > 1 ? kept : undefined));
  }
}

function fmtTokens(n: number): string {
  return n.toLocaleString('en-US');
}

function fmtUsd(n: number): string {
  return `$${n.toFixed(n < 1 ? 4 : 2)}`;
}
