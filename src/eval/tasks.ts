/**
 * Evaluation tasks and the file formats they are read from. A file is read whole and checked before anything runs:
 * every problem is reported with its line (or, for a JSON array, its item) so the user can fix them all at once.
 *
 * Recognised by their fields, one object a line (JSON Lines) or a JSON array of objects, as the benchmarks publish them:
 * - native:     {"id", "prompt" | "turns", "reference"?, "match"?, "category"?, "tests"?, "language"?, "entry_point"?}
 * - GSM8K:      {"question", "answer": "... #### 72"}             -> numeric match against 72
 * - MT-Bench:   {"question_id", "category", "turns", "reference"?} -> one task per turn, asked as a conversation
 * - AlpacaEval: {"instruction", "input"?, "output"?, "generator"?, "dataset"?} -> `output` is the reference output
 * - HumanEval:  {"task_id", "prompt", "test", "entry_point"}       -> complete the function; tests run `check(entry_point)`
 * - MBPP:       {"task_id", "text" | "prompt", "test_list", "test_setup_code"? | "test_imports"?}
 */

const MATCH_KINDS = ['exact', 'numeric', 'regex', 'contains'] as const;
export type MatchKind = (typeof MATCH_KINDS)[number];

export interface EvalTask {
  id: string;
  /** What the user asks in this task (for a multi-turn task: this turn's message). */
  prompt: string;
  /** The answer an exact grader compares with (`match` says how). */
  reference?: string;
  match?: MatchKind;
  category?: string;
  /** Where the task came from, for messages: "tasks.jsonl:12". */
  source: string;
  /**
   * Multi-turn tasks (MT-Bench `turns`): every user message of the conversation and which one this task asks
   * (1-based). Earlier turns are asked first, each strategy's own answers kept in the history.
   */
  conversation?: { id: string; turns: string[]; turn: number };
  /** A reference answer for a model grader (MT-Bench `reference`), as MT-Bench's reference-guided judge uses it. */
  referenceAnswer?: string;
  /** AlpacaEval: the reference model's `output` that win rates are measured against, and who wrote it. */
  referenceOutput?: string;
  referenceGenerator?: string;
  /** Code tasks: the language the answer's code is in ("python", "javascript", "typescript"). */
  language?: string;
  /** Code tasks: test code run after the answer's code (HumanEval `test`, MBPP `test_list` one a line, native `tests`). */
  tests?: string;
  /** HumanEval: the function the tests' `check(candidate)` is called with. */
  entryPoint?: string;
  /** Code run before the answer's code (HumanEval's prompt with its imports, MBPP's setup code and imports). */
  testSetup?: string;
}

export type TaskFormat = 'native' | 'gsm8k' | 'mt-bench' | 'alpaca' | 'humaneval' | 'mbpp';

/** The task id of one turn of a multi-turn conversation. */
export function turnTaskId(conversationId: string, turn: number): string {
  return `${conversationId}#${turn}`;
}

export interface TaskFileProblem {
  /** 1-based line (JSON Lines) or item (JSON array). */
  line?: number;
  item?: number;
  message: string;
}

export type TaskFileResult = { ok: true; tasks: EvalTask[]; formats: TaskFormat[] } | { ok: false; problems: TaskFileProblem[] };

export interface TaskFileOptions {
  /** Multi-turn tasks: the one turn to grade (1-based); every turn when unset. Earlier turns are still asked. */
  turn?: number;
}

const EXPECTED = 'JSON Lines with "prompt" (or GSM8K, MT-Bench, AlpacaEval, HumanEval, MBPP records) or a JSON array of them';

/** At most `limit` problems, then "and N more": a wrong file must not bury the terminal. */
export function formatProblemList(path: string, problems: readonly TaskFileProblem[], limit = 10): string {
  const shown = formatProblems(path, problems.slice(0, limit));
  return problems.length > limit ? `${shown}\n${path}: and ${problems.length - limit} more problem(s)` : shown;
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
    const id = read.task.conversation?.id ?? read.task.id;
    const earlier = seen.get(id);
    if (earlier) {
      problems.push({ ...where, message: `duplicate id "${id}" (also on ${earlier})` });
      continue;
    }
    seen.set(id, source);
    formats.add(read.format);
    const conversation = read.task.conversation;
    if (!conversation) {
      tasks.push({ ...read.task, source });
      continue;
    }
    // One task per graded turn; the turns before it are asked too (see EvalTask.conversation).
    const references = read.turnReferences ?? [];
    const graded = options.turn ? [options.turn] : conversation.turns.map((_, i) => i + 1);
    for (const turn of graded) {
      const { referenceAnswer: _all, ...rest } = read.task;
      const ref = references[turn - 1];
      tasks.push({ ...rest, id: turnTaskId(conversation.id, turn), prompt: conversation.turns[turn - 1], conversation: { ...conversation, turn }, ...(ref ? { referenceAnswer: ref } : {}), source });
    }
  }
  if (tasks.length === 0 && problems.length > 1) {
    // Nothing in it reads as a task (README.md passed by mistake): one line, not one per line.
    const first = problems[0];
    const where = first.line !== undefined ? `line ${first.line}` : first.item !== undefined ? `item ${first.item}` : '';
    return {
      ok: false,
      problems: [{ message: `not a task file: none of its ${problems.length} ${body.trimStart().startsWith('[') ? 'items' : 'lines'} is a task (${where}: ${first.message}); expected ${EXPECTED}` }],
    };
  }
  if (problems.length) return { ok: false, problems };
  if (tasks.length === 0) return { ok: false, problems: [{ message: 'no tasks (expected one JSON object a line, or a JSON array)' }] };
  return { ok: true, tasks, formats: [...formats] };
}

