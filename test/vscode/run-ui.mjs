/* global console -- Node globals: the ESLint config declares none for .mjs */
// Runs every UI end-to-end script test/vscode/ui/*.mjs (not lib/), one after another: they each start their own
// code-server and browser, and two at once would fight over 2 cores. Exit code 1 if any failed.
// Usage: node test/vscode/run-ui.mjs [name-substring...]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { paths } from './install.mjs';

const dir = join(paths.repoRoot, 'test/vscode/ui');
const filters = process.argv.slice(2);
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith('.mjs') && (filters.length === 0 || filters.some((s) => f.includes(s))))
  .sort();
const failed = [];
for (const f of scripts) {
  const started = Date.now();
  console.log(`[ui] running ${f}`);
  const r = spawnSync(process.execPath, [join(dir, f)], { stdio: 'inherit', cwd: paths.repoRoot });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) failed.push(f);
  console.log(`[ui] ${f}: ${r.status === 0 ? 'passed' : `FAILED (${r.status ?? r.signal})`} in ${secs} s`);
}
console.log(`[ui] ${scripts.length - failed.length}/${scripts.length} passed${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
process.exit(failed.length ? 1 : 0);
