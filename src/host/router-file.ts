import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { SmoaConfig } from '../pipeline/config';
import { parseRouterText, type RouterFile } from '../pipeline/route/router-file';
import { actions, type UserProblem } from './user-problem';

/**
 * The `route` strategy's router for runs started in VS Code: read from `smoa.route.file` (the engine reads no files),
 * kept until the file changes. A missing setting is not a problem (route falls back and says so); a file that cannot
 * be read or is not a router is, named with the setting to fix.
 */
export class RouterFiles {
  private cached: { path: string; mtimeMs: number; router: RouterFile } | undefined;

  /** `workspaceFolder`: the first open folder, which a relative `smoa.route.file` is read from. */
  constructor(
    private readonly workspaceFolder: () => string | undefined,
    private readonly home = homedir(),
  ) {}

  load(config: SmoaConfig): { router?: RouterFile; problem?: UserProblem } {
    const problem = (message: string): { problem: UserProblem } => ({ problem: { message: `smoa.route.file: ${message}`, actions: [actions.openSettings('smoa.route.file')] } });
    const resolved = resolveRouteFile(config.route.file, this.workspaceFolder(), this.home);
    if (resolved.problem) return problem(resolved.problem);
    const path = resolved.path;
    if (!path) return {};
    let mtimeMs: number;
    let text: string;
    try {
      mtimeMs = statSync(path).mtimeMs;
      if (this.cached && this.cached.path === path && this.cached.mtimeMs === mtimeMs) return { router: this.cached.router };
      text = readFileSync(path, 'utf8');
    } catch (err) {
      return problem(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); build one with "SMoA: Build Router from Evaluations" or "smoa route build --from <eval out folder>"`);
    }
    const parsed = parseRouterText(text, path);
    if (!parsed.ok) return problem(parsed.message);
    this.cached = { path, mtimeMs, router: parsed.router };
    return { router: parsed.router };
  }
}

/**
 * `smoa.route.file` as a path: `~/` is the home folder and a relative path is read from the first workspace folder (the
 * extension host's own working directory means nothing to a user). Empty stays empty.
 */
export function resolveRouteFile(file: string | undefined, workspaceFolder: string | undefined, home = homedir()): { path?: string; problem?: string } {
  if (!file) return {};
  if (file === '~' || file.startsWith('~/')) return { path: join(home, file.slice(1)) };
  if (isAbsolute(file)) return { path: file };
  if (!workspaceFolder) return { problem: `"${file}" is relative and no folder is open: use an absolute path, or open the project it belongs to` };
  return { path: resolve(workspaceFolder, file) };
}