type Read = { task: Omit<EvalTask, 'source'>; format: TaskFormat; turnReferences?: (string | undefined)[] } | { message: string };

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

  // Code benchmarks first: HumanEval and MBPP (sanitized) records also have a "prompt".
  if ('test_list' in v) return readMbpp(v, idOf(v.task_id ?? v.id), category);
  if ('entry_point' in v && 'test' in v) return readHumanEval(v, idOf(v.task_id ?? v.id), category);
  if ('turns' in v) return readTurns(v, idOf(v.question_id ?? v.id), category, options);
  if ('prompt' in v) {
    if (typeof v.prompt !== 'string' || v.prompt.trim() === '') return { message: '"prompt" must be a non-empty string' };
    const id = idOf(v.id);
    if (typeof id !== 'string') return id;
    if (v.category !== undefined && typeof v.category !== 'string') return { message: '"category" must be a string' };
    const reference = readReference(v);
    if (typeof reference === 'string') return { message: reference };
    const code = readNativeCode(v);
    if (typeof code === 'string') return { message: code };
    return { task: { id, prompt: v.prompt, ...reference.fields, ...category, ...code }, format: 'native' };
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
  if ('instruction' in v) {
    if (typeof v.instruction !== 'string' || v.instruction.trim() === '') return { message: 'AlpacaEval: "instruction" must be a non-empty string' };
    const input = typeof v.input === 'string' && v.input.trim() ? `\n\n${v.input}` : '';
    const id = idOf(v.id);
    if (typeof id !== 'string') return id;
    if (v.output !== undefined && v.output !== null && typeof v.output !== 'string') return { message: 'AlpacaEval: "output" (the reference output) must be a string' };
    const output = typeof v.output === 'string' && v.output.trim() ? { referenceOutput: v.output, ...(typeof v.generator === 'string' && v.generator.trim() ? { referenceGenerator: v.generator.trim() } : {}) } : {};
    const dataset = typeof v.dataset === 'string' && v.dataset.trim() ? { category: v.dataset.trim() } : category;
    return { task: { id, prompt: v.instruction + input, ...dataset, ...output }, format: 'alpaca' };
  }
  const keys = Object.keys(v).slice(0, 6).join(', ') || 'none';
  return {
    message: `no task here: expected "prompt" (or GSM8K "question"+"answer", MT-Bench "turns", AlpacaEval "instruction", HumanEval "test"+"entry_point", MBPP "test_list"); fields: ${keys}`,
  };
}

/** Native tasks: an exact-match `reference` (string or number) and how to `match` it. */
function readReference(v: Record<string, unknown>): { fields: Pick<EvalTask, 'reference' | 'match'> } | string {
  let reference: string | undefined;
  if (v.reference !== undefined && v.reference !== null) {
    if (typeof v.reference === 'number') reference = String(v.reference);
    else if (typeof v.reference === 'string' && v.reference.trim() !== '') reference = v.reference;
    else return '"reference" must be a non-empty string or a number';
  }
  let match: MatchKind | undefined;
  if (v.match !== undefined) {
    if (!(MATCH_KINDS as readonly unknown[]).includes(v.match)) return `"match" must be one of ${MATCH_KINDS.join(', ')}, got ${JSON.stringify(v.match)}`;
    if (reference === undefined) return `"match": "${String(v.match)}" needs a "reference"`;
    match = v.match as MatchKind;
  }
  if (reference === undefined) return { fields: {} };
  match ??= parseNumber(reference) !== undefined ? 'numeric' : 'exact';
  const bad = checkReference(reference, match);
  return bad ?? { fields: { reference, match } };
}

const LANGUAGES = ['python', 'javascript', 'typescript'];

