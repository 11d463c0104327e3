// Entry of the extension-host test suite (the @vscode/test-electron contract: the host calls run() and exits with its
// outcome). Compiled by esbuild.mjs to out/test/suite/index.js; every other test/vscode/suite/*.test.ts becomes a
// sibling *.test.js, which this file hands to mocha. Runners: test/vscode/run-suite.mjs (code-server, works offline),
// test/vscode/run-electron.mjs (desktop VS Code download), .vscode/launch.json "Extension Tests" (F5).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';

/**
 * The smoke-test driver forwards the workbench's console and the extension host's through one channel
 * (codeAutomationLog), so test/vscode/run-suite.mjs cannot tell them apart: the reporter's lines are tagged here and the
 * runner prints those, hiding the workbench's noise (all of it, untagged console output included, with --verbose).
 * VS Code locks the extension host's console methods (getter-only properties), so mocha's reporter log is the hook.
 * Keep in sync with EXT_HOST_MARK in run-suite.mjs.
 */
const EXT_HOST_MARK = '\u200b[ext-host]\u200b';

function tagReporterOutput(): () => void {
  const original = Mocha.reporters.Base.consoleLog;
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(EXT_HOST_MARK + util.format(...args));
  return () => (Mocha.reporters.Base.consoleLog = original);
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    // The first activation in a fresh profile can take seconds on a loaded CI machine.
    timeout: 30_000,
    color: process.env.SMOA_TEST_COLOR === '1',
    grep: process.env.SMOA_TEST_GREP,
  });
  const dir = __dirname;
  // esbuild never deletes outputs: skip a compiled test whose source was removed or renamed.
  const sourceDir = path.resolve(dir, '../../../test/vscode/suite');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort()) {
    if (fs.existsSync(sourceDir) && !fs.existsSync(path.join(sourceDir, file.replace(/\.js$/, '.ts')))) continue;
    mocha.addFile(path.join(dir, file));
  }
  const untag = tagReporterOutput();
  return new Promise<void>((resolve, reject) => {
    try {
      mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed.`));
        else resolve();
      });
    } catch (err) {
      // A test file that throws while loading lands here; say so where the runner shows it.
      console.error(`${EXT_HOST_MARK}loading the suite failed: ${err instanceof Error ? err.stack : err}`);
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  }).finally(untag);
}
