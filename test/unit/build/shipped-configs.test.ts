import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configWarnings, parseConfig } from '../../../src/pipeline/config';
import { settingsWarnings, snapshotOf } from '../../../src/host/settings-input';
// @ts-expect-error -- a plain .mjs module of the real-VS-Code scripts, without types
import { realEndpointSettings, sandboxSettings, smoaSettings } from '../../vscode/smoa-settings.mjs';

/** `smoa.*` user settings as the extension reads them. */
function smoaInput(settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).filter(([k]) => k.startsWith('smoa.')).map(([k, v]) => [k.slice(5), v]));
}

function assertQuiet(name: string, settings: Record<string, unknown>) {
  const snapshot = snapshotOf(smoaInput(settings));
  assert.ok(!snapshot.auto && snapshot.result.ok, `${name}: the settings are valid`);
  assert.deepEqual(settingsWarnings(snapshot).map((w) => w.message), [], `${name}: no warning at start-up`);
}

// The configs a new user meets first must follow the product's own advice: the settings check warns about nothing.
describe('shipped configs', () => {
  it("the sandbox's settings (simulated models) start without a warning", () => {
    assertQuiet('sandbox', sandboxSettings(smoaSettings('http://127.0.0.1:8000/v1')));
  });

  it("the sandbox's settings for a real endpoint start without a warning, with 1 to 5 models", () => {
    for (let n = 1; n <= 5; n++) {
      const models = Array.from({ length: n }, (_, i) => `model-${i + 1}`);
      assertQuiet(`${n} endpoint models`, sandboxSettings(realEndpointSettings('http://127.0.0.1:8000/v1', models)));
    }
  });

  it("the README's CLI example config is valid and draws no warning", () => {
    const readme = readFileSync(resolve(__dirname, '../../../README.md'), 'utf8');
    const block = /cat > smoa\.json <<'EOF'\n([\s\S]*?)\nEOF/.exec(readme);
    assert.ok(block, 'the README has the CLI example');
    const parsed = parseConfig(JSON.parse(block[1]));
    assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.issues));
    assert.deepEqual(configWarnings(parsed.config), []);
  });
});

describe('the sandbox as the README describes it', () => {
  const readme = readFileSync(resolve(__dirname, '../../../README.md'), 'utf8');
  const sandbox = readFileSync(resolve(__dirname, '../../vscode/sandbox.mjs'), 'utf8');

  it('documents every option sandbox.mjs accepts', () => {
    const options = [...sandbox.matchAll(/^ {4}'?([a-z-]+)'?: \{ type: '(?:string|boolean)'/gm)].map((m) => m[1]);
    assert.deepEqual(options.sort(), ['config', 'port', 'tokens-per-second', 'ttft-ms', 'workspace']);
    for (const option of options) assert.ok(readme.includes(`| \`--${option}`), `README documents --${option}`);
  });

  it('paces the simulated models by default, as the README says', async () => {
    // @ts-expect-error -- a plain .mjs module of the real-VS-Code scripts, without types
    const { SANDBOX_PACING } = await import('../../vscode/smoa-settings.mjs');
    assert.ok(SANDBOX_PACING.ttftMs > 0 && SANDBOX_PACING.tokensPerSecond > 0, 'paced: a run is not over in under a second');
    assert.ok(readme.includes(`| \`--ttft-ms MS\` | ${SANDBOX_PACING.ttftMs} |`));
    assert.ok(readme.includes(`| \`--tokens-per-second N\` | ${SANDBOX_PACING.tokensPerSecond} |`));
  });
});
