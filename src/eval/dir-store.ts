import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactSecrets } from '../pipeline/secrets';
import type { Trace } from '../pipeline/trace';
import type { AnswerRecord, GradeRecord, ResultStore } from './records';

export const ANSWERS_FILE = 'answers.jsonl';
export const GRADES_FILE = 'grades.jsonl';
export const TRACES_FILE = 'traces.jsonl';
export const REPORT_JSON = 'report.json';
/** The tasks as parsed, so saved results can be reopened (and browsed task by task) without the task file. */
export const TASKS_JSON = 'tasks.json';

/**
 * Results in a directory, one JSON line appended per finished answer, grade and trace. Appending line by line means
 * an interruption loses at most the line being written; a torn last line is skipped when the directory is read again.
 */
export class DirStore implements ResultStore {
  private readonly a: AnswerRecord[];
  private readonly g: GradeRecord[];

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.a = readLines<AnswerRecord>(join(dir, ANSWERS_FILE)).filter((r) => typeof r.key === 'string' && r.totals);
    this.g = readLines<GradeRecord>(join(dir, GRADES_FILE)).filter((r) => typeof r.key === 'string');
  }

  answers() {
    return this.a;
  }
  grades() {
    return this.g;
  }
  addAnswer(record: AnswerRecord, trace: Trace) {
    appendLine(join(this.dir, TRACES_FILE), { key: record.key, trace });
    appendLine(join(this.dir, ANSWERS_FILE), record);
    this.a.push(record);
  }
  addGrade(record: GradeRecord) {
    appendLine(join(this.dir, GRADES_FILE), record);
    this.g.push(record);
  }
  /** Reads traces.jsonl on demand (it is the largest file): the last trace stored for the key. */
  trace(key: string): Trace | undefined {
    let found: Trace | undefined;
    for (const line of readLines<{ key: string; trace: Trace }>(join(this.dir, TRACES_FILE))) if (line.key === key) found = line.trace;
    return found;
  }
  writeFile(name: string, text: string) {
    const path = join(this.dir, name);
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, redactSecrets(text));
    renameSync(tmp, path);
  }
}

function appendLine(path: string, value: unknown) {
  // Records hold answers, error texts and traces: they go through the process's redactor like every other output.
  appendFileSync(path, redactSecrets(JSON.stringify(value)) + '\n');
}

function readLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const out: T[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // a line torn by an interruption: that result is simply run again
    }
  }
  return out;
}

/** A saved results folder as the results view shows it; a message naming what is missing when it is not one. */
export function loadResultsDir(
  dir: string,
): { ok: true; report: unknown; tasks: unknown; store: DirStore } | { ok: false; message: string } {
  const read = (name: string): unknown => {
    const path = join(dir, name);
    if (!existsSync(path)) throw new Error(`${name} is missing`);
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`${name} is not valid JSON (${(err as Error).message})`);
    }
  };
  try {
    const report = read(REPORT_JSON);
    const tasks = read(TASKS_JSON);
    return { ok: true, report, tasks, store: new DirStore(dir) };
  } catch (err) {
    return { ok: false, message: `${dir} is not a SMoA evaluation results folder: ${(err as Error).message}` };
  }
}
