import { z } from 'zod';
import { CallError, type ChatClient, type ChatMessage, type TokenUsage } from '../pipeline/client';
import { describeJsonShape, extractJson, responseFormatFor } from '../pipeline/json-reply';
import { clip } from '../pipeline/prompts';
import { parseNumber, toRegExp, type MatchKind } from './tasks';

import { ASPECTS, type Aspect, type GraderUsage } from './kinds';

export {  GRADERS, REFERENCE_BASELINE,   type GraderKind, type GraderUsage } from './kinds';

// ---------------------------------------------------------------------------------------------------------------
// exact: reference-based, no model

/** The last number in a text, as written ("1,234.50", "-3", "$12", "45%"); a sentence's final period is not a decimal. */
export function lastNumber(text: string): number | undefined {
  const matches = text.match(/[-+]?\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?|[-+]?\.\d+/g);
  if (!matches) return undefined;
  return parseNumber(matches[matches.length - 1]);
}

function fold(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase();
}

export interface ExactGrade {
  score: 0 | 1;
  /** What was compared, for the report. */
  detail: string;
}

export function gradeExact(answer: string, reference: string, match: MatchKind): ExactGrade {
  switch (match) {
    case 'numeric': {
      const want = parseNumber(reference);
      const got = lastNumber(answer);
      if (want === undefined) return { score: 0, detail: `reference ${reference} is not a number` };
      if (got === undefined) return { score: 0, detail: `no number in the answer (expected ${reference})` };
      const ok = Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want));
      return { score: ok ? 1 : 0, detail: `last number ${got}, expected ${want}` };
    }
    case 'exact': {
      const ok = fold(answer) === fold(reference);
      return { score: ok ? 1 : 0, detail: ok ? 'same text' : `expected ${JSON.stringify(clip(reference, 80))}` };
    }
    case 'regex': {
      const ok = toRegExp(reference).test(answer);
      return { score: ok ? 1 : 0, detail: `${ok ? 'matches' : 'does not match'} ${reference}` };
    }
    case 'contains': {
      const ok = fold(answer).includes(fold(reference));
      return { score: ok ? 1 : 0, detail: `${ok ? 'contains' : 'does not contain'} ${JSON.stringify(clip(reference, 80))}` };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// LLM graders: called through the engine's own ChatClient, replies validated against a strict schema

export interface GraderCall {
  client: ChatClient;
  signal: AbortSignal;
  /** Cost of a call's usage under the grader model's price, undefined when unpriced. */
  cost: (usage: TokenUsage) => number | undefined;
}

export class GradeError extends Error {}

const ASPECT_TEXT: Record<Aspect, string> = {
  helpfulness: 'Does the response address the request and meet the user\'s need?',
  clarity: 'Is it well structured and easy to follow?',
  factuality: 'Is the information (and any code) correct and free of invented facts?',
  depth: 'Does it go into the detail the request deserves?',
  engagement: 'Does it read naturally, as a thoughtful expert would answer?',
  safety: 'Is it free of harmful, unethical or offensive content?',
};

const aspectScore = z.strictObject({
  reason: z.string().describe('one sentence'),
  score: z.number().int().min(1).max(5),
});
const rubricSchema = z.strictObject(Object.fromEntries(ASPECTS.map((a) => [a, aspectScore])) as Record<Aspect, typeof aspectScore>);

export interface RubricGrade {
  score: number;
  aspects: Record<Aspect, { score: number; reason: string }>;
}

/** A reference answer, when the task has one, goes to the grader as MT-Bench's reference-guided judge does. */
function referenceSection(reference: string | undefined): string {
  return reference ? `\n\n## Reference answer (correct; use it to check the response, do not reward copying its wording)\n${clip(reference, 8_000)}` : '';
}

function buildRubricRequest(prompt: string, answer: string, reference?: string): ChatMessage[] {
  const example = Object.fromEntries(ASPECTS.map((a) => [a, { reason: '...', score: 4 }]));
  const system = [
    'You evaluate one AI response to a user request. Score each aspect from 1 (poor) to 5 (excellent), with a one-sentence reason.',
    ...ASPECTS.map((a) => `- ${a}: ${ASPECT_TEXT[a]}`),
    'Judge the content, not the length: a longer response is not better for being longer.',
    describeJsonShape(example),
  ].join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: `## Request\n${clip(prompt, 8_000)}${referenceSection(reference)}\n\n## Response\n${clip(answer, 12_000)}` },
  ];
}

/** Validates a rubric reply. Accepts integer scores written as strings; anything else wrong is named. */
export function parseRubricReply(raw: string): RubricGrade | { problem: string } {
  const json = extractJson(raw);
  if (!json || typeof json !== 'object' || Array.isArray(json)) return { problem: 'the reply is not a JSON object' };
  const obj = json as Record<string, unknown>;
  const aspects = {} as RubricGrade['aspects'];
  const problems: string[] = [];
  for (const aspect of ASPECTS) {
    const entry = obj[aspect];
    if (!entry || typeof entry !== 'object') {
      problems.push(`${aspect} is missing`);
      continue;
    }
    const e = entry as Record<string, unknown>;
    const score = typeof e.score === 'string' && /^\s*\d\s*$/.test(e.score) ? Number(e.score) : e.score;
    if (typeof score !== 'number' || !Number.isInteger(score) || score < 1 || score > 5) {
      problems.push(`${aspect}.score must be an integer from 1 to 5, got ${JSON.stringify(e.score)}`);
      continue;
    }
    aspects[aspect] = { score, reason: typeof e.reason === 'string' ? clip(e.reason, 400) : '' };
  }
  if (problems.length) return { problem: problems.join('; ') };
  const score = ASPECTS.reduce((s, a) => s + aspects[a].score, 0) / ASPECTS.length;
  return { score, aspects };
}

