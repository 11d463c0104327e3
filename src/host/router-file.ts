import { readFileSync, statSync } from 'node:fs';
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

  load(config: SmoaConfig): { router?: RouterFile; problem?: UserProblem } {
    const path = config.route.file;
    if (!path) return {};
    const problem = (message: string): { problem: UserProblem } => ({ problem: { message: `smoa.route.file: ${message}`, actions: [actions.openSettings('smoa.route.file')] } });
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
