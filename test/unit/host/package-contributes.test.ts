import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STRATEGIES, parseConfig } from '../../../src/pipeline/config';
import { ENGINE_SETTING_KEYS, readSettingsInput } from '../../../src/host/settings-input';
import { EXTENSION_SETTINGS } from '../../../src/host/settings-meta';

// package.json's settings are the schema spelled for VS Code: they must not drift apart.

const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));
const properties: Record<string, { default?: unknown }> = pkg.contributes.configuration.properties;

describe('package.json contributions', () => {
  it('declares one smoa.<field> setting per config schema field, and nothing else but extension-only ones', () => {
    const declared = Object.keys(properties).sort();
    // A nested object field is one setting per sub-field (VS Code hands `get('agent')` back as the object).
    const nested: Record<string, string[]> = {
      agent: ['agent.reconsult'],
      budget: ['budget.maxUsd', 'budget.maxTokens'],
      route: ['route.file', 'route.costWeight', 'route.maxProposers', 'route.minSimilarity', 'route.fallback'],
    };
    const expected = [...ENGINE_SETTING_KEYS.flatMap((k) => nested[k] ?? [k]).map((k) => `smoa.${k}`), ...Object.keys(EXTENSION_SETTINGS).map((k) => `smoa.${k}`)].sort();
    assert.deepEqual(declared, expected);
    for (const [name, prop] of Object.entries(properties)) {
      assert.ok((prop as { markdownDescription?: string }).markdownDescription, `${name} has a markdownDescription`);
    }
  });

  it('the settings defaults are the schema defaults', () => {
    const minimal = { models: [{ id: 'a', endpoint: 'vscode', model: 'copilot/gpt-4o' }], proposers: ['a'], aggregator: 'a', topK: 1 };
    const fromDefaults = readSettingsInput((key) => ({ ...minimal, [key]: properties[`smoa.${key}`]?.default, ...pick(minimal, key) })[key]);
    const a = parseConfig(fromDefaults);
    const b = parseConfig(minimal);
    assert.ok(a.ok && b.ok, JSON.stringify(a));
    assert.deepEqual(a.config, b.config);
  });

  it('an unset smoa.budget.* (null, as VS Code gives it) is no limit; a set one is read', () => {
    const minimal = { models: [{ id: 'a', endpoint: 'vscode', model: 'copilot/gpt-4o' }], proposers: ['a'], aggregator: 'a', topK: 1 };
    const read = (budget: unknown) => parseConfig(readSettingsInput((key) => ({ ...minimal, budget })[key as 'budget']));
    const unset = read({ maxUsd: properties['smoa.budget.maxUsd'].default, maxTokens: properties['smoa.budget.maxTokens'].default });
    assert.ok(unset.ok && unset.config.budget === undefined, JSON.stringify(unset));
    const set = read({ maxUsd: 0.5, maxTokens: null });
    assert.ok(set.ok);
    assert.deepEqual(set.config.budget, { maxUsd: 0.5 });
  });

  it('offers a slash command per strategy, plus /roles', () => {
    const participant = pkg.contributes.chatParticipants[0];
    assert.equal(participant.name, 'smoa');
    assert.deepEqual(participant.commands.map((c: { name: string }) => c.name), [...STRATEGIES, 'roles']);
  });
});

function pick(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  return key in obj ? { [key]: obj[key] } : {};
}
