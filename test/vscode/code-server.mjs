/* global fetch -- Node globals: the ESLint config declares none for .mjs */
// Starts a throw-away code-server (real VS Code, Node extension host) and a headless Chromium to drive it.
// Every start gets a fresh temp profile: user data, extensions, XDG dirs, so runs never share state.
// Requires `node test/vscode/install.mjs` first (the runners call ensureInstalled() themselves).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { paths } from './install.mjs';

/** Flags that keep Debian's Chromium quiet and working as root in a container (see docs/real-vscode.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A free TCP port on 127.0.0.1 (tiny race window between close and reuse; good enough for tests). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

/** Environment in which code-server and its helpers run: Node 24 first on PATH (code-server pins it). */
export function codeServerEnv(extra = {}) {
  return { ...process.env, PATH: `${paths.node24Bin}:${process.env.PATH}`, ...extra };
}

/**
 * @param {object} opts
 * @param {string} opts.workspace folder to open (absolute or relative to cwd)
 * @param {Record<string, unknown>} [opts.userSettings] written to <userDataDir>/User/settings.json
 * @param {string} [opts.extensionsDir] defaults to a fresh temp dir
 * @param {string|string[]} [opts.installVsix] VSIX file(s) installed into the profile before starting
 * @param {number} [opts.port] defaults to a free port
 * @param {string[]} [opts.extraArgs] e.g. ['--vscode-option', 'enable-smoke-test-driver']
 * @param {Record<string, string>} [opts.env] extra environment: it reaches the extension host
 * @param {boolean} [opts.quiet] do not forward code-server's own output
 * @returns {Promise<{ url: string, port: number, userDataDir: string, extensionsDir: string, tempDir: string,
 *   workspace: string, stop: () => Promise<void> }>}
 */
export async function startCodeServer(opts) {
  const { userSettings = {}, installVsix, extraArgs = [], env = {}, quiet = false } = opts;
  const workspace = resolve(opts.workspace);
  const port = opts.port ?? (await freePort());
  const tempDir = mkdtempSync(join(tmpdir(), 'smoa-cs-'));
  const userDataDir = join(tempDir, 'udd');
  const extensionsDir = opts.extensionsDir ?? join(tempDir, 'exts');
  const xdg = join(tempDir, 'xdg');
  for (const d of [join(userDataDir, 'User'), extensionsDir, join(xdg, 'data'), join(xdg, 'cache')]) {
    mkdirSync(d, { recursive: true });
  }
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(userSettings, null, 2));

  // Without XDG_* code-server writes ~/.config/code-server/config.yaml and shares state between runs.
  const childEnv = codeServerEnv({
    XDG_CONFIG_HOME: xdg,
    XDG_DATA_HOME: join(xdg, 'data'),
    XDG_CACHE_HOME: join(xdg, 'cache'),
    ...env,
  });
  const profileArgs = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  for (const vsix of [installVsix ?? []].flat()) {
    const r = spawnSync(paths.codeServerBin, [...profileArgs, '--install-extension', resolve(vsix)], {
      env: childEnv,
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      throw new Error(`code-server --install-extension ${vsix} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
  }

  const args = [
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    ...profileArgs,
    '--bind-addr', `127.0.0.1:${port}`,
    ...extraArgs,
    workspace,
  ];
  // detached: its own process group, so stop() also ends the extension host and file watchers it forks.
  const child = spawn(paths.codeServerBin, args, { env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (chunk) => {
    output = (output + chunk).slice(-20000);
    if (!quiet) process.stderr.write(`[code-server] ${chunk}`.replace(/\n(?=.)/g, '\n[code-server] '));
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = false;
  const exitPromise = new Promise((r) => child.on('exit', (code, signal) => ((exited = true), r({ code, signal }))));

  const stop = async () => {
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const timedOut = await Promise.race([exitPromise.then(() => false), sleep(5000).then(() => true)]);
      if (timedOut) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
        await exitPromise;
      }
    }
    rmSync(tempDir, { recursive: true, force: true, maxRetries: 3 });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited before answering /healthz:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer ${url}/healthz within 30 s:\n${output}`);
    }
    await sleep(100);
  }
  return { url, port, userDataDir, extensionsDir, tempDir, workspace, stop };
}

/**
 * A headless Chromium (playwright-core persistent context on Debian's /usr/bin/chromium) with a fresh profile.
 * `close()` closes the browser and deletes the profile.
 * @param {{ headless?: boolean, viewport?: { width: number, height: number } }} [opts]
 */
export async function launchBrowser(opts = {}) {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'smoa-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: paths.chromium,
    headless: opts.headless ?? true,
    args: CHROMIUM_ARGS,
    viewport: opts.viewport ?? { width: 1400, height: 900 },
  });
  const close = context.close.bind(context);
  context.close = async (...a) => {
    await close(...a);
    rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  };
  return context;
}
