/* global clearTimeout, setTimeout -- Node globals: the ESLint config declares none for .mjs */
// Runs the project's fake OpenAI-compatible server (test/server/main.ts) as a child process.
// Contract with test/server: `node --import tsx test/server/main.ts --port N [--ttft-ms X] [--tokens-per-second Y]`
// prints its base URL (http://127.0.0.1:N/v1) on stdout and serves until killed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './code-server.mjs';
import { paths } from './install.mjs';

export const FAKE_SERVER_ENTRY = join(paths.repoRoot, 'test/server/main.ts');

export function fakeServerAvailable() {
  return existsSync(FAKE_SERVER_ENTRY);
}

/**
 * @param {{ port?: number, ttftMs?: number, tokensPerSecond?: number, quiet?: boolean, timeoutMs?: number, recordFile?: string }} [opts]
 *   `recordFile`: every request's model and messages are appended there as JSON Lines.
 * @returns {Promise<{ url: string, port: number, stop: () => Promise<void> }>}
 */
export async function startFakeServerProcess(opts = {}) {
  if (!fakeServerAvailable()) throw new Error(`fake OpenAI server not found: ${FAKE_SERVER_ENTRY}`);
  const port = opts.port ?? (await freePort());
  const args = ['--import', 'tsx', FAKE_SERVER_ENTRY, '--port', String(port)];
  if (opts.ttftMs !== undefined) args.push('--ttft-ms', String(opts.ttftMs));
  if (opts.tokensPerSecond !== undefined) args.push('--tokens-per-second', String(opts.tokensPerSecond));
  if (opts.recordFile) args.push('--record', opts.recordFile);
  const child = spawn(process.execPath, args, { cwd: paths.repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  const exitPromise = new Promise((r) => child.on('exit', () => ((exited = true), r())));
  let output = '';
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`fake server printed no URL within ${opts.timeoutMs ?? 15000} ms:\n${output}`)),
      opts.timeoutMs ?? 15000,
    );
    const onData = (chunk) => {
      output += chunk;
      if (!opts.quiet) process.stderr.write(`[fake-openai] ${chunk}`);
      const m = /https?:\/\/[^\s"']+/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[0].replace(/\/+$/, ''));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fake server exited (${code}) before printing its URL:\n${output}`));
    });
  });
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    if (await Promise.race([exitPromise.then(() => false), sleep(3000).then(() => true)])) child.kill('SIGKILL');
    await exitPromise;
  };
  return { url, port, stop };
}
