import { z } from 'zod';
import type { ChatMessage } from './client';
import type { JudgeNotes } from './events';
import { describeJsonShape, extractJson, responseFormatFor } from './json-reply';
import { clip, describeRequest, formatCandidates } from './prompts';
import { seededRandom, shuffled } from './random';

export type { JudgeNotes } from './events';

/**
 * The judge keeps the best k answers of a layer; in the SMoA paper's code the same call also decides whether the
 * answers agree enough to stop (the moderator). Candidates are shown anonymized and in a seeded random order, and the
 * picks are mapped back to proposer slots. That alone does not remove position or self-preference bias: judge-step.ts
 * can also ask in both orders, ask a jury, and keep a judge from picking its own model's answers.
 */

export interface JudgeCandidate {
  slot: number;
  text: string;
}

export interface JudgeTask {
  prompt: string;
  history?: readonly ChatMessage[];
  candidates: readonly JudgeCandidate[];
  k: number;
  /** Also ask for the stop decision (combined judge + moderator). */
  askStop: boolean;
  seed: number;
  /** Show the candidates in the reverse of the seeded order (the second of `judgeOrders: 2`). */
  reversed?: boolean;
  /** Proposer slots this judge sees but may not pick (recusal from its own model's answers). */
  excluded?: readonly number[];
}

export interface JudgeRequest {
  messages: ChatMessage[];
  /** `order[i]` is the proposer slot shown as "Response i+1". */
  order: number[];
  /** Response numbers (1-based) the judge may pick. */
  allowed: number[];
  /** How many picks the reply must hold: min(k, allowed). */
  want: number;
  askStop: boolean;
  schema: z.ZodType;
}

const REASON = 'one or two sentences on why these responses are best';
const STOP = 'true when the responses agree in substance and another round would not improve them';
const NOTES = {
  agreements: z.array(z.string()).max(3).describe('points the picked responses agree on, one short sentence each'),
  contradictions: z.array(z.string()).max(3).describe('where the picked responses contradict each other, one short sentence each'),
  droppedInsights: z
    .array(z.string())
    .max(2)
    .describe('anything correct and valuable that only a response you did not pick contains, stated on its own'),
};

/**
 * The reply's schema for one request: `picks` may hold only the numbers the judge may pick, exactly `want` of them, so
 * a server that follows the schema (constrained decoding) cannot produce an unusable verdict. Keywords stay inside
 * OpenAI's strict subset; the parser still validates for servers that ignore schemas.
 */
function judgeSchema(allowed: number[], want: number, askStop: boolean) {
  const base = z.strictObject({
    reason: z.string().describe(REASON),
    picks: z
      .array(z.literal(allowed as [number, ...number[]]))
      .min(want)
      .max(want)
      .describe(`exactly ${want} different response numbers, best first`),
    ...NOTES,
  });
  return askStop ? base.extend({ stop: z.boolean().describe(STOP), stopReason: z.string().describe('one sentence on the agreement or disagreement') }) : base;
}

export const moderatorSchema = z.strictObject({
  stop: z.boolean().describe(STOP),
  reason: z.string().describe('one sentence on the agreement or disagreement'),
});

const STOP_QUESTION =
  'Also decide whether the responses agree in substance (same conclusions, no important contradictions), so that ' +
  'another round of revision would not improve the final answer. Set "stop" to true only in that case.';

const NOTES_INSTRUCTION =
  'Then write brief notes for the writer of the final answer, who will see only the responses you pick: ' +
  '"agreements" (points the picked responses agree on), "contradictions" (where they contradict each other) and ' +
  '"droppedInsights" (anything correct and valuable that only a response you did not pick contains). State each point ' +
  'itself in one short sentence, not which response said it; leave a list empty when there is nothing to say.';

