/* global console -- Node globals: the ESLint config declares none for .mjs */
// `npm run test:all`: every test stage in order, each timed, stopping at the first failure (what CI runs).
import { spawnSync } from 'node:child_process';
import process from 'node:process';

const stages = [
  ['unit (typecheck, lint, unused exports, build, mocha)', 'test'],
  ['browser (webview in headless Chromium)', 'test:browser'],
  ['extension host (mocha in code-server)', 'test:vscode'],
  ['UI end to end (workbench in Chromium)', 'test:ui'],
];

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const timings = [];
const started = Date.now();
for (const [label, script] of stages) {
  const t0 = Date.now();
  console.log(`\n[test:all] ${label}: npm run ${script}`);
  const { status, signal } = spawnSync(npm, ['run', script], { stdio: 'inherit' });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  timings.push(`  ${label.padEnd(42)} ${seconds.padStart(6)} s  ${status === 0 ? 'passed' : 'FAILED'}`);
  if (status !== 0) {
    console.error(`\n[test:all] ${label} failed (${signal ?? `exit ${status}`})\n${timings.join('\n')}`);
    process.exit(status ?? 1);
  }
}
console.log(`\n[test:all] every stage passed in ${((Date.now() - started) / 1000).toFixed(1)} s\n${timings.join('\n')}`);
