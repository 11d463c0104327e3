import assert from 'node:assert/strict';
import {
  countTokens,
  DEFAULT_MAX_INPUT_TOKENS,
  endpointModelInformation,
  endpointModels,
  ensembleInformation,
  ENSEMBLE_MODEL_ID,
} from '../../../src/models/model-catalog';
import { LM_ROLE } from '../../../src/models/message-mapping';
import { loadConfig } from '../../../src/pipeline/config';

describe('model picker catalog', () => {
  const endpoints = [
    { id: 'local', baseURL: 'http://127.0.0.1:8000/v1' },
    { id: 'broken', baseURL: 'not a url' },
  ];

  it('lists each configured endpoint model, checked entry by entry, without needing proposers', () => {
    const models = endpointModels({
      endpoints,
      models: [
        { id: 'qwen', endpoint: 'local', model: 'qwen2.5-coder', label: 'Qwen Coder', maxTokens: 8000 },
        { id: 'plain', endpoint: 'local', model: 'llama3', toolCalling: false },
        { id: 'copilot', endpoint: 'vscode', model: 'copilot/gpt-4o' },
        { id: 'orphan', endpoint: 'nowhere', model: 'x' },
        { id: 'bad-endpoint', endpoint: 'broken', model: 'x' },
        { id: '', endpoint: 'local', model: 'x' },
        { id: 'qwen', endpoint: 'local', model: 'duplicate' },
      ],
    });
    assert.deepEqual(
      models.map((m) => m.model.id),
      ['qwen', 'plain'],
    );
    const [qwen, plain] = models.map(endpointModelInformation);
    assert.equal(qwen.name, 'Qwen Coder');
    assert.equal(qwen.family, 'qwen2.5-coder');
    assert.equal(qwen.maxOutputTokens, 8000);
    assert.equal(qwen.maxInputTokens, DEFAULT_MAX_INPUT_TOKENS);
    assert.equal(qwen.capabilities.toolCalling, true, 'unset means the endpoint calls tools');
    assert.equal(plain.capabilities.toolCalling, false);
    assert.equal(plain.maxOutputTokens, 4096);
  });

  it('tolerates settings that are not arrays', () => {
    assert.deepEqual(endpointModels({ endpoints: 'x', models: { id: 'a' } }), []);
  });

  it('offers the ensemble with tool calling (so Agent mode lists it) and the aggregator output budget', () => {
    const config = loadConfig({
      endpoints: endpoints.slice(0, 1),
      models: [{ id: 'a', endpoint: 'local', model: 'm', maxTokens: 2000 }],
      proposers: ['a', 'a', 'a'],
      aggregator: 'a',
    });
    const info = ensembleInformation(config);
    assert.equal(info.id, ENSEMBLE_MODEL_ID);
    assert.equal(info.name, 'SMoA ensemble');
    assert.equal(info.capabilities.toolCalling, true);
    assert.equal(info.maxOutputTokens, 2000);
    assert.equal(info.detail, 'SMOA, 3 proposers');
    assert.equal(ensembleInformation(undefined).maxOutputTokens, 4096);
  });

  it("counts with the project's one token rule (two bytes a token, an upper bound), over every part of a message", () => {
    assert.equal(countTokens('12345678'), 4);
    const message = {
      role: LM_ROLE.user,
      content: [{ value: 'a'.repeat(40) }, { callId: 'c', content: [{ value: 'b'.repeat(20) }] }, { callId: 'd', name: 'read', input: { p: 1 } }],
    };
    // 4 overhead + 20 text + 10 tool result + 2 name + 4 arguments ({"p":1} is 7 characters)
    assert.equal(countTokens(message), 40);
  });
});
