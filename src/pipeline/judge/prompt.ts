import { z } from 'zod';
import type { ChatMessage } from '../client';
import { SCORE_MAX, SCORE_MIN, type JudgeNotes } from '../events';
import { describeJsonShape, extractJson, responseFormatFor } from '../json-reply';
import { clip, describeRequest, formatCandidates } from '../prompts';
import { seededRandom, shuffled } from '../random';

export type { JudgeNotes } from '../events';

/**
 * The judge keeps the best k answers of a layer; in the SMoA paper's code the same call also decides whether the
 * answers agree enough to stop (the moderator). It scores every answer it may vote on and the top k are derived from
 * the scores (a list of picks can repeat an item under any schema in OpenAI's strict subset; an object of required
 * scores cannot go wrong). Candidates are shown anonymized and in a seeded random order, and the scores are mapped
 * back to proposer slots. That alone does not remove position or self-preference bias: judge/step.ts can also ask in
 * both orders, ask a jury, and keep a judge from scoring its own model's answers.
 */

interface JudgeCandidate {
  slot: number;
  text: string;
}

/** How much the judge writes besides its scores (settings `judgeReasons`, `judgeNotes`). */
export type JudgeNotesLevel = 'full' | 'brief' | 'off';

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
  /** Proposer slots this judge sees but may not score (recusal from its own model's answers). */
  excluded?: readonly number[];
  /** Ask for one short reason (default true). */
  reasons?: boolean;
  /** Notes for the aggregator: full lists, one short point each (default), or none. */
  notes?: JudgeNotesLevel;
}

export interface JudgeRequest {
  messages: ChatMessage[];
  /** `order[i]` is the proposer slot shown as "Response i+1". */
  order: number[];
  /** Response numbers (1-based) the judge scores: every shown one except the recused. */
  allowed: number[];
  /** How many answers the layer keeps from this vote: min(k, allowed). */
  want: number;
  askStop: boolean;
  notes: JudgeNotesLevel;
  schema: z.ZodType;
}

const SCORE_VALUES = Array.from({ length: SCORE_MAX - SCORE_MIN + 1 }, (_, i) => SCORE_MIN + i) as [number, ...number[]];

/** One score: written once in the schema's `$defs` and referenced by every response's property. */
const SCORE = z.literal(SCORE_VALUES).meta({ id: 'score' });

/** Per level: how many points each notes list may hold, and how long a point may be (characters, enforced on reading). */
export const JUDGE_NOTE_LIMITS: Record<Exclude<JudgeNotesLevel, 'off'>, { counts: Record<keyof JudgeNotes, number>; chars: number; words: number }> = {
  full: { counts: { agreements: 3, contradictions: 3, droppedInsights: 2 }, chars: 300, words: 30 },
  brief: { counts: { agreements: 1, contradictions: 1, droppedInsights: 1 }, chars: 140, words: 12 },
};

function notesSchema(level: JudgeNotesLevel) {
  if (level === 'off') return {};
  const list = (key: keyof JudgeNotes) => z.array(z.string()).max(JUDGE_NOTE_LIMITS[level].counts[key]);
  return { agreements: list('agreements'), contradictions: list('contradictions'), droppedInsights: list('droppedInsights') };
}

/**
 * The reply's schema for one request: `scores` has one required property per response the judge may score, each an
 * integer enum of the score range. Whatever a schema-following server (constrained decoding) writes is then a usable
 * vote: there is no list to repeat an item in, no count to miss. Keywords stay inside OpenAI's strict subset; the
 * parser still validates for servers that ignore schemas. No descriptions: what each field means is said in the system
 * message, which every model reads (a server that decodes by a grammar never shows the schema to its model, and one
 * that bills the schema as prompt would charge for the same words twice).
 */
function judgeSchema(allowed: number[], askStop: boolean, reasons: boolean, notes: JudgeNotesLevel) {
  return z.strictObject({
    ...(reasons ? { reason: z.string() } : {}),
    scores: z.strictObject(Object.fromEntries(allowed.map((n) => [String(n), SCORE]))),
    ...notesSchema(notes),
    ...(askStop ? { stop: z.boolean(), stopReason: z.string() } : {}),
  });
}

