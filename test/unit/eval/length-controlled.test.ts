import assert from 'node:assert/strict';
import { seededRandom } from '../../../src/pipeline/random';
import { fitLengthControlled, lengthControlledWinRate, type Preference } from '../../../src/eval/length-controlled';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Length differences, standardized the way the fit does it, so soft labels made from them have a known fit. */
function standardized(diffs: number[]): number[] {
  const m = diffs.reduce((s, d) => s + d, 0) / diffs.length;
  const sd = Math.sqrt(diffs.reduce((s, d) => s + (d - m) ** 2, 0) / diffs.length);
  return diffs.map((d) => Math.tanh(d / sd));
}

describe('length-controlled win rate', () => {
  it('equals the raw win rate when the answers are as long as the reference', () => {
    const prefs = [1, 0, 0.5, 1, 1, 0.25, 0.75, 0, 1, 1].map((preference) => ({ preference, lengthDiff: 0 }));
    const r = lengthControlledWinRate(prefs, { resamples: 200 })!;
    assert.equal(r.winRate, 0.65);
    assert.ok(Math.abs(r.lcWinRate - 0.65) < 1e-9, String(r.lcWinRate));
    assert.ok(r.winRateCi[0] < 0.65 && r.winRateCi[1] > 0.65);
    assert.ok(r.lcWinRateCi[0] < 0.65 && r.lcWinRateCi[1] > 0.65);
  });

  it('moves to 50% when the longer answer wins only for being longer (known answer: worth 0, length weight 3)', () => {
    // 80% of the candidate's answers are longer; the grader's preference depends on length alone.
    const diffs = Array.from({ length: 200 }, (_, i) => (i % 5 === 0 ? -(50 + i) : 40 + 3 * i));
    const x = standardized(diffs);
    const prefs: Preference[] = diffs.map((lengthDiff, i) => ({ lengthDiff, preference: sigmoid(3 * x[i]) }));
    const fit = fitLengthControlled(prefs)!;
    assert.ok(Math.abs(fit.theta) < 1e-4 && Math.abs(fit.phi - 3) < 1e-3, `theta ${fit.theta}, phi ${fit.phi}`);
    const r = lengthControlledWinRate(prefs, { resamples: 200 })!;
    assert.ok(r.winRate > 0.75, `raw ${r.winRate}`);
    assert.ok(Math.abs(r.lcWinRate - 0.5) < 1e-4, `lc ${r.lcWinRate}`);
  });

  it('keeps what the answers are worth apart from length, on sampled (0/1) verdicts', () => {
    // True worth theta = 1 (73.1% at equal length), plus a length bonus; 1,000 instructions of coin flips.
    const random = seededRandom(7);
    const diffs = Array.from({ length: 1000 }, () => 300 * random() - 50);
    const x = standardized(diffs);
    const prefs = diffs.map((lengthDiff, i) => ({ lengthDiff, preference: random() < sigmoid(1 + 2 * x[i]) ? 1 : 0 }));
    const r = lengthControlledWinRate(prefs, { resamples: 300, seed: 1 })!;
    assert.ok(r.winRate > 0.8, `raw ${r.winRate}`);
    assert.ok(Math.abs(r.lcWinRate - sigmoid(1)) < 0.06, `lc ${r.lcWinRate}`);
    assert.ok(r.lcWinRateCi[0] < sigmoid(1) && sigmoid(1) < r.lcWinRateCi[1], `ci ${r.lcWinRateCi}`);
  });

  it('stays finite when the candidate wins (or loses) every time', () => {
    const wins = Array.from({ length: 20 }, (_, i) => ({ preference: 1, lengthDiff: i * 10 - 50 }));
    const r = lengthControlledWinRate(wins, { resamples: 50 })!;
    assert.equal(r.winRate, 1);
    assert.ok(r.lcWinRate > 0.99 && r.lcWinRate <= 1, String(r.lcWinRate));
    assert.ok(lengthControlledWinRate(wins.map((w) => ({ ...w, preference: 0 })), { resamples: 50 })!.lcWinRate < 0.01);
    assert.equal(lengthControlledWinRate([]), undefined);
  });
});
