import { readFileSync } from 'node:fs';
import { formatProblemList, parseTaskFile, type EvalTask, type TaskFileOptions, type TaskFormat } from './tasks';

/**
 * Reads a task file for every surface (CLI, palette command, the task-file picker): one message naming the path and
 * at most ten problems when it cannot be used.
 */
export function readTaskFile(path: string, options: TaskFileOptions = {}): { ok: true; tasks: EvalTask[]; formats: TaskFormat[] } | { ok: false; message: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, message: `--tasks: cannot read ${path} (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (code ?? (err as Error).message)})` };
  }
  const parsed = parseTaskFile(text, options);
  if (!parsed.ok) return { ok: false, message: formatProblemList(path, parsed.problems) };
  return parsed;
}
