import type { JudgeBallot } from '../pipeline/events';

/**
 * How much a jury of judges is worth: how often its judges agree on the best answer, and how many independent votes
 * their scores amount to. Judges whose scores move together add cost without adding information; with n judges whose
 * scores correlate r on average, the jury counts like n / (1 + (n - 1) r) independent judges (the design-effect
 * formula for equally correlated votes). Read from the ballots a trace records; browser-safe.
 */

/** One pair of judges over the decisions both voted in; every field is a sum, so records add up across runs. */
interface JuryPair {
  a: string;
  b: string;
  /** Layers where both scored at least two of the same answers. */
  decisions: number;
  /** Of those, layers where both gave their highest score to the same answer (a tie for highest counts if shared). */
  sameTop: number;
  /** Answers both scored, over those decisions. */
  items: number;
  /** Sums of squares and products of the two judges' scores, each centred on its mean within the layer. */
  sxx: number;
  syy: number;
  sxy: number;
}

export interface JuryRecord {
  judges: string[];
  pairs: JuryPair[];
}

export interface JuryAgreement {
  /** The judges that voted together at least once. */
  judges: string[];
  /** Judge pairs x layers compared. */
  decisions: number;
  /** Share of those where both judges' best answer was the same. */
  agreement: number;
  /** Mean over judge pairs of the correlation of their (layer-centred) scores; null when no pair varied its scores. */
  meanCorrelation: number | null;
  /** n / (1 + (n - 1) r) with r the mean correlation bounded to [0, 1]; null when the correlation is unknown. */
  effectiveVotes: number | null;
}

interface JudgedLayer {
  judge?: { ballots?: JudgeBallot[] };
}

/** Each judge's scores in one layer, averaged over its counted ballots (both orders count as one judge). */
function judgeScores(ballots: readonly JudgeBallot[]): Map<string, Map<number, number>> {
  const sums = new Map<string, Map<number, number[]>>();
  for (const ballot of ballots) {
    if (ballot.skipped) continue;
    const excluded = new Set(ballot.excluded ?? []);
    const scorable = ballot.order.filter((slot) => !excluded.has(slot));
    // A trace written before the judge scored has only picks: k, k-1, ... for them and 0 for the rest.
    const scores: [number, number][] = ballot.scores
      ? Object.entries(ballot.scores).map(([slot, score]) => [Number(slot), score])
      : ballot.picks.length
        ? scorable.map((slot) => [slot, ballot.picks.includes(slot) ? ballot.picks.length - ballot.picks.indexOf(slot) : 0])
        : [];
    if (scores.length < 2) continue;
    const mine = sums.get(ballot.modelId) ?? new Map<number, number[]>();
    for (const [slot, score] of scores) mine.set(slot, [...(mine.get(slot) ?? []), score]);
    sums.set(ballot.modelId, mine);
  }
  return new Map([...sums].map(([judge, slots]) => [judge, new Map([...slots].map(([slot, xs]) => [slot, xs.reduce((a, b) => a + b, 0) / xs.length]))]));
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A jury's pair sums over a run's judged layers; undefined when no layer had two judges voting. */
export function juryRecord(layers: Iterable<JudgedLayer>): JuryRecord | undefined {
  const pairs = new Map<string, JuryPair>();
  const judges = new Set<string>();
  for (const layer of layers) {
    const byJudge = judgeScores(layer.judge?.ballots ?? []);
    const names = [...byJudge.keys()].sort();
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        const [x, y] = [byJudge.get(names[i])!, byJudge.get(names[j])!];
        const common = [...x.keys()].filter((slot) => y.has(slot));
        if (common.length < 2) continue;
        const xs = common.map((s) => x.get(s)!);
        const ys = common.map((s) => y.get(s)!);
        const [mx, my] = [mean(xs), mean(ys)];
        const topX = new Set(common.filter((_, k) => xs[k] === Math.max(...xs)));
        const topY = common.filter((_, k) => ys[k] === Math.max(...ys));
        const key = `${names[i]}\u0000${names[j]}`;
        const pair = pairs.get(key) ?? { a: names[i], b: names[j], decisions: 0, sameTop: 0, items: 0, sxx: 0, syy: 0, sxy: 0 };
        pair.decisions++;
        if (topY.some((slot) => topX.has(slot))) pair.sameTop++;
        pair.items += common.length;
        for (let k = 0; k < common.length; k++) {
          pair.sxx += (xs[k] - mx) ** 2;
          pair.syy += (ys[k] - my) ** 2;
          pair.sxy += (xs[k] - mx) * (ys[k] - my);
        }
        pairs.set(key, pair);
        judges.add(names[i]).add(names[j]);
      }
    }
  }
  return pairs.size ? { judges: [...judges].sort(), pairs: [...pairs.values()] } : undefined;
}

/** Adds records (of the runs of one strategy). */
export function mergeJury(records: Iterable<JuryRecord | undefined>): JuryRecord | undefined {
  const pairs = new Map<string, JuryPair>();
  const judges = new Set<string>();
  for (const record of records) {
    if (!record) continue;
    for (const j of record.judges) judges.add(j);
    for (const p of record.pairs) {
      const key = `${p.a}\u0000${p.b}`;
      const sum = pairs.get(key) ?? { a: p.a, b: p.b, decisions: 0, sameTop: 0, items: 0, sxx: 0, syy: 0, sxy: 0 };
      for (const f of ['decisions', 'sameTop', 'items', 'sxx', 'syy', 'sxy'] as const) sum[f] += p[f];
      pairs.set(key, sum);
    }
  }
  return pairs.size ? { judges: [...judges].sort(), pairs: [...pairs.values()] } : undefined;
}

/** n / (1 + (n - 1) r), with r bounded to [0, 1]: between 1 (the judges move as one) and n (independent). */
export function effectiveVotes(n: number, r: number): number {
  const bounded = Math.min(1, Math.max(0, r));
  return n / (1 + (n - 1) * bounded);
}

export function juryAgreement(record: JuryRecord): JuryAgreement {
  const decisions = record.pairs.reduce((s, p) => s + p.decisions, 0);
  const sameTop = record.pairs.reduce((s, p) => s + p.sameTop, 0);
  const correlations = record.pairs.filter((p) => p.sxx > 0 && p.syy > 0).map((p) => p.sxy / Math.sqrt(p.sxx * p.syy));
  const r = correlations.length ? mean(correlations) : null;
  return {
    judges: record.judges,
    decisions,
    agreement: decisions ? sameTop / decisions : 0,
    meanCorrelation: r === null ? null : Math.round(r * 1000) / 1000,
    effectiveVotes: r === null ? null : Math.round(effectiveVotes(record.judges.length, r) * 100) / 100,
  };
}

/** "judges a, b, c agreed on the best answer in 75% of 12 comparisons; scores correlate 0.50: worth 1.50 of 3 independent votes" */
export function juryText(j: JuryAgreement): string {
  const head = `jury of ${j.judges.length} (${j.judges.join(', ')}): same best answer in ${Math.round(j.agreement * 100)}% of ${j.decisions} judge-pair decisions`;
  if (j.meanCorrelation === null || j.effectiveVotes === null) return `${head}; the scores never varied, so their correlation is unknown`;
  return `${head}; scores correlate ${j.meanCorrelation.toFixed(2)} on average: worth ${j.effectiveVotes.toFixed(2)} independent votes of ${j.judges.length}`;
}
