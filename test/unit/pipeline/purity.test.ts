import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The engine runs in the CLI, in tests and in the webview's fold: it must never depend on VS Code. */
describe('src/pipeline stays pure', () => {
  const dir = join(__dirname, '../../../src/pipeline');
  const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.ts'));

  it('has source files to check', () => assert.ok(files.length > 5));

  it('no file imports vscode', () => {
    const offenders = files.filter((f) => /(from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\))/.test(readFileSync(join(dir, f), 'utf8')));
    assert.deepEqual(offenders, []);
  });

  it('trace.ts, which the webview bundles, imports nothing from Node', () => {
    const text = readFileSync(join(dir, 'trace.ts'), 'utf8');
    const imports = [...text.matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
    assert.deepEqual(imports.filter((i) => !i.startsWith('./')), []);
  });
});