export function buildJudgeRequest(task: JudgeTask): JudgeRequest {
  const seeded = shuffled(
    task.candidates.map((c) => c.slot),
    seededRandom(task.seed),
  );
  const order = task.reversed ? [...seeded].reverse() : seeded;
  const bySlot = new Map(task.candidates.map((c) => [c.slot, c]));
  const shown = order.map((slot) => ({ text: clip(bySlot.get(slot)!.text, 12_000) }));
  const excluded = new Set(task.excluded ?? []);
  const allowed = order.map((slot, i) => (excluded.has(slot) ? 0 : i + 1)).filter((n) => n > 0);
  const barred = order.map((slot, i) => (excluded.has(slot) ? i + 1 : 0)).filter((n) => n > 0);
  const want = Math.min(task.k, allowed.length);
  const schema = judgeSchema(allowed.length ? allowed : [1], want, task.askStop);
  // The example's picks are drawn from the allowed numbers by the seed, so no fixed example anchors one position.
  const examplePicks = shuffled(allowed, seededRandom(task.seed + 1)).slice(0, want);
  const example = {
    reason: '...',
    picks: examplePicks,
    agreements: ['...'],
    contradictions: [],
    droppedInsights: [],
    ...(task.askStop ? { stop: false, stopReason: '...' } : {}),
  };
  const system = [
    `You judge answers written by a panel of AI models. Choose the ${want} best of the ${shown.length} responses to the request, best first.`,
    'Judge correctness first, then completeness, clarity and usefulness; length, confidence and position are not merit.',
    barred.length
      ? `You may not pick ${barred.length === 1 ? 'response' : 'responses'} ${listNumbers(barred)}: ${barred.length === 1 ? 'it is' : 'they are'} excluded from your vote, but you may learn from ${barred.length === 1 ? 'it' : 'them'}.`
      : '',
    `"picks" lists exactly ${want} different response numbers from ${listNumbers(allowed)}. Keep the reasons short.`,
    NOTES_INSTRUCTION,
    task.askStop ? STOP_QUESTION : '',
    describeJsonShape(example),
  ]
    .filter(Boolean)
    .join('\n');
  const user = `Request:\n${describeRequest(task.prompt, task.history)}\n\n${formatCandidates(shown, 'Response')}`;
  return {
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: user },
    ],
    order,
    allowed,
    want,
    askStop: task.askStop,
    schema,
  };
}

function listNumbers(numbers: readonly number[]): string {
  if (numbers.length <= 1) return String(numbers[0] ?? '');
  return `${numbers.slice(0, -1).join(', ')} and ${numbers.at(-1)}`;
}

export function judgeResponseFormat(request: JudgeRequest) {
  return responseFormatFor(request.askStop ? 'judge_with_stop' : 'judge', request.schema);
}

export function buildModeratorRequest(prompt: string, history: readonly ChatMessage[] | undefined, texts: string[]): ChatMessage[] {
  const system = [
    'You moderate a panel of AI models that answer the same request in rounds.',
    STOP_QUESTION,
    describeJsonShape({ stop: false, reason: '...' }),
  ].join('\n');
  const shown = texts.map((text) => ({ text: clip(text, 12_000) }));
  return [
    { role: 'system', content: system },
    { role: 'user', content: `Request:\n${describeRequest(prompt, history)}\n\n${formatCandidates(shown, 'Response')}` },
  ];
}

export interface JudgeVerdict {
  /** Proposer slots, best first, exactly `want` of them. */
  picks: number[];
  /** How many of `picks` the judge chose itself (the rest the fallback rule filled). */
  chosen: number;
  reason: string;
  /** Set when the reply was unusable or incomplete and the fallback rule chose some or all picks. */
  fallback?: { problem: string; rule: string };
  stop?: { stop: boolean; reason: string } | { missing: string };
  notes?: JudgeNotes;
}

export const FALLBACK_RULE = 'keep the surviving answers in proposer order';

/** Each note at most this long, so the notes stay a few hundred tokens in the aggregator's prompt. */
const NOTE_MAX = 300;
const NOTE_LIMITS: Record<keyof JudgeNotes, number> = { agreements: 3, contradictions: 3, droppedInsights: 2 };

/**
 * Validates the judge's reply: reads picks given as numbers, numeric strings or "Response 3"; drops out-of-range,
 * excluded and repeated numbers; keeps at most `want`. When fewer remain, the stated fallback rule fills the rest
 * (never with an excluded answer unless nothing else is left), and the verdict says so.
 */
export function parseJudgeReply(raw: string, request: JudgeRequest): JudgeVerdict {
  const { want, askStop } = request;
  const json = extractJson(raw);
  const obj = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  const problems: string[] = [];
  if (!obj) problems.push('the reply is not JSON');
  const rawPicks = obj ? (obj.picks ?? obj.ranking ?? obj.indexes ?? obj.best) : undefined;
  const picks: number[] = [];
  if (obj && !Array.isArray(rawPicks)) problems.push('no "picks" list');
  if (Array.isArray(rawPicks)) {
    const dropped: string[] = [];
    for (const value of rawPicks) {
      const n = readNumber(value);
      const shown = n !== undefined && Number.isInteger(n) && n >= 1 && n <= request.order.length;
      const slot = shown ? request.order[n - 1] : undefined;
      if (slot === undefined) dropped.push(`${JSON.stringify(value)} is not a response number`);
      else if (!request.allowed.includes(n!)) dropped.push(`${n} is excluded from this judge's vote`);
      else if (picks.includes(slot)) dropped.push(`${n} repeated`);
      else if (picks.length < want) picks.push(slot);
    }
    if (dropped.length) problems.push(`ignored picks: ${dropped.join(', ')}`);
  }
  const reason = typeof obj?.reason === 'string' ? relabelReason(obj.reason, request.order) : '';
  const verdict: JudgeVerdict = { picks, chosen: picks.length, reason };
  const notes = obj ? readNotes(obj, request.order) : undefined;
  if (notes) verdict.notes = notes;
  if (picks.length < want) {
    verdict.picks = [...picks, ...fallbackFill(request, picks, want - picks.length)];
    verdict.fallback = {
      problem: [...problems, `${picks.length} usable of ${want} wanted`].join('; '),
      rule: picks.length ? `${FALLBACK_RULE} to fill the remaining places` : FALLBACK_RULE,
    };
  }
  if (askStop) {
    const stop = obj?.stop ?? obj?.end;
    verdict.stop =
      typeof stop === 'boolean'
        ? { stop, reason: typeof obj?.stopReason === 'string' ? obj.stopReason : reason }
        : { missing: 'the judge gave no stop decision' };
  }
  return verdict;
}