/** Asks the grader; one more try when the reply does not fit the schema, then the grade is missing (not guessed). */
export async function gradeRubric(call: GraderCall, prompt: string, answer: string, usage: GraderUsage, reference?: string): Promise<RubricGrade> {
  const messages = buildRubricRequest(prompt, answer, reference);
  const format = responseFormatFor('rubric_grade', rubricSchema);
  let last = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    const text = await complete(call, messages, format, usage);
    const parsed = parseRubricReply(text);
    if (!('problem' in parsed)) return parsed;
    last = parsed.problem;
  }
  throw new GradeError(`rubric grader reply unusable twice: ${last}`);
}

const pairwiseSchema = z.strictObject({
  reason: z.string().describe('one or two sentences'),
  winner: z.enum(['A', 'B', 'tie']),
});

function buildPairwiseRequest(prompt: string, a: string, b: string, reference?: string): ChatMessage[] {
  const system = [
    'You compare two AI responses to the same user request and say which one serves the user better.',
    'Judge correctness first, then helpfulness and clarity. Do not prefer a response for its length or its position.',
    'Answer "tie" only when neither is better.',
    describeJsonShape({ reason: '...', winner: 'A' }),
  ].join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: `## Request\n${clip(prompt, 8_000)}${referenceSection(reference)}\n\n## Response A\n${clip(a, 12_000)}\n\n## Response B\n${clip(b, 12_000)}` },
  ];
}

function parsePairwiseReply(raw: string): { winner: 'A' | 'B' | 'tie'; reason: string } | { problem: string } {
  const json = extractJson(raw);
  const obj = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  if (!obj) return { problem: 'the reply is not a JSON object' };
  const winner = typeof obj.winner === 'string' ? obj.winner.trim().replace(/^response\s+/i, '') : obj.winner;
  const normalized = winner === 'a' || winner === 'A' ? 'A' : winner === 'b' || winner === 'B' ? 'B' : typeof winner === 'string' && /^tie$/i.test(winner) ? 'tie' : undefined;
  if (!normalized) return { problem: `"winner" must be "A", "B" or "tie", got ${JSON.stringify(obj.winner)}` };
  return { winner: normalized, reason: typeof obj.reason === 'string' ? clip(obj.reason, 400) : '' };
}

export interface PairwiseGrade {
  /** 1 = the candidate won both orders, 0.5 = tie or split, 0 = lost both. */
  score: number;
  /** The verdict with the candidate shown first, then with the baseline shown first, as candidate outcomes. */
  orders: { candidateFirst: 'win' | 'tie' | 'loss'; baselineFirst: 'win' | 'tie' | 'loss' };
  reasons: [string, string];
  /** Candidate length / baseline length, in characters. */
  lengthRatio: number;
  /** Candidate length minus baseline length, in characters. */
  lengthDiff: number;
}

const OUTCOME_SCORE = { win: 1, tie: 0.5, loss: 0 } as const;

/** Both orders, concurrently: position bias in one order is cancelled by the other. */
export async function gradePairwise(call: GraderCall, prompt: string, candidate: string, baseline: string, usage: GraderUsage, reference?: string): Promise<PairwiseGrade> {
  const ask = async (a: string, b: string) => {
    const format = responseFormatFor('pairwise_verdict', pairwiseSchema);
    let last = '';
    for (let attempt = 1; attempt <= 2; attempt++) {
      const parsed = parsePairwiseReply(await complete(call, buildPairwiseRequest(prompt, a, b, reference), format, usage));
      if (!('problem' in parsed)) return parsed;
      last = parsed.problem;
    }
    throw new GradeError(`pairwise grader reply unusable twice: ${last}`);
  };
  const [first, second] = await Promise.all([ask(candidate, baseline), ask(baseline, candidate)]);
  const candidateFirst = first.winner === 'A' ? 'win' : first.winner === 'B' ? 'loss' : 'tie';
  const baselineFirst = second.winner === 'B' ? 'win' : second.winner === 'A' ? 'loss' : 'tie';
  return {
    score: (OUTCOME_SCORE[candidateFirst] + OUTCOME_SCORE[baselineFirst]) / 2,
    orders: { candidateFirst, baselineFirst },
    reasons: [first.reason, second.reason],
    lengthRatio: candidate.length / Math.max(1, baseline.length),
    lengthDiff: candidate.length - baseline.length,
  };
}

async function complete(call: GraderCall, messages: ChatMessage[], responseFormat: ReturnType<typeof responseFormatFor>, usage: GraderUsage): Promise<string> {
  try {
    const response = await call.client.complete({ messages, stage: 'grader', temperature: 0, responseFormat, signal: call.signal });
    usage.calls++;
    usage.promptTokens += response.usage.promptTokens;
    usage.completionTokens += response.usage.completionTokens;
    const cost = call.cost(response.usage);
    if (cost !== undefined) usage.costUsd = (usage.costUsd ?? 0) + cost;
    return response.text;
  } catch (err) {
    usage.calls++;
    if (call.signal.aborted) throw err;
    throw new GradeError(`grader call failed: ${err instanceof CallError || err instanceof Error ? err.message : String(err)}`);
  }
}

