/* global console -- Node globals: the ESLint config declares none for .mjs */
// Runs the extension-host suite in a downloaded desktop VS Code with @vscode/test-electron (machines with internet).
// Same suite as test/vscode/run-suite.mjs (code-server), which is the runner that works offline and in CI here.
// Usage: npm run build && node test/vscode/run-electron.mjs [--version stable|insiders|1.104.0]
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({ options: { version: { type: 'string', default: 'stable' } } });

try {
  const { runTests } = await import('@vscode/test-electron');
  const code = await runTests({
    version: args.version,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: join(repoRoot, 'out/test/suite/index.js'),
    launchArgs: [join(repoRoot, 'test/vscode/sample-workspace'), '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { SMOA_TEST: '1' },
  });
  process.exit(code);
} catch (err) {
  const msg = err instanceof Error ? err.message : String(err);
  console.error(`[run-electron] FAILED: ${msg}`);
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo|download/i.test(msg)) {
    console.error(
      '[run-electron] VS Code could not be downloaded (offline?). Use the code-server runner, which needs only the npm ' +
        'registry: npm run test:vscode',
    );
  }
  process.exit(typeof err === 'number' ? err : 1);
}
