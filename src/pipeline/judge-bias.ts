import type { JudgeBallot, JudgeNotes } from './events';

/**
 * Bias figures of the judge's votes, read from the trace (each ballot records the order shown and its picks; each
 * layer the answers' lengths). LLM judges are known to favour the first position and longer answers; these figures let
 * a user see whether theirs does. Browser-safe: the panel computes them too.
 */

export interface JudgeBias {
  /** Counted votes whose first-shown answer could be picked, among at least two pickable answers. */
  firstShownVotes: number;
  /** Of those, votes whose top pick was the answer shown first. */
  firstShownTop: number;
  /** How many of those an order-blind judge would put first by chance (the sum of 1 / pickable answers). */
  firstShownChance: number;
  /** Pairs of a picked and a not-picked answer of different lengths, over all counted votes. */
  pairs: number;
  /** Of those, pairs where the picked answer is the longer one. */
  longerPicked: number;
  /** Layers where one judge voted in both orders (`judgeOrders: 2`), and of those, where both put the same answer first. */
  orderPairs: number;
  orderAgree: number;
}

interface JudgedLayer {
  judge?: { ballots?: JudgeBallot[]; lengths?: Record<number, number> };
}

export function judgeBias(layers: Iterable<JudgedLayer>): JudgeBias | undefined {
  const bias: JudgeBias = { firstShownVotes: 0, firstShownTop: 0, firstShownChance: 0, pairs: 0, longerPicked: 0, orderPairs: 0, orderAgree: 0 };
  let votes = 0;
  for (const layer of layers) {
    const ballots = (layer.judge?.ballots ?? []).filter((b) => !b.skipped && b.picks.length > 0);
    const lengths = layer.judge?.lengths ?? {};
    for (const ballot of ballots) {
      const excluded = new Set(ballot.excluded ?? []);
      const pickable = ballot.order.filter((slot) => !excluded.has(slot));
      if (pickable.length < 2) continue;
      votes++;
      if (!excluded.has(ballot.order[0])) {
        bias.firstShownVotes++;
        bias.firstShownChance += 1 / pickable.length;
        if (ballot.picks[0] === ballot.order[0]) bias.firstShownTop++;
      }
      for (const picked of ballot.picks) {
        for (const other of pickable) {
          if (ballot.picks.includes(other)) continue;
          const a = lengths[picked];
          const b = lengths[other];
          if (a === undefined || b === undefined || a === b) continue;
          bias.pairs++;
          if (a > b) bias.longerPicked++;
        }
      }
    }
    const byJudge = new Map<string, JudgeBallot[]>();
    for (const ballot of ballots) byJudge.set(ballot.modelId, [...(byJudge.get(ballot.modelId) ?? []), ballot]);
    for (const pair of byJudge.values()) {
      const forward = pair.find((b) => !b.reversed);
      const reversed = pair.find((b) => b.reversed);
      if (!forward || !reversed) continue;
      bias.orderPairs++;
      if (forward.picks[0] === reversed.picks[0]) bias.orderAgree++;
    }
  }
  return votes > 0 ? bias : undefined;
}

/** Votes below this make the figures anecdotes; the text says so. */
export const FEW_VOTES = 10;

const pct = (n: number, of: number) => `${Math.round((100 * n) / of)}%`;

/** One plain sentence per figure, for the panel's run summary, `compare` and the CLI. */
export function describeJudgeBias(bias: JudgeBias): string[] {
  const lines: string[] = [];
  if (bias.firstShownVotes > 0) {
    const chance = bias.firstShownChance / bias.firstShownVotes;
    lines.push(
      `first-shown answer ranked first in ${bias.firstShownTop} of ${bias.firstShownVotes} votes ` +
        `(${pct(bias.firstShownTop, bias.firstShownVotes)}; ${pct(chance, 1)} by chance)`,
    );
  }
  if (bias.pairs > 0) {
    lines.push(
      `picked answer was the longer one in ${bias.longerPicked} of ${bias.pairs} picked/dropped pairs ` +
        `(${pct(bias.longerPicked, bias.pairs)}; 50% means no length preference)`,
    );
  }
  if (bias.orderPairs > 0) lines.push(`both orders put the same answer first in ${bias.orderAgree} of ${bias.orderPairs} votes`);
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
