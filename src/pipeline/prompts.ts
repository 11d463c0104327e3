import type { ChatMessage } from './client';
import { clip } from './format';

/**
 * Every instruction the engine sends, in one place. The aggregate-and-synthesize intent follows the MoA paper
 * (candidates go in the system message, the user turn stays untouched); the wording is ours.
 */

export interface ContextItem {
  /** What the user attached, e.g. a file path or "selection in app.ts:10-20". */
  label: string;
  content: string;
}

export interface Candidate {
  text: string;
}

const SYNTHESIZE_INSTRUCTION = [
  'Below are candidate answers to the latest user message, written independently by other AI models.',
  'Evaluate them critically: some may be wrong, biased, incomplete or out of date, and they may disagree.',
  'Do not copy one of them and do not mention that candidates exist. Write one answer of your own that keeps what is',
  'right, corrects what is wrong and fills what is missing: accurate, complete, clearly structured.',
].join(' ');

export function formatCandidates(candidates: readonly Candidate[], label = 'Candidate'): string {
  return candidates.map((c, i) => `### ${label} ${i + 1}\n${c.text.trim()}`).join('\n\n');
}

/** The user's turn, with any attached context placed before the question so the question comes last. */
function userTurn(prompt: string, context: readonly ContextItem[] = []): string {
  if (context.length === 0) return prompt;
  const blocks = context.map((c) => `<context source="${c.label.replace(/"/g, "'")}">\n${c.content}\n</context>`);
  return `${blocks.join('\n\n')}\n\n${prompt}`;
}

export interface TurnOptions {
  systemParts: (string | undefined)[];
  history?: readonly ChatMessage[];
  prompt: string;
  context?: readonly ContextItem[];
}

/** System parts are merged into one system message: several local servers' chat templates accept only one. */
export function buildMessages({ systemParts, history = [], prompt, context }: TurnOptions): ChatMessage[] {
  const system = systemParts.filter((p): p is string => !!p && p.trim() !== '').join('\n\n');
  return [
    ...(system ? [{ role: 'system' as const, content: system }] : []),
    ...history,
    { role: 'user', content: userTurn(prompt, context) },
  ];
}

export function synthesisSystemPart(candidates: readonly Candidate[]): string | undefined {
  if (candidates.length === 0) return undefined;
  return `${SYNTHESIZE_INSTRUCTION}\n\n${formatCandidates(candidates)}`;
}

const DEBATE_INSTRUCTION = [
  'This is a later round of a debate between AI models on the latest user message. Below are the other debaters\'',
  'answers from the previous round. Weigh their reasoning against yours: where they are right, take it on; where they',
  'are wrong, keep your ground and say why. Then give your full, updated answer to the user.',
].join(' ');

/** A debater's later round: the others' previous answers, and its own previous answer as its own. */
export function debateSystemPart(others: readonly Candidate[], own: string | undefined): string | undefined {
  if (others.length === 0 && own === undefined) return undefined;
  const mine = own !== undefined ? `\n\n### Your previous answer\n${own.trim()}` : '';
  return `${DEBATE_INSTRUCTION}\n\n${formatCandidates(others, 'Other debater')}${mine}`;
}

/** Short view of the request for the judge and the role writer: enough to know what is asked. */
export function describeRequest(prompt: string, history: readonly ChatMessage[] = [], max = 4000): string {
  const earlier = history
    .slice(-4)
    .map((m) => `${m.role}: ${clip(m.content, 600)}`)
    .join('\n');
  const body = earlier ? `Earlier conversation (most recent last):\n${earlier}\n\nLatest request:\n${prompt}` : prompt;
  return clip(body, max);
}

export { clip } from './format';

/**
 * The judge's notes for the final aggregator, so an insight only a dropped answer had is not silently lost. The notes
 * name proposals by their 1-based slot; the aggregator sees the kept answers as "Candidate N", so those are renamed,
 * and a proposal it does not see becomes "a dropped answer". Clipped to a few hundred tokens.
 */
export function judgeNotesSystemPart(
  notes: { agreements: string[]; contradictions: string[]; droppedInsights: string[] } | undefined,
  keptSlots: readonly number[],
): string | undefined {
  if (!notes) return undefined;
  const rename = (text: string) =>
    text.replace(/\bproposals? (\d+)\b/g, (_m, n: string) => {
      const at = keptSlots.indexOf(Number(n) - 1);
      return at >= 0 ? `Candidate ${at + 1}` : 'a dropped answer';
    });
  const section = (title: string, items: string[]) => (items.length ? `${title}\n${items.map((t) => `- ${rename(t)}`).join('\n')}` : '');
  const body = [
    section('Agreed:', notes.agreements),
    section('Contradictions:', notes.contradictions),
    section('Only in dropped answers:', notes.droppedInsights),
  ]
    .filter(Boolean)
    .join('\n\n');
  if (!body) return undefined;
  return clip(`${JUDGE_NOTES_INSTRUCTION}\n\n${body}`, 2000);
}

export const JUDGE_NOTES_INSTRUCTION =
  "Notes from a judge who read all answers of the last round, some dropped (not shown here). Check them; use a dropped answer's point only if it is correct.";