export const moderatorSchema = z.strictObject({ stop: z.boolean(), reason: z.string() });

const STOP_QUESTION =
  'Also decide whether the responses agree in substance (same conclusions, no important contradictions), so that ' +
  'another round of revision would not improve the final answer. Set "stop" to true only in that case.';

function notesInstruction(level: JudgeNotesLevel): string {
  if (level === 'off') return '';
  const { counts, words } = JUDGE_NOTE_LIMITS[level];
  const lists = level === 'brief' ? `one point of at most ${words} words each` : `up to ${counts.agreements}, ${counts.contradictions} and ${counts.droppedInsights} points of ${words} words`;
  return `Notes for the writer, who sees only the kept responses (${lists}): agreements, contradictions, droppedInsights (correct points only lower-scored responses make).`;
}

/** How long the judge's `reason` may be: it is shown on the judge card, and paid for on every judged layer. */
export const JUDGE_REASON_WORDS = 10;

/** Stands for a score in the example shape. */
const SCORE_PLACEHOLDER = 'n';

/**
 * The prompt is kept short on purpose: the judge reads every answer of the layer, so its own instructions and its
 * reply are the part of SMoA's overhead the project controls (see `npm run bench`).
 */
export function buildJudgeRequest(task: JudgeTask): JudgeRequest {
  const reasons = task.reasons ?? true;
  const notes = task.notes ?? 'brief';
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
  const schema = judgeSchema(allowed, task.askStop, reasons, notes);
  // For endpoints that cannot enforce the schema: the shape with a placeholder, so no example score anchors a value.
  const example = {
    ...(reasons ? { reason: '...' } : {}),
    scores: Object.fromEntries(allowed.map((n) => [String(n), SCORE_PLACEHOLDER])),
    ...(notes === 'off' ? {} : { agreements: [], contradictions: [], droppedInsights: [] }),
    ...(task.askStop ? { stop: false, stopReason: '...' } : {}),
  };
  const system = [
    `Score each response ${SCORE_MIN}-${SCORE_MAX} (${SCORE_MIN}: wrong, ${SCORE_MAX}: correct, complete, clear); the ${want} best are kept. ` +
      'Length, confidence and position are not merit.',
    barred.length ? `Do not score ${barred.length === 1 ? 'response' : 'responses'} ${listNumbers(barred)}: excluded from your vote (you may learn from ${barred.length === 1 ? 'it' : 'them'}).` : '',
    reasons ? `"reason": at most ${JUDGE_REASON_WORDS} words on what sets the best apart.` : '',
    notesInstruction(notes),
    task.askStop ? `${STOP_QUESTION} "stopReason": a few words.` : '',
    describeJsonShape(example).replaceAll(`"${SCORE_PLACEHOLDER}"`, SCORE_PLACEHOLDER),
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
    notes,
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
    `${STOP_QUESTION} "reason": one sentence on the agreement or disagreement.`,
    describeJsonShape({ stop: false, reason: '...' }),
  ].join('\n');
  const shown = texts.map((text) => ({ text: clip(text, 12_000) }));
  return [
    { role: 'system', content: system },
    { role: 'user', content: `Request:\n${describeRequest(prompt, history)}\n\n${formatCandidates(shown, 'Response')}` },
  ];
}

export interface JudgeVerdict {
  /** The score of each answer the judge scored usably, by proposer slot. */
  scores: Record<number, number>;
  /** The scored slots, best first: by score, ties by the order shown. */
  ranking: number[];
  reason: string;
  /** What in the reply could not be used (the rest still counts), e.g. "no score for response 4". */
  problems?: string;
  /** Set when nothing in the reply could be used: no vote to count. */
  unusable?: string;
  stop?: { stop: boolean; reason: string } | { missing: string };
  notes?: JudgeNotes;
}

export const FALLBACK_RULE = 'keep the surviving answers in proposer order';

