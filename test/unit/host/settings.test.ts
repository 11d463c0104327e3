import assert from 'node:assert/strict';
import { resolveConfig, type ConfigSources } from '../../../src/host/config-resolver';
import { formatSettingsIssues, readSettingsInput, settingsProblemSummary, settingsWarnings, snapshotOf } from '../../../src/host/settings-input';

// Malformed settings, as a user would type them in settings.json: the message must name the setting to fix.

const valid = {
  endpoints: [{ id: 'local', baseURL: 'http://127.0.0.1:8000/v1' }],
  models: [
    { id: 'a', endpoint: 'local', model: 'model-a' },
    { id: 'b', endpoint: 'local', model: 'model-b' },
  ],
  proposers: ['a', 'b'],
  aggregator: 'a',
};

function sources(settings: Record<string, unknown>): ConfigSources {
  return { settingsInput: () => readSettingsInput((key) => settings[key]), vscodeModels: async () => [] };
}

async function problemFor(settings: Record<string, unknown>): Promise<string> {
  const resolved = await resolveConfig(sources(settings));
  assert.equal(resolved.ok, false, 'expected the settings to be rejected');
  return resolved.ok ? '' : resolved.problem.message;
}

describe('settings validation', () => {
  it('accepts a valid configuration', async () => {
    const resolved = await resolveConfig(sources(valid));
    assert.ok(resolved.ok);
    assert.equal(resolved.config.strategy, 'smoa');
  });

  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['wrong type', { layers: 'two' }, /smoa\.layers: expected number, got "two"/],
    ['wrong type in a list item', { models: [{ id: 'a', endpoint: 'local', model: 7 }] }, /smoa\.models\[0\]\.model: expected string, got 7/],
    ['unknown model id', { aggregator: 'gpt-5' }, /smoa\.aggregator: unknown model "gpt-5" \(known: "a", "b"\)/],
    ['unknown judge', { judge: 'c' }, /smoa\.judge: unknown model "c"/],
    ['empty proposers', { proposers: [] }, /smoa\.proposers: list at least one proposer model id/],
    ['topK above the proposers', { topK: 3 }, /smoa\.topK: topK \(3\) cannot exceed the number of proposers \(2\)/],
    ['bad URL', { endpoints: [{ id: 'local', baseURL: 'localhost:8000' }] }, /smoa\.endpoints\[0\]\.baseURL: must be an http\(s\) URL/],
    ['unknown endpoint', { models: [valid.models[0], { id: 'b', endpoint: 'x', model: 'm' }] }, /smoa\.models\[1\]\.endpoint: unknown endpoint "x"/],
    ['unknown field in an object', { endpoints: [{ id: 'local', baseURL: 'http://h/v1', apiKey: 'sk-1' }] }, /smoa\.endpoints\[0\]: unknown setting\(s\): apiKey/],
    ['bad enum', { strategy: 'dense' }, /smoa\.strategy: /],
    ['unknown judge in a jury', { judge: ['a', 'c'] }, /smoa\.judge\[1\]: unknown model "c"/],
    ['empty jury', { judge: [] }, /smoa\.judge: list at least one judge model id/],
    ['judgeOrders other than 1 or 2', { judgeOrders: 3 }, /smoa\.judgeOrders: must be 1 or 2/],
  ];
  for (const [name, change, expected] of cases) {
    it(`names the setting: ${name}`, async () => {
      assert.match(await problemFor({ ...valid, ...change }), expected);
    });
  }

  it('warns when a judge also proposes (self-preference), unless judgeRecusal is on', () => {
    const snapshot = (settings: Record<string, unknown>) => snapshotOf(readSettingsInput((key) => settings[key]));
    const warned = settingsWarnings(snapshot({ ...valid, judge: 'b' }));
    assert.match(formatSettingsIssues(warned), /^smoa\.judge: judge "b" is also a proposer: LLM judges tend to favour their own answers\. Set judgeRecusal to true/);
    // The default judge is the aggregator, a proposer here too: a default the user did not choose is not warned about.
    assert.deepEqual(settingsWarnings(snapshot(valid)), []);
    assert.deepEqual(settingsWarnings(snapshot({ ...valid, judge: '' })), [], 'an empty judge setting means unset');
    assert.deepEqual(settingsWarnings(snapshot({ ...valid, judge: 'b', judgeRecusal: true })), []);
    assert.deepEqual(settingsWarnings(snapshot({})), [], "VS Code's own models: no warning");
  });

  it('offers to open the top-level setting of the first problem', async () => {
    const resolved = await resolveConfig(sources({ ...valid, models: [valid.models[0], { id: 'b', endpoint: 'x', model: 'm' }] }));
    assert.ok(!resolved.ok);
    assert.deepEqual(resolved.problem.actions, [{ title: 'Open Settings', command: 'workbench.action.openSettings', arguments: ['smoa.models'] }]);
  });

  it('treats empty strings of optional model references as unset, as the Settings editor writes them', async () => {
    const resolved = await resolveConfig(sources({ ...valid, judge: '', moderator: '', roleModel: '', systemPrompt: '', proposerMaxTokens: null }));
    assert.ok(resolved.ok);
    assert.equal(resolved.config.judge, undefined);
  });

  it('ignores extension-only settings such as smoa.insert.mode', () => {
    const input = readSettingsInput((key) => ({ ...valid, insert: { mode: 'codeBlocks' } })[key]);
    assert.equal('insert' in input, false);
  });

  it('sums several problems up in one notification line', () => {
    const snapshot = snapshotOf({ ...valid, layers: 0, aggregator: 'zz' });
    assert.ok(!snapshot.auto && !snapshot.result.ok);
    const summary = settingsProblemSummary(snapshot.result.ok ? [] : snapshot.result.issues);
    assert.match(summary, /^Invalid SMoA setting: smoa\.\w+.*\(and 1 more problem: see the SMoA output\)$/);
  });

  it('with no models and no proposers, uses what VS Code offers and is not an error', () => {
    assert.equal(snapshotOf({}).auto, true);
    assert.equal(snapshotOf({ models: [], proposers: [], strategy: 'moa' }).auto, true);
    assert.equal(snapshotOf({ models: [], proposers: ['a'] }).auto, false);
  });
});
