import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const readJson = (file: string) => JSON.parse(readFileSync(resolve(root, file), 'utf8'));

describe('npm install scripts', () => {
  // npm 11 skips a dependency's install scripts unless package.json's allowScripts approves them, and ends every
  // `npm ci` with a warning listing the skipped ones: a new user's first command should be quiet.
  it('every installed package with an install script has a decision in allowScripts', () => {
    const allow: Record<string, boolean> = readJson('package.json').allowScripts ?? {};
    const lock: { packages: Record<string, { hasInstallScript?: boolean; optional?: boolean }> } = readJson('package-lock.json');
    const needing = Object.entries(lock.packages)
      // An optional native package (keytar, for `vsce login`, which we never run) is not installed here.
      .filter(([, p]) => p.hasInstallScript && !p.optional)
      .map(([path]) => path.replace(/^.*node_modules\//, ''));
    assert.ok(needing.includes('esbuild'), 'the lock file lists esbuild with its install script');
    const undecided = needing.filter((name) => !(name in allow) && !Object.keys(allow).some((k) => k.startsWith(`${name}@`)));
    assert.deepEqual(undecided, []);
  });
});
