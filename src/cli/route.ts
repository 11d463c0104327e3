import { readFileSync } from 'node:fs';
import { loadResultsDir } from '../eval/dir-store';
import type { GraderKind } from '../eval/kinds';
import { buildRouter, type RouterSource } from '../eval/route-build';
import type { EvalTask } from '../eval/tasks';
import { parseRouterText, type RouterFile } from '../pipeline/route/router-file';
import type { Command } from './args';
import { UsageError } from './args';
import { writeJsonFile } from './io';

/** `smoa route build`: reads each evaluation folder, writes the router file, says what it learned. */
export async function runRouteBuild(command: Extract<Command, { kind: 'route-build' }>): Promise<number> {
  const sources: RouterSource[] = command.from.map((dir) => {
    const loaded = loadResultsDir(dir);
    if (!loaded.ok) throw new UsageError(`route build: ${loaded.message}`);
    const report = loaded.report as { grader?: GraderKind; graderModel?: string; baseline?: string };
    if (!report.grader) throw new UsageError(`route build: ${dir}/report.json names no grader`);
    return {
      name: dir,
      tasks: loaded.tasks as EvalTask[],
      answers: loaded.store.answers(),
      grades: loaded.store.grades(),
      grader: report.grader,
      ...(report.graderModel ? { graderModel: report.graderModel } : {}),
      ...(report.baseline ? { baseline: report.baseline } : {}),
    };
  });
  const built = buildRouter(sources);
  if (!built.ok) throw new UsageError(`route build: ${built.message}`);
  writeJsonFile(command.out, built.router);
  for (const note of built.notes) process.stderr.write(`smoa: ${note}\n`);
  const r = built.router;
  process.stderr.write(
    `smoa: router written to ${command.out}: ${r.tasks.length} tasks, ${r.categories.length} categories, ${r.groups.length} groups, models ${r.models.join(', ')}\n`,
  );
  return 0;
}

/** The router for `--strategy route`: --router, else the config's route.file; none is fine (route falls back, saying so). */
export function readRouterFile(path: string | undefined): RouterFile | undefined {
  if (!path) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`router file ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const parsed = parseRouterText(text, path);
  if (!parsed.ok) throw new UsageError(parsed.message);
  return parsed.router;
}
