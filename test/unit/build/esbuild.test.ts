import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

describe('build', () => {
  it('fails, naming the file, when an entry point is missing (no stale bundle left looking fresh)', function () {
    this.timeout(30_000);
    const root = resolve(__dirname, '../../..');
    const dir = mkdtempSync(join(tmpdir(), 'smoa-build-'));
    try {
      copyFileSync(join(root, 'esbuild.mjs'), join(dir, 'esbuild.mjs'));
      copyFileSync(join(root, 'package.json'), join(dir, 'package.json')); // the CLI bundle takes its version from it
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
      mkdirSync(join(dir, 'src/views/webview/trace'), { recursive: true });
      writeFileSync(join(dir, 'src/extension.ts'), 'export {};\n');
      writeFileSync(join(dir, 'src/views/webview/trace/main.ts'), 'export {};\n');
      // src/cli.ts is missing, as after a rename.
      const run = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: dir, encoding: 'utf8' });
      assert.notEqual(run.status, 0);
      assert.match(run.stderr, /entry point\(s\) not found: src\/cli\.ts/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
