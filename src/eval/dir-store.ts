import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmdirSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { redactSecrets } from '../pipeline/secrets';
import type { Trace } from '../pipeline/trace';
import type { AnswerRecord, GradeRecord, ResultStore } from './records';

const ANSWERS_FILE = 'answers.jsonl';
const GRADES_FILE = 'grades.jsonl';
const TRACES_FILE = 'traces.jsonl';
export const REPORT_JSON = 'report.json';
/** The tasks as parsed, so saved results can be reopened (and browsed task by task) without the task file. */
export const TASKS_JSON = 'tasks.json';

/** Held by the process writing results into the folder; see `lockResults`. */
export const LOCK_FILE = '.smoa-eval.lock';

/**
 * Results in a directory, one JSON line appended per finished answer, grade and trace. Appending line by line means
 * an interruption loses at most the line being written; a torn last line is cut off when the directory is opened, so
 * the next record does not glue onto it (and that result is simply run again).
 */
export class DirStore implements ResultStore {
  private readonly a: AnswerRecord[];
  private readonly g: GradeRecord[];

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    for (const name of [ANSWERS_FILE, GRADES_FILE, TRACES_FILE]) cutTornLine(join(dir, name));
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

/** Drops an unfinished last line (no newline at its end), left by a process stopped in the middle of a write. */
function cutTornLine(path: string) {
  if (!existsSync(path)) return;
  const text = readFileSync(path);
  if (text.length === 0 || text[text.length - 1] === 0x0a) return;
  truncateSync(path, text.lastIndexOf(0x0a) + 1);
}

/**
 * One evaluation writes a results folder at a time: two would duplicate lines and each pay for the other's runs.
 * The lock file holds the writer's pid; a lock whose process is gone (killed, crashed) is taken over.
 */
export function lockResults(dir: string): { ok: true; release(): void } | { ok: false; message: string } {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      return {
        ok: true,
        release: () => {
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number(readFileSafe(path).trim());
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
      return { ok: false, message: `${dir} is in use by another evaluation (process ${pid}); wait for it to finish, or use another output folder` };
    }
    try {
      unlinkSync(path); // stale: its process is gone
    } catch {
      // someone else took it over first: the next attempt sees their lock
    }
  }
  return { ok: false, message: `${dir} is in use by another evaluation; wait for it to finish, or use another output folder` };
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Why results cannot be written to `dir`, or undefined: it is a file, a parent is a file, or the folder (or the
 * nearest one that exists) is not writable. Checked before any request, so no paid answer is lost to it.
 */
export function outputProblem(dir: string): string | undefined {
  let probe = dir;
  for (;;) {
    let stat;
    try {
      stat = statSync(probe);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') {
        probe = dirname(probe);
        continue;
      }
      if (code !== 'ENOENT') return `cannot use ${dir} (${code})`;
      const parent = dirname(probe);
      if (parent === probe) return `cannot use ${dir}`;
      probe = parent;
      continue;
    }
    if (!stat.isDirectory()) return probe === dir ? `${dir} is a file, not a folder` : `${dir} is under ${probe}, which is a file`;
    // Tried, not asked (access() says yes to root even on folders it cannot write): a folder made and removed.
    try {
      rmdirSync(mkdtempSync(join(probe, '.smoa-probe-')));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      return probe === dir ? `${dir} is not writable (${code})` : `${dir} cannot be created: ${probe} is not writable (${code})`;
    }
    return undefined;
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

/** Copies a results folder (the evaluation view's Save): everything in it, to a folder the user picked. */
export function copyResultsDir(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}
