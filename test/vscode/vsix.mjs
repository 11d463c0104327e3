/* global console -- Node globals: the ESLint config declares none for .mjs */
// Builds the extension and packages it as a VSIX under .vscode-test/ (what the UI tests and the sandbox install).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { paths } from './install.mjs';

export const VSIX_PATH = join(paths.cacheDir, 'smoa.vsix');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: paths.repoRoot, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}

/** `npm run build` (unless build: false), then `vsce package --no-dependencies`. Returns the VSIX path. */
export function buildAndPackage({ build = true } = {}) {
  const started = Date.now();
  mkdirSync(paths.cacheDir, { recursive: true });
  if (build) run('npm', ['run', '--silent', 'build']);
  // Local vsce binary: `npx` would be the same, minus npx's own start-up.
  run(join(paths.repoRoot, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--skip-license', '-o', VSIX_PATH]);
  console.log(`[vsix] built and packaged ${VSIX_PATH} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return VSIX_PATH;
}

if (process.argv[1] && process.argv[1].endsWith('vsix.mjs')) buildAndPackage();
