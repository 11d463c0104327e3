/**
 * Evaluation tasks and the file formats they are read from. A file is read whole and checked before anything runs:
 * every problem is reported with its line (or, for a JSON array, its item) so the user can fix them all at once.
 *
 * Recognised by their fields, one object a line (JSON Lines) or a JSON array of objects:
 * - native:     {"id", "prompt", "reference"?, "match"?, "category"?}
 * - GSM8K:      {"question", "answer": "... #### 72"}          -> numeric match against 72
 * - MT-Bench:   {"question_id", "category", "turns": [...]}     -> the first turn (or `turn`)
 * - AlpacaEval: {"instruction", "input"?, "dataset"?}
 */

export const MATCH_KINDS = ['exact', 'numeric', 'regex', 'contains'] as const;
export type MatchKind = (typeof MATCH_KINDS)[number];

export interface EvalTask {
  id: string;
  prompt: string;
  reference?: string;
  match?: MatchKind;
  category?: string;
  /** Where the task came from, for messages: "tasks.jsonl:12". */
  source: string;
}

export type TaskFormat = 'native' | 'gsm8k' | 'mt-bench' | 'alpaca';

export interface TaskFileProblem {
  /** 1-based line (JSON Lines) or item (JSON array). */
  line?: number;
  item?: number;
  message: string;
}

export type TaskFileResult = { ok: true; tasks: EvalTask[]; formats: TaskFormat[] } | { ok: false; problems: TaskFileProblem[] };

export interface TaskFileOptions {
  /** MT-Bench: which turn to ask (1-based, default 1). */
  turn?: number;
}

export function formatProblems(path: string, problems: readonly TaskFileProblem[]): string {
  return problems
    .map((p) => (p.line !== undefined ? `${path}:${p.line}: ${p.message}` : p.item !== undefined ? `${path}: item ${p.item}: ${p.message}` : `${path}: ${p.message}`))
    .join('\n');
}

/** Parses a task file's text. Pure: the CLI and the extension read the file and show the problems their own way. */
export function parseTaskFile(text: string, options: TaskFileOptions = {}): TaskFileResult {
  const body = text.replace(/^\uFEFF/, '');
  const problems: TaskFileProblem[] = [];
  const entries: { value: unknown; where: { line?: number; item?: number } }[] = [];
  if (body.trimStart().startsWith('[')) {
    let array: unknown;
    try {
      array = JSON.parse(body);
    } catch (err) {
      return { ok: false, problems: [{ line: jsonErrorLine(body, err), message: `not valid JSON (${(err as Error).message})` }] };
    }
    (array as unknown[]).forEach((value, i) => entries.push({ value, where: { item: i + 1 } }));
  } else {
    body.split('\n').forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('//')) return;
      try {
        entries.push({ value: JSON.parse(line), where: { line: i + 1 } });
      } catch (err) {
        problems.push({ line: i + 1, message: `not valid JSON (${(err as Error).message})` });
      }
    });
  }

  const tasks: EvalTask[] = [];
  const formats = new Set<TaskFormat>();
  const seen = new Map<string, string>();
  for (const { value, where } of entries) {
    const read = readTask(value, where, options);
    if ('message' in read) {
      problems.push({ ...where, message: read.message });
      continue;
    }
    const source = where.line !== undefined ? `line ${where.line}` : `item ${where.item}`;
    const earlier = seen.get(read.task.id);
    if (earlier) {
      problems.push({ ...where, message: `duplicate id "${read.task.id}" (also on ${earlier})` });
      continue;
    }
    seen.set(read.task.id, source);
    formats.add(read.format);
    tasks.push({ ...read.task, source });
  }
  if (problems.length) return { ok: false, problems };
  if (tasks.length === 0) return { ok: false, problems: [{ message: 'no tasks (expected one JSON object a line, or a JSON array)' }] };
  return { ok: true, tasks, formats: [...formats] };
}

type Read = { task: Omit<EvalTask, 'source'>; format: TaskFormat } | { message: string };

