import { seededRandom } from '../pipeline/random';
import { mean, percentileInterval } from './stats';

/**
 * Length-controlled win rate, after Length-Controlled AlpacaEval (Dubois et al. 2024): graders prefer longer answers,
 * so a raw win rate rewards padding. Per instruction i, the preference for the candidate over the reference is
 * modelled as
 *     P(candidate wins) = sigmoid(theta + phi * tanh(d_i / sd(d)))
 * where d_i is the candidate's length minus the reference's (characters) and sd(d) its standard deviation over the
 * instructions. theta is what the candidate is worth apart from length; the length-controlled win rate is the model's
 * prediction with the length difference set to 0, averaged over instructions (here: sigmoid(theta)).
 *
 * What it cannot do with one candidate and one reference: AlpacaEval's full model also has an instruction-difficulty
 * term, estimated jointly over many models' answers to the same instructions; with a single candidate that term is
 * not identifiable, so it is left out. Browser-safe.
 */
export interface Preference {
  /** 0 = the reference won, 1 = the candidate won, 0.5 = tie (both-order averages such as 0.25 are fine). */
  preference: number;
  /** Candidate length minus reference length, in characters. */
  lengthDiff: number;
}

export interface LengthControlledFit {
  /** Worth apart from length, on the logit scale. */
  theta: number;
  /** Weight of the bounded, standardized length difference. */
  phi: number;
  /** The length-controlled win rate, 0-1. */
  winRate: number;
}

/** Caps on the logit terms: all wins (or all losses) would otherwise send theta to infinity. */
const LIMIT = 20;
/** A small ridge on phi only: when lengths barely vary, phi stays near 0 instead of fitting noise, and theta (the figure reported) is not shrunk. */
const RIDGE = 1e-6;

export function fitLengthControlled(data: readonly Preference[]): LengthControlledFit | undefined {
  const n = data.length;
  if (n === 0) return undefined;
  const diffs = data.map((d) => d.lengthDiff);
  const m = mean(diffs);
  const sd = Math.sqrt(mean(diffs.map((d) => (d - m) ** 2)));
  // Equal lengths throughout: nothing to control for, and the fit is the raw rate.
  const x = diffs.map((d) => (sd > 0 ? Math.tanh(d / sd) : 0));
  const y = data.map((d) => Math.min(1, Math.max(0, d.preference)));
  let theta = 0;
  let phi = 0;
  // Newton-Raphson on the (concave) log-likelihood of soft labels; two parameters, so the Hessian is 2x2.
  for (let iter = 0; iter < 100; iter++) {
    let g0 = 0;
    let g1 = -RIDGE * phi * n;
    let h00 = 0;
    let h01 = 0;
    let h11 = RIDGE * n;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(theta + phi * x[i]);
      const w = p * (1 - p);
      g0 += y[i] - p;
      g1 += (y[i] - p) * x[i];
      h00 += w;
      h01 += w * x[i];
      h11 += w * x[i] * x[i];
    }
    const det = h00 * h11 - h01 * h01;
    let step0: number;
    let step1: number;
    if (det > 1e-12 * Math.max(1, h00 * h11)) {
      step0 = (h11 * g0 - h01 * g1) / det;
      step1 = (h00 * g1 - h01 * g0) / det;
    } else {
      // Saturated (every prediction near 0 or 1): move along the gradient.
      step0 = g0 / Math.max(h00, 1e-9 * n);
      step1 = 0;
    }
    const next0 = clamp(theta + step0);
    const next1 = clamp(phi + step1);
    const moved = Math.abs(next0 - theta) + Math.abs(next1 - phi);
    theta = next0;
    phi = next1;
    if (moved < 1e-10) break;
  }
  return { theta, phi, winRate: sigmoid(theta) };
}

export interface LengthControlledResult {
  /** Raw win rate (ties as half) and the length-controlled one, 0-1, with 95% bootstrap intervals over instructions. */
  winRate: number;
  winRateCi: [number, number];
  lcWinRate: number;
  lcWinRateCi: [number, number];
  n: number;
}

export function lengthControlledWinRate(data: readonly Preference[], options: { seed?: number; resamples?: number } = {}): LengthControlledResult | undefined {
  const fit = fitLengthControlled(data);
  if (!fit) return undefined;
  const n = data.length;
  const resamples = options.resamples ?? 1000;
  const random = seededRandom(options.seed ?? 0);
  const raw = new Float64Array(resamples);
  const lc = new Float64Array(resamples);
  const sample: Preference[] = new Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) sample[i] = data[Math.floor(random() * n)];
    raw[r] = mean(sample.map((s) => s.preference));
    lc[r] = fitLengthControlled(sample)!.winRate;
  }
  return {
    winRate: mean(data.map((d) => d.preference)),
    winRateCi: percentileInterval(raw),
    lcWinRate: fit.winRate,
    lcWinRateCi: percentileInterval(lc),
    n,
  };
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

function clamp(v: number): number {
  return Math.max(-LIMIT, Math.min(LIMIT, v));
}
