import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadResultsDir, REPORT_JSON } from './dir-store';
import type { GraderKind } from './kinds';
import { buildRouter, type BuildResult, type RouterSource } from './route-build';
import type { EvalTask } from './tasks';

/**
 * Evaluation results folders as router sources: what `smoa route build --from` and "SMoA: Build Router from
 * Evaluations" both read, so the two cannot disagree on what a usable folder is.
 */
function readRouterSources(dirs: readonly string[]): { ok: true; sources: RouterSource[] } | { ok: false; message: string } {
  const sources: RouterSource[] = [];
  for (const dir of dirs) {
    const loaded = loadResultsDir(dir);
    if (!loaded.ok) return { ok: false, message: loaded.message };
    const report = loaded.report as { grader?: GraderKind; graderModel?: string; baseline?: string };
    if (!report.grader) return { ok: false, message: `${join(dir, REPORT_JSON)} names no grader` };
    sources.push({
      name: dir,
      tasks: loaded.tasks as EvalTask[],
      answers: loaded.store.answers(),
      grades: loaded.store.grades(),
      grader: report.grader,
      ...(report.graderModel ? { graderModel: report.graderModel } : {}),
      ...(report.baseline ? { baseline: report.baseline } : {}),
    });
  }
  return { ok: true, sources };
}

/** Reads the folders and builds the router from them; every problem is a message naming the folder. */
export function buildRouterFromFolders(dirs: readonly string[]): BuildResult {
  if (dirs.length === 0) return { ok: false, message: 'no evaluation results folder given' };
  const read = readRouterSources(dirs);
  return read.ok ? buildRouter(read.sources) : read;
}

export interface ResultsFolder {
  dir: string;
  /** The folder's name (the palette writes `<time stamp>-<task file>`). */
  name: string;
  modifiedMs: number;
}

/** The results folders directly under `root` (those with a report), newest first; none when `root` does not exist. */
export function listResultsFolders(root: string): ResultsFolder[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, REPORT_JSON)))
    .map((entry) => {
      const dir = join(root, entry.name);
      return { dir, name: entry.name, modifiedMs: statSync(join(dir, REPORT_JSON)).mtimeMs };
    })
    .sort((a, b) => b.modifiedMs - a.modifiedMs);
}