/** Native code tasks: "tests" (a string or a list of lines), "language", "entry_point". */
function readNativeCode(v: Record<string, unknown>): Pick<EvalTask, 'tests' | 'language' | 'entryPoint'> | string {
  if (v.tests === undefined) {
    if (v.language !== undefined || v.entry_point !== undefined) return '"language" and "entry_point" are for code tasks, which need "tests"';
    return {};
  }
  const tests = Array.isArray(v.tests) && v.tests.length && v.tests.every((t) => typeof t === 'string') ? v.tests.join('\n') : v.tests;
  if (typeof tests !== 'string' || tests.trim() === '') return '"tests" must be test code: a non-empty string or a list of strings';
  const language = v.language ?? 'python';
  if (typeof language !== 'string' || !LANGUAGES.includes(language.toLowerCase())) return `"language" must be one of ${LANGUAGES.join(', ')}, got ${JSON.stringify(v.language)}`;
  if (v.entry_point !== undefined && (typeof v.entry_point !== 'string' || v.entry_point.trim() === '')) return '"entry_point" must be a function name';
  return { tests, language: language.toLowerCase(), ...(typeof v.entry_point === 'string' ? { entryPoint: v.entry_point.trim() } : {}) };
}

/** MT-Bench question.jsonl, or native tasks with "turns": a conversation, one task per turn (expanded by the caller). */
function readTurns(v: Record<string, unknown>, id: string | { message: string }, category: { category?: string }, options: TaskFileOptions): Read {
  const label = 'question_id' in v ? 'MT-Bench: ' : '';
  if (!Array.isArray(v.turns) || v.turns.length === 0 || !v.turns.every((t) => typeof t === 'string')) {
    return { message: `${label || 'MT-Bench: '}"turns" must be a non-empty array of strings` };
  }
  const turns = v.turns as string[];
  const empty = turns.findIndex((t) => t.trim() === '');
  if (empty >= 0) return { message: `${label}turn ${empty + 1} is empty` };
  if (options.turn !== undefined && options.turn > turns.length) return { message: `${label}turn ${options.turn} asked for, the question has ${turns.length}` };
  if (typeof id !== 'string') return id;
  let turnReferences: (string | undefined)[] | undefined;
  if (v.reference !== undefined && v.reference !== null) {
    // MT-Bench gives one reference answer per turn; a single string is the first turn's.
    const refs = typeof v.reference === 'string' ? [v.reference] : v.reference;
    if (!Array.isArray(refs) || !refs.every((r) => typeof r === 'string' || r === null)) return { message: `${label}"reference" must be a list of reference answers, one per turn` };
    turnReferences = refs.map((r) => (typeof r === 'string' && r.trim() ? r : undefined));
  }
  return {
    task: { id, prompt: turns[0], conversation: { id, turns, turn: 1 }, ...category },
    format: label ? 'mt-bench' : 'native',
    ...(turnReferences ? { turnReferences } : {}),
  };
}

/** HumanEval: complete the function in "prompt"; "test" defines check(candidate), called with "entry_point". */
function readHumanEval(v: Record<string, unknown>, id: string | { message: string }, category: { category?: string }): Read {
  if (typeof v.prompt !== 'string' || v.prompt.trim() === '') return { message: 'HumanEval: "prompt" must be the function to complete' };
  if (typeof v.test !== 'string' || v.test.trim() === '') return { message: 'HumanEval: "test" must be test code' };
  if (typeof v.entry_point !== 'string' || v.entry_point.trim() === '') return { message: 'HumanEval: "entry_point" must be a function name' };
  if (typeof id !== 'string') return id;
  const prompt = `Complete this Python function. Reply with the whole function in one \`\`\`python code block.\n\n\`\`\`python\n${v.prompt.trimEnd()}\n\`\`\``;
  return {
    task: { id, prompt, language: 'python', tests: v.test, entryPoint: v.entry_point.trim(), testSetup: v.prompt, ...category },
    format: 'humaneval',
  };
}

/** MBPP (original "text" or sanitized "prompt"): the asserts in "test_list" are shown, as MBPP's own prompts do. */
function readMbpp(v: Record<string, unknown>, id: string | { message: string }, category: { category?: string }): Read {
  const text = v.text ?? v.prompt;
  if (typeof text !== 'string' || text.trim() === '') return { message: 'MBPP: "text" (or "prompt") must be the problem statement' };
  if (!Array.isArray(v.test_list) || v.test_list.length === 0 || !v.test_list.every((t) => typeof t === 'string')) return { message: 'MBPP: "test_list" must be a non-empty list of assert statements' };
  if (typeof id !== 'string') return id;
  const tests = (v.test_list as string[]).join('\n');
  const imports = Array.isArray(v.test_imports) ? v.test_imports.filter((t): t is string => typeof t === 'string') : [];
  const setup = [...imports, typeof v.test_setup_code === 'string' ? v.test_setup_code : ''].filter((t) => t.trim()).join('\n');
  const prompt = `${text.trim()}\n\nWrite it in Python, in one \`\`\`python code block. It must pass these tests:\n\`\`\`python\n${tests}\n\`\`\``;
  return { task: { id, prompt, language: 'python', tests, ...(setup ? { testSetup: setup } : {}), ...category }, format: 'mbpp' };
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
