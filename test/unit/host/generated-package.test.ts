import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PACKAGE_JSON, packageJsonText, settingsProperties } from '../../../scripts/generate-package';

describe('package.json is generated from the schemas', () => {
  it('the committed package.json is what `npm run gen:package` writes (types, ranges, enums, defaults, commands, tool schema)', () => {
    const text = readFileSync(PACKAGE_JSON, 'utf8');
    assert.equal(text, packageJsonText(JSON.parse(text)), 'package.json is stale: run `npm run gen:package`');
  });

  it('a schema range reaches the setting: smoa.layers is 1-10 as in the config schema', () => {
    const layers = settingsProperties()['smoa.layers'] as { minimum: number; maximum: number; default: number };
    assert.deepEqual([layers.minimum, layers.maximum, layers.default], [1, 10, 2]);
  });
});
