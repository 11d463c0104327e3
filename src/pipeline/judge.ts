import { z } from 'zod';
import type { ChatMessage } from './client';
import { describeJsonShape, extractJson, responseFormatFor } from './json-reply';
import { clip, describeRequest, formatCandidates } from './prompts';
import { seededRandom, shuffled } from './random';

/**
 * The judge keeps the best k answers of a layer; in the SMoA paper's code the same call also decides whether the
 * answers agree enough to stop (the moderator). Candidates are shown anonymized and in a seeded random order, so a
 * judge cannot favour its own model or the first slot, and the picks are mapped back to proposer slots.
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
}

export interface JudgeRequest {
  messages: ChatMessage[];
  /** `order[i]` is the proposer slot shown as "Response i+1". */
  order: number[];
  schema: z.ZodType;
}

const pickSchema = z.strictObject({
  reason: z.string().describe('one or two sentences on why these responses are best'),
  picks: z.array(z.number()).describe('numbers of the best responses, best first'),
});
const pickAndStopSchema = pickSchema.extend({
  stop: z.boolean().describe('true when the responses agree in substance and another round would not improve them'),
  stopReason: z.string().describe('one sentence on the agreement or disagreement'),
});
export const moderatorSchema = z.strictObject({
  stop: z.boolean().describe('true when the responses agree in substance and another round would not improve them'),
  reason: z.string().describe('one sentence on the agreement or disagreement'),
});

const STOP_QUESTION =
  'Also decide whether the responses agree in substance (same conclusions, no important contradictions), so that ' +
  'another round of revision would not improve the final answer. Set "stop" to true only in that case.';

export function buildJudgeRequest(task: JudgeTask): JudgeRequest {
  const order = shuffled(
    task.candidates.map((c) => c.slot),
    seededRandom(task.seed),
  );
  const bySlot = new Map(task.candidates.map((c) => [c.slot, c]));
  const shown = order.map((slot) => ({ text: clip(bySlot.get(slot)!.text, 12_000) }));
  const schema = task.askStop ? pickAndStopSchema : pickSchema;
  const example = task.askStop
    ? { reason: '...', picks: [2, 1].slice(0, task.k), stop: false, stopReason: '...' }
    : { reason: '...', picks: [2, 1].slice(0, task.k) };
  const system = [
    `You judge answers written by a panel of AI models. Choose the ${task.k} best of the ${shown.length} responses to the request, best first.`,
    'Judge correctness first, then completeness, clarity and usefulness; length and confidence are not merit.',
    task.askStop ? STOP_QUESTION : '',
    `Refer to responses by their number (1 to ${shown.length}). Keep the reasons short.`,
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
    schema,
  };
}

export function judgeResponseFormat(askStop: boolean) {
  return responseFormatFor(askStop ? 'judge_with_stop' : 'judge', askStop ? pickAndStopSchema : pickSchema);
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
  /** Proposer slots, best first, exactly min(k, candidates) of them. */
  picks: number[];
  reason: string;
  /** Set when the reply was unusable or incomplete and the fallback rule chose some or all picks. */
  fallback?: { problem: string; rule: string };
  stop?: { stop: boolean; reason: string } | { missing: string };
}

export const FALLBACK_RULE = 'keep the surviving answers in proposer order';

/**
 * Validates the judge's reply: reads picks given as numbers, numeric strings or "Response 3"; drops out-of-range
 * and repeated numbers; keeps at most k. When fewer than k usable picks remain, the stated fallback rule fills the
 * rest, and the verdict says so.
 */
export function parseJudgeReply(raw: string, request: JudgeRequest, k: number, askStop: boolean): JudgeVerdict {
  const want = Math.min(k, request.order.length);
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
      const slot = n !== undefined && Number.isInteger(n) && n >= 1 && n <= request.order.length ? request.order[n - 1] : undefined;
      if (slot === undefined) dropped.push(`${JSON.stringify(value)} is not a response number`);
      else if (picks.includes(slot)) dropped.push(`${n} repeated`);
      else if (picks.length < want) picks.push(slot);
    }
    if (dropped.length) problems.push(`ignored picks: ${dropped.join(', ')}`);
  }
  const reason = typeof obj?.reason === 'string' ? relabelReason(obj.reason, request.order) : '';
  const verdict: JudgeVerdict = { picks, reason };
  if (picks.length < want) {
    const fill = [...request.order].sort((a, b) => a - b).filter((slot) => !picks.includes(slot));
    verdict.picks = [...picks, ...fill.slice(0, want - picks.length)];
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
