import { seededRandom } from '../pipeline/random';

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : NaN;
}

/**
 * 95% percentile bootstrap interval of the mean: resample the per-task scores with replacement `resamples` times,
 * take the 2.5th and 97.5th percentiles of the resampled means. Seeded, so a report is reproducible.
 */
export function bootstrapInterval(values: readonly number[], options: { seed?: number; resamples?: number; level?: number } = {}): [number, number] {
  const n = values.length;
  if (n === 0) return [NaN, NaN];
  if (n === 1) return [values[0], values[0]];
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  const random = seededRandom(options.seed ?? 0);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(random() * n)];
    means[r] = sum / n;
  }
  return percentileInterval(means, level);
}

/** The central `level` interval of bootstrap replicates (sorted in place). */
export function percentileInterval(replicates: Float64Array, level = 0.95): [number, number] {
  replicates.sort();
  const tail = (1 - level) / 2;
  return [quantile(replicates, tail), quantile(replicates, 1 - tail)];
}

/** Linear interpolation between order statistics of a sorted array. */
function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * 95% paired-bootstrap interval of the mean difference: tasks are resampled with replacement and each resample keeps
 * both strategies' scores on the same task together, so what two strategies share (a task's difficulty) cancels out.
 */
export function pairedBootstrapInterval(
  a: readonly number[],
  b: readonly number[],
  options: { seed?: number; resamples?: number; level?: number } = {},
): [number, number] {
  if (a.length !== b.length) throw new Error(`paired scores differ in length (${a.length} and ${b.length})`);
  return bootstrapInterval(
    a.map((v, i) => v - b[i]),
    options,
  );
}

/**
 * Two-sided exact sign test: under "neither is better", each task that differs is a fair coin. Ties carry no sign and
 * are left out. Returns 1 when no task differs.
 */
export function signTestP(differences: readonly number[]): number {
  const plus = differences.filter((d) => d > 0).length;
  const minus = differences.filter((d) => d < 0).length;
  const n = plus + minus;
  if (n === 0) return 1;
  const k = Math.min(plus, minus);
  // P(X <= k) for X ~ Binomial(n, 1/2), summed in log space so n in the thousands does not underflow.
  let logC = 0;
  let tail = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    tail += Math.exp(logC - n * Math.LN2);
  }
  return Math.min(1, 2 * tail);
}