function readTask(value: unknown, where: { line?: number; item?: number }, options: TaskFileOptions): Read {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { message: 'expected a JSON object' };
  const v = value as Record<string, unknown>;
  const fallbackId = where.line !== undefined ? `line-${where.line}` : `item-${where.item}`;
  const idOf = (raw: unknown): string | { message: string } => {
    if (raw === undefined || raw === null) return fallbackId;
    if (typeof raw === 'string' && raw.trim() !== '') return raw.trim();
    if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
    return { message: `"id" must be a non-empty string or a number, got ${JSON.stringify(raw)}` };
  };
  const category = typeof v.category === 'string' && v.category.trim() ? { category: v.category.trim() } : {};

  if ('prompt' in v) {
    if (typeof v.prompt !== 'string' || v.prompt.trim() === '') return { message: '"prompt" must be a non-empty string' };
    const id = idOf(v.id);
    if (typeof id !== 'string') return id;
    if (v.category !== undefined && typeof v.category !== 'string') return { message: '"category" must be a string' };
    let reference: string | undefined;
    if (v.reference !== undefined && v.reference !== null) {
      if (typeof v.reference === 'number') reference = String(v.reference);
      else if (typeof v.reference === 'string' && v.reference.trim() !== '') reference = v.reference;
      else return { message: '"reference" must be a non-empty string or a number' };
    }
    let match: MatchKind | undefined;
    if (v.match !== undefined) {
      if (!(MATCH_KINDS as readonly unknown[]).includes(v.match)) return { message: `"match" must be one of ${MATCH_KINDS.join(', ')}, got ${JSON.stringify(v.match)}` };
      if (reference === undefined) return { message: `"match": "${String(v.match)}" needs a "reference"` };
      match = v.match as MatchKind;
    }
    if (reference !== undefined) {
      match ??= parseNumber(reference) !== undefined ? 'numeric' : 'exact';
      const bad = checkReference(reference, match);
      if (bad) return { message: bad };
    }
    return { task: { id, prompt: v.prompt, ...(reference !== undefined ? { reference, match } : {}), ...category }, format: 'native' };
  }
  if ('question' in v && 'answer' in v) {
    if (typeof v.question !== 'string' || v.question.trim() === '') return { message: 'GSM8K: "question" must be a non-empty string' };
    if (typeof v.answer !== 'string') return { message: 'GSM8K: "answer" must be a string ending in "#### <number>"' };
    const final = /####\s*(.+?)\s*$/.exec(v.answer);
    const reference = final?.[1].replace(/,/g, '');
    if (!reference || parseNumber(reference) === undefined) return { message: 'GSM8K: "answer" must end in "#### <number>"' };
    const id = idOf(v.id);
    if (typeof id !== 'string') return id;
    return { task: { id, prompt: v.question, reference, match: 'numeric', ...category }, format: 'gsm8k' };
  }
  if ('turns' in v) {
    if (!Array.isArray(v.turns) || v.turns.length === 0 || !v.turns.every((t) => typeof t === 'string')) {
      return { message: 'MT-Bench: "turns" must be a non-empty array of strings' };
    }
    const turn = options.turn ?? 1;
    if (turn > v.turns.length) return { message: `MT-Bench: turn ${turn} asked for, the question has ${v.turns.length}` };
    const id = idOf(v.question_id ?? v.id);
    if (typeof id !== 'string') return id;
    const prompt = v.turns[turn - 1] as string;
    if (prompt.trim() === '') return { message: `MT-Bench: turn ${turn} is empty` };
    return { task: { id, prompt, ...category }, format: 'mt-bench' };
  }
  if ('instruction' in v) {
    if (typeof v.instruction !== 'string' || v.instruction.trim() === '') return { message: 'AlpacaEval: "instruction" must be a non-empty string' };
    const input = typeof v.input === 'string' && v.input.trim() ? `\n\n${v.input}` : '';
    const id = idOf(v.id);
    if (typeof id !== 'string') return id;
    const dataset = typeof v.dataset === 'string' && v.dataset.trim() ? { category: v.dataset.trim() } : category;
    return { task: { id, prompt: v.instruction + input, ...dataset }, format: 'alpaca' };
  }
  const keys = Object.keys(v).slice(0, 6).join(', ') || 'none';
  return { message: `no task here: expected "prompt" (or GSM8K "question"+"answer", MT-Bench "turns", AlpacaEval "instruction"); fields: ${keys}` };
}

function checkReference(reference: string, match: MatchKind): string | undefined {
  if (match === 'numeric' && parseNumber(reference) === undefined) return `"reference" ${JSON.stringify(reference)} is not a number ("match": "numeric")`;
  if (match === 'regex') {
    try {
      toRegExp(reference);
    } catch (err) {
      return `"reference" is not a valid regular expression: ${(err as Error).message}`;
    }
  }
  return undefined;
}

/** "/pattern/flags" or a bare pattern (no flags). */
export function toRegExp(reference: string): RegExp {
  const literal = /^\/(.+)\/([dgimsuy]*)$/s.exec(reference);
  return literal ? new RegExp(literal[1], literal[2].replace('g', '')) : new RegExp(reference);
}

/** A number as people write it: "1,234.5", "-3", "$12", "45%". */
export function parseNumber(text: string): number | undefined {
  const cleaned = text.trim().replace(/^\$/, '').replace(/%$/, '').replace(/,/g, '');
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i.test(cleaned)) return undefined;
  const n = Number(cleaned);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The line of a JSON syntax error. Node's message has no position, so: a prefix of the text that ends before the
 * error fails only for ending early, one that includes it fails otherwise; binary search finds the first such line.
 */
function jsonErrorLine(text: string, err: unknown): number | undefined {
  const pos = /position (\d+)/.exec((err as Error).message);
  if (pos) return text.slice(0, Number(pos[1])).split('\n').length;
  const lines = text.split('\n');
  const brokenWithin = (n: number) => {
    try {
      JSON.parse(lines.slice(0, n).join('\n'));
      return false;
    } catch (e) {
      return !/end of JSON input|Unterminated string/i.test((e as Error).message);
    }
  };
  let lo = 1;
  let hi = lines.length;
  if (!brokenWithin(hi)) return undefined;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (brokenWithin(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
