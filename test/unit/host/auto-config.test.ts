import assert from 'node:assert/strict';
import { autoPanel } from '../../../src/host/auto-config';
import { resolveConfig } from '../../../src/host/config-resolver';
import type { VsCodeModelInfo } from '../../../src/host/vscode-models';
import { offeredByOthers, parseSelector } from '../../../src/host/vscode-models';

const lm = (vendor: string, family: string, id = `${family}-2025`): VsCodeModelInfo => ({ id, vendor, family, name: family.toUpperCase() });

describe('zero set-up with the models VS Code offers', () => {
  const offered = [lm('copilot', 'gpt-4o'), lm('copilot', 'gpt-4o', 'gpt-4o-mini-x'), lm('copilot', 'claude-sonnet-4'), lm('copilot', 'gemini-2.5-pro'), lm('other', 'o3'), lm('copilot', 'gpt-5')];

  it('uses distinct families as proposers and the chat-selected model as aggregator', () => {
    const panel = autoPanel(offered, lm('copilot', 'claude-sonnet-4'))!;
    assert.deepEqual(panel.proposers, ['claude-sonnet-4', 'gpt-4o', 'gemini-2.5-pro', 'o3']);
    assert.equal(panel.aggregator, 'claude-sonnet-4');
    assert.deepEqual(panel.models[0], { id: 'claude-sonnet-4', endpoint: 'vscode', model: 'copilot/claude-sonnet-4', label: 'CLAUDE-SONNET-4' });
  });

  it('leaves out this extension’s own models (the ensemble would run a panel inside the panel)', () => {
    assert.deepEqual(offeredByOthers([lm('smoa', 'smoa-ensemble'), lm('copilot', 'gpt-4o')]), [lm('copilot', 'gpt-4o')]);
  });

  it('asks a lone family several times, so there is still a panel', () => {
    const panel = autoPanel([lm('copilot', 'gpt-4o')])!;
    assert.deepEqual(panel.proposers, ['gpt-4o', 'gpt-4o', 'gpt-4o']);
  });

  it('keeps ids distinct when two vendors ship the same family', () => {
    const panel = autoPanel([lm('copilot', 'llama'), lm('ollama', 'llama')])!;
    assert.deepEqual(panel.models.map((m) => m.id), ['llama', 'ollama/llama']);
  });

  it('keeps the user’s other settings and fits topK to the panel', async () => {
    const resolved = await resolveConfig(
      { settingsInput: () => ({ strategy: 'moa', layers: 3, topK: 6 }), vscodeModels: async () => offered.slice(0, 2) },
      offered[0],
    );
    assert.ok(resolved.ok && resolved.auto);
    assert.equal(resolved.config.strategy, 'moa');
    assert.equal(resolved.config.layers, 3);
    assert.equal(resolved.config.topK, 3);
  });

  it('reads a model setting as vendor/family or an id', () => {
    assert.deepEqual(parseSelector('copilot/gpt-4o'), { vendor: 'copilot', family: 'gpt-4o' });
    assert.deepEqual(parseSelector('gpt-4o-2024-11-20'), { id: 'gpt-4o-2024-11-20' });
  });
});