/**
 * Validates the judge's reply: reads a score per allowed response from `scores` (an object keyed by response number,
 * or, from servers that ignore schemas, keys like "Response 3" or a list in shown order). Scores must be numbers in the
 * range; anything else, recused and unknown responses are set aside and named in `problems`, and the rest counts.
 */
export function parseJudgeReply(raw: string, request: JudgeRequest): JudgeVerdict {
  const json = extractJson(raw);
  const obj = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  const problems: string[] = [];
  const byLabel = obj ? readScores(obj.scores ?? obj.score ?? obj.ratings, problems) : new Map<number, unknown>();
  const scores: Record<number, number> = {};
  const missing: number[] = [];
  for (const n of request.allowed) {
    const value = byLabel.get(n);
    const score = readScore(value);
    if (score !== undefined) scores[request.order[n - 1]] = score;
    else if (value === undefined) missing.push(n);
    else problems.push(`response ${n}: ${JSON.stringify(value)} is not a score from ${SCORE_MIN} to ${SCORE_MAX}`);
  }
  for (const n of byLabel.keys()) {
    if (request.allowed.includes(n)) continue;
    problems.push(n >= 1 && n <= request.order.length ? `response ${n} is excluded from this judge's vote` : `there is no response ${n}`);
  }
  if (missing.length) problems.push(`no score for ${missing.length === 1 ? 'response' : 'responses'} ${listNumbers(missing)}`);
  const ranking = rankScores(scores, request.order);
  const reason = typeof obj?.reason === 'string' ? relabelReason(obj.reason, request.order) : '';
  const verdict: JudgeVerdict = { scores, ranking, reason };
  const notes = obj && request.notes !== 'off' ? readNotes(obj, request.order, request.notes) : undefined;
  if (notes) verdict.notes = notes;
  if (!obj) verdict.unusable = 'the reply is not JSON';
  else if (ranking.length === 0) verdict.unusable = problems.length ? problems.join('; ') : 'no "scores"';
  else if (problems.length) verdict.problems = problems.join('; ');
  if (request.askStop) {
    const stop = obj?.stop ?? obj?.end;
    verdict.stop =
      typeof stop === 'boolean'
        ? { stop, reason: typeof obj?.stopReason === 'string' ? relabelReason(obj.stopReason, request.order) : reason }
        : { missing: 'the judge gave no stop decision' };
  }
  return verdict;
}

/** Response number -> raw value, from `{"1": 7}`, `{"Response 1": 7}` or a list in shown order. */
function readScores(value: unknown, problems: string[]): Map<number, unknown> {
  const out = new Map<number, unknown>();
  if (Array.isArray(value)) value.forEach((v, i) => out.set(i + 1, v));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const match = /(\d+)\s*$/.exec(key);
      if (match) out.set(Number(match[1]), v);
      else problems.push(`"${key}" is not a response number`);
    }
  } else problems.push('no "scores"');
  return out;
}

/** A score: a number in range, or a numeric string ("7", "7/10"); a placeholder like "<1-10>" is not one. */
function readScore(value: unknown): number | undefined {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*10)?\s*$/.exec(value);
    n = match ? Number(match[1]) : undefined;
  }
  return n !== undefined && Number.isFinite(n) && n >= SCORE_MIN && n <= SCORE_MAX ? n : undefined;
}

/** Scored slots best first; equal scores keep the order shown (a seeded shuffle, recorded in the ballot). */
function rankScores(scores: Record<number, number>, order: readonly number[]): number[] {
  return order.filter((slot) => scores[slot] !== undefined).sort((a, b) => scores[b] - scores[a] || order.indexOf(a) - order.indexOf(b));
}

function readNotes(obj: Record<string, unknown>, order: readonly number[], level: Exclude<JudgeNotesLevel, 'off'>): JudgeNotes | undefined {
  const { counts, chars } = JUDGE_NOTE_LIMITS[level];
  const notes: JudgeNotes = { agreements: [], contradictions: [], droppedInsights: [] };
  let any = false;
  for (const key of Object.keys(counts) as (keyof JudgeNotes)[]) {
    const value = obj[key];
    const items = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
    for (const item of items) {
      const text = typeof item === 'string' ? item.replace(/\s+/g, ' ').trim() : '';
      if (!text || notes[key].length >= counts[key]) continue;
      notes[key].push(clip(relabelReason(text, order), chars, { ellipsis: true }));
      any = true;
    }
  }
  return any ? notes : undefined;
}

