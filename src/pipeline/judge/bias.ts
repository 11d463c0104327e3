import type { JudgeBallot, JudgeNotes } from '../events';

/**
 * Bias figures of the judge's votes, read from the trace (each ballot records the order shown and the score it gave
 * each answer; each layer the answers' lengths). LLM judges are known to favour the first position and longer answers;
 * these figures let a user see whether theirs does. Browser-safe: the panel computes them too. Ties share the credit,
 * so some counts are fractions.
 */

export interface JudgeBias {
  /** Counted votes whose first-shown answer could be scored, among at least two scorable answers. */
  firstShownVotes: number;
  /** Of those, votes that gave the answer shown first the highest score (a tie for highest counts 1 / tied answers). */
  firstShownTop: number;
  /** How many of those an order-blind judge would put first by chance (the sum of 1 / scorable answers). */
  firstShownChance: number;
  /** Pairs of differently scored answers of different lengths, over all counted votes. */
  pairs: number;
  /** Of those, pairs where the higher-scored answer is the longer one. */
  longerPicked: number;
  /** Layers where one judge voted in both orders (`judgeOrders: 2`), and of those, where both gave their highest score to the same answer. */
  orderPairs: number;
  orderAgree: number;
}

interface JudgedLayer {
  judge?: { ballots?: JudgeBallot[]; lengths?: Record<number, number> };
}

/** A ballot's scores; a trace written before the judge scored has only picks, read as k, k-1, ... and 0 for the rest. */
function scoresOf(ballot: JudgeBallot, scorable: readonly number[]): Map<number, number> {
  if (ballot.scores) return new Map(Object.entries(ballot.scores).map(([slot, score]) => [Number(slot), score]));
  return new Map(scorable.map((slot) => [slot, ballot.picks.includes(slot) ? ballot.picks.length - ballot.picks.indexOf(slot) : 0]));
}

/** The answers with the highest score. */
function topOf(scores: Map<number, number>): number[] {
  const best = Math.max(...scores.values());
  return [...scores].filter(([, s]) => s === best).map(([slot]) => slot);
}

export function judgeBias(layers: Iterable<JudgedLayer>): JudgeBias | undefined {
  const bias: JudgeBias = { firstShownVotes: 0, firstShownTop: 0, firstShownChance: 0, pairs: 0, longerPicked: 0, orderPairs: 0, orderAgree: 0 };
  let votes = 0;
  for (const layer of layers) {
    const lengths = layer.judge?.lengths ?? {};
    const counted: { ballot: JudgeBallot; scores: Map<number, number> }[] = [];
    for (const ballot of layer.judge?.ballots ?? []) {
      if (ballot.skipped) continue;
      const excluded = new Set(ballot.excluded ?? []);
      const scorable = ballot.order.filter((slot) => !excluded.has(slot));
      const scores = scoresOf(ballot, scorable);
      if (scores.size < 2 || (!ballot.scores && ballot.picks.length === 0)) continue;
      counted.push({ ballot, scores });
      votes++;
      const first = ballot.order[0];
      if (scores.has(first)) {
        const top = topOf(scores);
        bias.firstShownVotes++;
        bias.firstShownChance += 1 / scores.size;
        if (top.includes(first)) bias.firstShownTop += 1 / top.length;
      }
      const slots = [...scores.keys()];
      for (let i = 0; i < slots.length; i++) {
        for (let j = i + 1; j < slots.length; j++) {
          const [a, b] = [slots[i], slots[j]];
          const [la, lb] = [lengths[a], lengths[b]];
          if (la === undefined || lb === undefined || la === lb || scores.get(a) === scores.get(b)) continue;
          bias.pairs++;
          const higher = scores.get(a)! > scores.get(b)! ? a : b;
          if (lengths[higher] === Math.max(la, lb)) bias.longerPicked++;
        }
      }
    }
    const byJudge = new Map<string, typeof counted>();
    for (const vote of counted) byJudge.set(vote.ballot.modelId, [...(byJudge.get(vote.ballot.modelId) ?? []), vote]);
    for (const pair of byJudge.values()) {
      const forward = pair.find((v) => !v.ballot.reversed);
      const reversed = pair.find((v) => v.ballot.reversed);
      if (!forward || !reversed) continue;
      bias.orderPairs++;
      const top = topOf(reversed.scores);
      if (topOf(forward.scores).some((slot) => top.includes(slot))) bias.orderAgree++;
    }
  }
  return votes > 0 ? bias : undefined;
}

/** Votes below this make the figures anecdotes; the text says so. */
const FEW_VOTES = 10;

const pct = (n: number, of: number) => `${Math.round((100 * n) / of)}%`;
/** Counts with shared ties may be fractions: one decimal then. */
const count = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** One plain sentence per figure, for the panel's run summary, `compare` and the CLI. */
export function describeJudgeBias(bias: JudgeBias): string[] {
  const lines: string[] = [];
  if (bias.firstShownVotes > 0) {
    const chance = bias.firstShownChance / bias.firstShownVotes;
    lines.push(
      `first-shown answer scored highest in ${count(bias.firstShownTop)} of ${bias.firstShownVotes} votes ` +
        `(${pct(bias.firstShownTop, bias.firstShownVotes)}; ${pct(chance, 1)} by chance)`,
    );
  }
  if (bias.pairs > 0) {
    lines.push(
      `higher-scored answer was the longer one in ${bias.longerPicked} of ${bias.pairs} differently scored pairs ` +
        `(${pct(bias.longerPicked, bias.pairs)}; 50% means no length preference)`,
    );
  }
  if (bias.orderPairs > 0) lines.push(`both orders scored the same answer highest in ${bias.orderAgree} of ${bias.orderPairs} votes`);
  if (bias.firstShownVotes < FEW_VOTES) lines.push(`only ${bias.firstShownVotes} vote${bias.firstShownVotes === 1 ? '' : 's'}: too few to call a bias`);
  return lines;
}

/** The judge's notes as plain lines, for the panel's judge card, chat and the CLI. */
export function judgeNoteLines(notes: JudgeNotes | undefined): string[] {
  if (!notes) return [];
  return [
    ...notes.agreements.map((t) => `Agree: ${t}`),
    ...notes.contradictions.map((t) => `Contradiction: ${t}`),
    ...notes.droppedInsights.map((t) => `Only in a dropped answer: ${t}`),
  ];
}

/** With several votes (both orders, a jury): how many counted and why any did not; empty for a single vote. */
export function judgeVotesLine(ballots: readonly JudgeBallot[] | undefined): string {
  if (!ballots || ballots.length < 2) return '';
  const counted = ballots.filter((b) => !b.skipped).length;
  const skipped = ballots.filter((b) => b.skipped).map((b) => `${b.modelId}${b.reversed ? ' (reversed)' : ''}: ${b.skipped}`);
  return `${counted} of ${ballots.length} votes combined by Borda count${skipped.length ? `; not counted: ${skipped.join('; ')}` : ''}`;
}

/** Each scored answer's score, best first, with a label per slot: "proposal 3: 9, proposal 1: 7". Empty without scores. */
export function judgeScoresLine(scores: Record<number, number> | undefined, name: (slot: number) => string = (slot) => `proposal ${slot + 1}`): string {
  if (!scores) return '';
  return Object.entries(scores)
    .map(([slot, score]) => [Number(slot), score] as const)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([slot, score]) => `${name(slot)}: ${score}`)
    .join(', ');
}
