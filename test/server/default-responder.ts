import type { FakeRequest, Reply } from './fake-openai';
import { freeInstanceOf } from './free-decoder';
import { hash, instanceOf } from './schema-instance';
import { simulatedCodeAnswer } from './simulated-code';
import { simulatedPanelReply } from './simulated-panel';

/**
 * How the server fills a json_schema request: `plausible` writes what a cooperative model would (distinct picks, a
 * sensible reason), `free` is a constrained decoder choosing any valid value (see free-decoder.ts), seeded.
 */
export type Decoder = { mode: 'plausible' } | { mode: 'free'; seed: number };

/**
 * What the fake server answers when no responder (or one returning undefined) decides otherwise.
 * It must make a whole simulated run look plausible (sandbox demo, benchmark): each model answers in its
 * own, stable words; structured-output requests get JSON that fits the schema they sent.
 */
export function defaultReply(req: FakeRequest, decoder: Decoder = { mode: 'plausible' }): Reply {
  const json = jsonAnswer(req, decoder);
  return { text: json ?? proseAnswer(req) };
}

/** JSON text for requests that set response_format, undefined otherwise. */
export function jsonAnswer(req: FakeRequest, decoder: Decoder = { mode: 'plausible' }): string | undefined {
  const rf = req.responseFormat as { type?: string; json_schema?: { schema?: unknown } } | undefined;
  if (!rf || typeof rf !== 'object') return undefined;
  if (rf.type === 'json_schema') {
    const schema = rf.json_schema?.schema ?? {};
    if (decoder.mode === 'free') return JSON.stringify(freeInstanceOf(schema, `${decoder.seed}\n${req.model}\n${JSON.stringify(req.messages)}`));
    return simulatedPanelReply(req, schema) ?? JSON.stringify(instanceOf(schema, `${req.model}\n${lastUserText(req)}`));
  }
  if (rf.type === 'json_object') return '{}';
  return undefined; // {type: 'text'} asks for prose
}

const OPENINGS = [
  'Here is how I would approach',
  'Short answer first, then the details, for',
  'Let me break down',
  'A practical take on',
  'Thinking step by step about',
];
const POINTS = [
  'Start from the simplest version that works, then measure before optimising.',
  'Keep the moving parts few: each one is a place where things can fail.',
  'Check the edge cases (empty input, very large input, concurrent use) early.',
  'Prefer explicit data flow over hidden state; it is easier to test.',
  'Write down the assumptions, since most disagreements come from those.',
  'Trade-offs matter more than the single best answer here.',
  'A small, well-named helper usually beats a clever one-liner.',
  'Validate the result against a known-good example before trusting it.',
];
const CLOSINGS = [
  'In short: keep it simple and verify.',
  'That should cover the essentials.',
  'Happy to go deeper on any of these points.',
  'Overall, the straightforward approach is the right default.',
];
const CODE_HINT = /```|\b(code|function|implement|class|bug|refactor|script|typescript|javascript|python|regex|sql)\b/i;

export function proseAnswer(req: FakeRequest): string {
  const prompt = lastUserText(req);
  const h = hash(`${req.model}\n${prompt}`);
  const pick = <T>(list: readonly T[], salt: number): T => list[(h + salt * 7919) % list.length];
  const topic = prompt.replace(/\s+/g, ' ').trim();
  const shortTopic = topic.length > 60 ? `${topic.slice(0, 57).trimEnd()}...` : topic || 'your question';
  const first = pick(POINTS, 1);
  let second = pick(POINTS, 2);
  if (second === first) second = POINTS[(POINTS.indexOf(first) + 1) % POINTS.length];

  const parts = [
    `**${req.model}** (simulated): ${pick(OPENINGS, 0)} "${shortTopic}".`,
    `- ${first}\n- ${second}`,
  ];
  const shipped = simulatedCodeAnswer(req.model, prompt);
  if (shipped) parts.push(shipped);
  else if (CODE_HINT.test(prompt)) {
    const python = /\bpython\b/i.test(prompt);
    const name = `answer_${h % 100}`;
    parts.push(
      python
        ? `\`\`\`python\ndef ${name}(value):\n    # simulated by ${req.model}\n    return value\n\`\`\``
        : `\`\`\`ts\nfunction ${name}(value: string): string {\n  // simulated by ${req.model}\n  return value;\n}\n\`\`\``,
    );
  }
  parts.push(pick(CLOSINGS, 3));
  return parts.join('\n\n');
}

function lastUserText(req: FakeRequest): string {
  for (let i = req.messages.length - 1; i >= 0; i--) if (req.messages[i].role === 'user') return req.messages[i].content;
  return req.messages.at(-1)?.content ?? '';
}
