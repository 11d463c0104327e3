import { readFileSync } from 'node:fs';
import { buildRouterFromFolders } from '../eval/route-sources';
import { describeRouter, parseRouterText, type RouterFile } from '../pipeline/route/router-file';
import type { Command } from './args';
import { UsageError } from './args';
import { writeJsonFile } from './io';

/** `smoa route build`: reads each evaluation folder, writes the router file, says what it learned. */
export async function runRouteBuild(command: Extract<Command, { kind: 'route-build' }>): Promise<number> {
  const built = buildRouterFromFolders(command.from);
  if (!built.ok) throw new UsageError(`route build: ${built.message}`);
  writeJsonFile(command.out, built.router);
  for (const note of built.notes) process.stderr.write(`smoa: ${note}\n`);
  process.stderr.write(`smoa: router written to ${command.out}: ${describeRouter(built.router)}\n`);
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