function fallbackFill(request: JudgeRequest, taken: readonly number[], count: number): number[] {
  const allowedSlots = new Set(request.allowed.map((n) => request.order[n - 1]));
  return [...request.order]
    .sort((a, b) => a - b)
    .filter((slot) => allowedSlots.has(slot) && !taken.includes(slot))
    .slice(0, count);
}

function readNotes(obj: Record<string, unknown>, order: readonly number[]): JudgeNotes | undefined {
  const notes: JudgeNotes = { agreements: [], contradictions: [], droppedInsights: [] };
  let any = false;
  for (const key of Object.keys(NOTE_LIMITS) as (keyof JudgeNotes)[]) {
    const value = obj[key];
    const items = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
    for (const item of items) {
      const text = typeof item === 'string' ? item.replace(/\s+/g, ' ').trim() : '';
      if (!text || notes[key].length >= NOTE_LIMITS[key]) continue;
      notes[key].push(clip(relabelReason(text, order), NOTE_MAX));
      any = true;
    }
  }
  return any ? notes : undefined;
}

/** Several judges' (or orders') notes as one set: distinct points, in ballot order, within the same limits. */
export function mergeNotes(all: readonly (JudgeNotes | undefined)[]): JudgeNotes | undefined {
  const merged: JudgeNotes = { agreements: [], contradictions: [], droppedInsights: [] };
  let any = false;
  for (const notes of all) {
    if (!notes) continue;
    for (const key of Object.keys(NOTE_LIMITS) as (keyof JudgeNotes)[]) {
      for (const text of notes[key]) {
        if (merged[key].length >= NOTE_LIMITS[key] || merged[key].some((t) => t.toLowerCase() === text.toLowerCase())) continue;
        merged[key].push(text);
        any = true;
      }
    }
  }
  return any ? merged : undefined;
}

export const COMBINE_RULE =
  "Borda count: in each counted vote the first pick scores k points, the second k-1, and so on; the highest totals are kept, ties go to the earlier proposer slot";

/**
 * Combines rankings (proposer slots, best first) from several votes: both orders of one judge, or a jury. See
 * COMBINE_RULE. Returns every slot that scored, best first.
 */
export function combineBallots(rankings: readonly (readonly number[])[], k: number): number[] {
  const points = new Map<number, number>();
  for (const ranking of rankings) ranking.forEach((slot, i) => points.set(slot, (points.get(slot) ?? 0) + Math.max(1, k - i)));
  return [...points.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([slot]) => slot);
}

export function parseModeratorReply(raw: string): { stop: boolean; reason: string } | { missing: string } {
  const json = extractJson(raw) as Record<string, unknown> | undefined;
  const stop = json && typeof json === 'object' ? (json.stop ?? json.end) : undefined;
  if (typeof stop !== 'boolean') return { missing: 'the moderator reply had no stop decision' };
  return { stop, reason: typeof json?.reason === 'string' ? json.reason : '' };
}

/**
 * The judge saw shuffled "Response N" labels; users see proposer slots. Rewrite "Response 3" / "Responses 1 and 3"
 * in the reason to "proposal 2" / "proposals 4 and 2" (1-based slots), so the reason matches the cards.
 */
export function relabelReason(reason: string, order: readonly number[]): string {
  return reason.replace(/\b[Rr]esponse(s?)\s+#?(\d+(?:\s*(?:,|and|&|or)\s*#?\d+)*)/g, (match, plural: string, list: string) =>
    `proposal${plural} ${list.replace(/#?(\d+)/g, (m: string, n: string) => {
      const slot = order[Number(n) - 1];
      return slot === undefined ? m : String(slot + 1);
    })}`,
  );
}

function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const match = /-?\d+/.exec(value);
    return match ? Number(match[0]) : undefined;
  }
  return undefined;
}