/** Several judges' (or orders') notes as one set: distinct points, in ballot order, within the full limits. */
export function mergeNotes(all: readonly (JudgeNotes | undefined)[]): JudgeNotes | undefined {
  const limits = JUDGE_NOTE_LIMITS.full.counts;
  const merged: JudgeNotes = { agreements: [], contradictions: [], droppedInsights: [] };
  let any = false;
  for (const notes of all) {
    if (!notes) continue;
    for (const key of Object.keys(limits) as (keyof JudgeNotes)[]) {
      for (const text of notes[key]) {
        if (merged[key].length >= limits[key] || merged[key].some((t) => t.toLowerCase() === text.toLowerCase())) continue;
        merged[key].push(text);
        any = true;
      }
    }
  }
  return any ? merged : undefined;
}

export const COMBINE_RULE =
  'Borda count over the scores: in each counted vote an answer earns a point for every answer it outscored and half a point for every tie; ' +
  'the highest mean over the votes that scored it is kept first, then the higher mean score, then the seeded order';

export interface CombinedScores {
  /** Every scored slot, best first (see COMBINE_RULE; one vote: by score, ties by the seeded order). */
  ranking: number[];
  /** Mean score of each scored slot over the votes that scored it, rounded to one decimal. */
  scores: Record<number, number>;
  /** Set when slots around the cut or within the kept ones tied on points and score, and the seeded order decided. */
  tieBreak?: string;
}

/**
 * Combines the scores of several votes (both orders of one judge, a jury, or one vote alone). A judge that recused
 * itself from an answer does not lower it: each answer's points are averaged over the votes that scored it.
 * `seededOrder` (the first vote's shown order) breaks what points and scores leave tied.
 */
export function combineScores(votes: readonly Record<number, number>[], seededOrder: readonly number[], want: number): CombinedScores {
  const points = new Map<number, number[]>();
  const raw = new Map<number, number[]>();
  for (const scores of votes) {
    const slots = Object.keys(scores).map(Number);
    for (const slot of slots) {
      let p = 0;
      for (const other of slots) if (other !== slot) p += scores[slot] > scores[other] ? 1 : scores[slot] === scores[other] ? 0.5 : 0;
      points.set(slot, [...(points.get(slot) ?? []), p]);
      raw.set(slot, [...(raw.get(slot) ?? []), scores[slot]]);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const seat = (slot: number) => {
    const i = seededOrder.indexOf(slot);
    return i < 0 ? seededOrder.length + slot : i;
  };
  const key = (slot: number) => [mean(points.get(slot)!), mean(raw.get(slot)!)];
  const ranking = [...points.keys()].sort((a, b) => key(b)[0] - key(a)[0] || key(b)[1] - key(a)[1] || seat(a) - seat(b));
  const scores = Object.fromEntries(ranking.map((slot) => [slot, Math.round(mean(raw.get(slot)!) * 10) / 10]));
  const tied: number[][] = [];
  for (let i = 1; i < Math.min(ranking.length, want + 1); i++) {
    const [a, b] = [key(ranking[i - 1]), key(ranking[i])];
    if (a[0] !== b[0] || a[1] !== b[1]) continue;
    const group = tied.at(-1);
    if (group && group.at(-1) === ranking[i - 1]) group.push(ranking[i]);
    else tied.push([ranking[i - 1], ranking[i]]);
  }
  const tieBreak = tied.length
    ? `${tied.map((g) => `proposals ${listNumbers(g.map((s) => s + 1))}`).join('; ')} tied: the seeded order (shown first) decided`
    : undefined;
  return { ranking, scores, ...(tieBreak ? { tieBreak } : {}) };
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
