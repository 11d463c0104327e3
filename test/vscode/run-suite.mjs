/* global clearTimeout, console, setTimeout -- Node globals: the ESLint config declares none for .mjs */
// Runs the extension-host mocha suite (out/test/suite/index.js, built by `npm run build` from test/vscode/suite/*.ts)
// inside a real VS Code: code-server + headless Chromium, through VS Code's smoke-test driver payload, which is the
// same contract as @vscode/test-electron (extensionDevelopmentPath + extensionTestsPath; see docs/real-vscode.md).
//
// Before the suite: starts the fake OpenAI server (test/server/main.ts) and exposes it to the extension host as
// SMOA_TEST_BASE_URL; writes user settings from test/vscode/settings.json, with ${VAR} replaced from that environment.
//
// Usage: node test/vscode/run-suite.mjs [--grep <regex>] [--timeout <seconds>] [--workspace <dir>] [--no-fake-server]
//        [--verbose]   (also forwards code-server's and the browser's own logs)
// Exit code: the suite's (0 = all passed), 2 on infrastructure failure or timeout.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { format, parseArgs } from 'node:util';
import { launchBrowser, startCodeServer } from './code-server.mjs';
import { fakeServerAvailable, startFakeServerProcess } from './fake-server.mjs';
import { ensureInstalled, paths } from './install.mjs';

const { values: args } = parseArgs({
  options: {
    grep: { type: 'string' },
    timeout: { type: 'string', default: process.env.SMOA_VSCODE_TIMEOUT ?? '300' },
    workspace: { type: 'string', default: join(paths.repoRoot, 'test/vscode/sample-workspace') },
    suite: { type: 'string', default: join(paths.repoRoot, 'out/test/suite/index.js') },
    'no-fake-server': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

/** Prefix of console output from the extension host (test/vscode/suite/index.ts tags it). */
const EXT_HOST_MARK = '\u200b[ext-host]\u200b';
const log = (msg) => console.log(`[run-suite] ${msg}`);
const started = Date.now();
const secs = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

/** test/vscode/settings.json with every ${NAME} replaced by env[NAME] (JSON-escaped); unknown names are an error. */
function loadSettingsTemplate(file, env) {
  if (!existsSync(file)) return {};
  const text = readFileSync(file, 'utf8').replace(/\$\{(\w+)\}/g, (_, name) => {
    if (env[name] === undefined) throw new Error(`${file}: \${${name}} is not set (runner variables: ${Object.keys(env).filter((k) => k.startsWith('SMOA_')).join(', ')})`);
    return JSON.stringify(String(env[name])).slice(1, -1);
  });
  return JSON.parse(text);
}

async function main() {
  const suite = resolve(args.suite);
  if (!existsSync(suite)) {
    console.error(`[run-suite] ${suite} does not exist: run \`npm run build\` first (it compiles test/vscode/suite/*.ts).`);
    return 2;
  }
  ensureInstalled();
  const timeoutMs = Number(args.timeout) * 1000;
  const cleanups = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((e) => console.error(`[run-suite] cleanup: ${e.message}`));
    cleanups.length = 0;
  };
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => void cleanup().then(() => process.exit(130)));
  }

  try {
    // Environment for the extension host (code-server passes its own environment on to it).
    const suiteEnv = {
      SMOA_TEST: '1',
      SMOA_TEST_REPO_ROOT: paths.repoRoot,
      // Never send a real key to the fake server; an extension reading OPENAI_API_KEY gets this one.
      OPENAI_API_KEY: 'smoa-test-key',
      SMOA_TEST_COLOR: process.stdout.isTTY ? '1' : '0',
    };
    if (args.grep) suiteEnv.SMOA_TEST_GREP = args.grep;
    if (!args['no-fake-server']) {
      if (fakeServerAvailable()) {
        const fake = await startFakeServerProcess({ quiet: !args.verbose });
        cleanups.push(fake.stop);
        suiteEnv.SMOA_TEST_BASE_URL = fake.url;
        log(`fake OpenAI server at ${fake.url} (${secs()})`);
      } else {
        log('test/server/main.ts not found: running without the fake OpenAI server (SMOA_TEST_BASE_URL unset)');
      }
    }

    const userSettings = loadSettingsTemplate(join(paths.repoRoot, 'test/vscode/settings.json'), {
      ...process.env,
      ...suiteEnv,
      SMOA_TEST_BASE_URL: suiteEnv.SMOA_TEST_BASE_URL ?? 'http://127.0.0.1:9/v1',
    });
    const cs = await startCodeServer({
      workspace: args.workspace,
      userSettings,
      extraArgs: ['--vscode-option', 'enable-smoke-test-driver'],
      env: suiteEnv,
      quiet: !args.verbose,
    });
    cleanups.push(cs.stop);
    log(`code-server at ${cs.url} (${secs()})`);

    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    const page = browser.pages()[0] ?? (await browser.newPage());
    if (args.verbose) page.on('console', (m) => console.log(`[browser:${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => args.verbose && console.log(`[browser:pageerror] ${e.message}`));

    let settle;
    const exitCode = new Promise((r) => (settle = r));
    await page.exposeFunction('codeAutomationExit', (code) => settle(Number(code)));
    // One channel carries both the workbench's console and the extension host's; the suite (index.ts) tags its side.
    await page.exposeFunction('codeAutomationLog', (type, logArgs) => {
      const text = format(...(Array.isArray(logArgs) ? logArgs : [logArgs]));
      const fromExtHost = text.startsWith(EXT_HOST_MARK);
      if (!fromExtHost && !args.verbose) return;
      const out = type === 'error' ? process.stderr : process.stdout;
      out.write(`${fromExtHost ? text.slice(EXT_HOST_MARK.length) : `[workbench:${type}] ${text}`}\n`);
    });

    // The remote authority must be exactly 127.0.0.1:PORT, the one the page is served from.
    const remote = (p) => `vscode-remote://127.0.0.1:${cs.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(paths.repoRoot)],
      ['extensionTestsPath', remote(suite)],
      ['skipWelcome', 'true'],
    ];
    const url = `${cs.url}/?folder=${encodeURIComponent(cs.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    log(`opening the workbench; suite: ${suite}`);
    await page.goto(url);

    let timer;
    const timeout = new Promise((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const result = await Promise.race([exitCode, timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      console.error(
        `[run-suite] FAILED: the suite did not finish within ${args.timeout} s (no codeAutomationExit). ` +
          'A test may hang, or the extension host failed to start: rerun with --verbose, or raise --timeout.',
      );
      return 2;
    }
    log(`suite finished with exit code ${result} in ${secs()}`);
    return result;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[run-suite] FAILED: ${err instanceof Error ? err.stack : err}`);
    process.exit(2);
  },
);
