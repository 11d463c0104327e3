import type { GraderKind } from './kinds';
import { mean, pairedBootstrapInterval, signTestP } from './stats';

/**
 * Who won, in words: each strategy against the best single model (and against Self-MoA when both ran), as a paired
 * difference over the tasks both were scored on. Browser-safe: the report, the CLI and the results view share it.
 */
export interface Comparison {
  /** The strategy compared with. */
  against: string;
  /** Mean per-task difference (this strategy minus the other), in the score's own units (0-1, or 1-5 for rubric). */
  diff: number;
  /** 95% paired-bootstrap interval of `diff` over tasks. */
  ci: [number, number];
  /** Two-sided sign test over the tasks whose scores differ. */
  p: number;
  /** Tasks both strategies were scored on. */
  n: number;
  /** Tokens (prompt + completion) per run, this strategy over the other; null when the other used none. */
  tokenRatio: number | null;
  /** Cost per run, this strategy over the other; null when either is unpriced or the other cost nothing. */
  costRatio: number | null;
}

/** Per strategy: task id -> score (a task's repeats averaged). */
export type PerTaskScores = ReadonlyMap<string, ReadonlyMap<string, number>>;

export interface StrategyUse {
  strategy: string;
  score: number | null;
  runs: number;
  promptTokens: number;
  completionTokens: number;
  costUsd?: number;
}

/** A difference counts when its 95% interval excludes 0 and the sign test agrees (p < 0.05); a few tasks are not enough. */
const SIGNIFICANCE = 0.05;

function isSignificant(c: Pick<Comparison, 'ci' | 'p'>): boolean {
  return c.p < SIGNIFICANCE && (c.ci[0] > 0 || c.ci[1] < 0);
}

function isSingle(strategy: string): boolean {
  return strategy === 'single' || strategy.startsWith('single:');
}

/** The single-model row with the highest score (the first listed on a tie); undefined when none was scored. */
function bestSingle(rows: readonly StrategyUse[], scores: PerTaskScores): string | undefined {
  let best: { strategy: string; score: number } | undefined;
  for (const row of rows) {
    if (!isSingle(row.strategy) || !scores.get(row.strategy)?.size) continue;
    const score = row.score ?? mean([...scores.get(row.strategy)!.values()]);
    if (!best || score > best.score) best = { strategy: row.strategy, score };
  }
  return best?.strategy;
}

function compareStrategies(
  mine: StrategyUse,
  other: StrategyUse,
  scores: PerTaskScores,
  seed: number,
): Comparison | undefined {
  const a = scores.get(mine.strategy);
  const b = scores.get(other.strategy);
  if (!a || !b) return undefined;
  const shared = [...a.keys()].filter((task) => b.has(task));
  if (shared.length === 0) return undefined;
  const xs = shared.map((t) => a.get(t)!);
  const ys = shared.map((t) => b.get(t)!);
  const diffs = xs.map((x, i) => x - ys[i]);
  const perRun = (u: StrategyUse, v: number) => (u.runs ? v / u.runs : 0);
  const tokens = (u: StrategyUse) => perRun(u, u.promptTokens + u.completionTokens);
  const otherTokens = tokens(other);
  const costs = mine.costUsd !== undefined && other.costUsd !== undefined ? [perRun(mine, mine.costUsd), perRun(other, other.costUsd)] : undefined;
  return {
    against: other.strategy,
    diff: mean(diffs),
    ci: pairedBootstrapInterval(xs, ys, { seed }),
    p: signTestP(diffs),
    n: shared.length,
    tokenRatio: otherTokens > 0 ? tokens(mine) / otherTokens : null,
    costRatio: costs && costs[1] > 0 ? costs[0] / costs[1] : null,
  };
}

/**
 * Every strategy against the best single model, and against Self-MoA ("self") when it ran; the best single model is
 * not compared with itself, nor Self-MoA with itself.
 */
export function verdicts(rows: readonly StrategyUse[], scores: PerTaskScores, seed: number): Map<string, { vsBest?: Comparison; vsSelf?: Comparison }> {
  const out = new Map<string, { vsBest?: Comparison; vsSelf?: Comparison }>();
  const best = bestSingle(rows, scores);
  const bestRow = rows.find((r) => r.strategy === best);
  const selfRow = rows.find((r) => r.strategy === 'self' && scores.get('self')?.size);
  rows.forEach((row, index) => {
    const entry: { vsBest?: Comparison; vsSelf?: Comparison } = {};
    if (bestRow && row.strategy !== bestRow.strategy) {
      const c = compareStrategies(row, bestRow, scores, seed * 7919 + 5000 + index);
      if (c) entry.vsBest = c;
    }
    if (selfRow && row.strategy !== 'self' && !isSingle(row.strategy)) {
      const c = compareStrategies(row, selfRow, scores, seed * 7919 + 6000 + index);
      if (c) entry.vsSelf = c;
    }
    if (entry.vsBest || entry.vsSelf) out.set(row.strategy, entry);
  });
  return out;
}

/** A difference in the score's units, as people read it: points of a percentage, or rubric points. */
function signedPoints(value: number, grader: GraderKind): string {
  const v = grader === 'rubric' ? value : value * 100;
  const digits = grader === 'rubric' ? 2 : 1;
  const text = Math.abs(v).toFixed(digits);
  return `${v < 0 && Number(text) !== 0 ? '-' : '+'}${text}`;
}

function formatP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p < 0.01 ? p.toFixed(3) : p.toFixed(2)}`;
}

function ratio(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)}x`;
}

/** "at 4.1x the tokens and 3.8x the cost" (the cost part only when both are priced). */
function costPhrase(c: Pick<Comparison, 'tokenRatio' | 'costRatio'>): string {
  const parts = [...(c.tokenRatio !== null ? [`${ratio(c.tokenRatio)} the tokens`] : []), ...(c.costRatio !== null ? [`${ratio(c.costRatio)} the cost`] : [])];
  return parts.length ? ` at ${parts.join(' and ')}` : '';
}

/**
 * "smoa beats single:a by +6.2 points (95% CI +1.1 to +11.0, p = 0.021) at 4.1x the tokens", or
 * "smoa: no significant difference from single:a (+1.0 points, 95% CI -2.0 to +4.0, p = 0.62) at 3.9x the tokens".
 */
export function verdictSentence(strategy: string, c: Comparison, grader: GraderKind): string {
  const unit = grader === 'rubric' ? 'rubric points' : 'points';
  const stats = `95% CI ${signedPoints(c.ci[0], grader)} to ${signedPoints(c.ci[1], grader)}, ${formatP(c.p)}, ${c.n} task${c.n === 1 ? '' : 's'}`;
  if (!isSignificant(c)) return `${strategy}: no significant difference from ${c.against} (${signedPoints(c.diff, grader)} ${unit}, ${stats})${costPhrase(c)}`;
  const verb = c.diff > 0 ? 'beats' : 'trails';
  return `${strategy} ${verb} ${c.against} by ${signedPoints(c.diff, grader)} ${unit} (${stats})${costPhrase(c)}`;
}
