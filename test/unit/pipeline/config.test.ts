import assert from 'node:assert/strict';
import { formatIssues, parseConfig } from '../../../src/pipeline/config';

const valid = {
  endpoints: [{ id: 'local', baseURL: 'http://127.0.0.1:8000/v1', apiKeyEnv: 'LOCAL_KEY', maxConcurrency: 8 }],
  models: [
    { id: 'a', endpoint: 'local', model: 'model-a', temperature: 0.7, maxTokens: 1024 },
    { id: 'b', endpoint: 'local', model: 'model-b' },
  ],
  strategy: 'smoa',
  proposers: ['a', 'b', 'a', 'b'],
  aggregator: 'a',
  judge: 'b',
  layers: 2,
  topK: 2,
  roles: 'auto',
  taskDescription: 'Answer programming questions',
};

function issuesOf(input: unknown): string {
  const result = parseConfig(input);
  assert.equal(result.ok, false, 'expected the config to be rejected');
  return formatIssues((result as { issues: { path: string; message: string }[] }).issues);
}

describe('config: one schema, errors by path', () => {
  it('accepts the README example and fills defaults (the paper setting)', () => {
    const result = parseConfig(valid);
    assert.ok(result.ok);
    assert.equal(result.config.earlyStop, true);
    assert.equal(result.config.temperature, 0.7);
    assert.equal(result.config.endpoints[0].structuredOutputs, 'auto');
    assert.equal(result.config.endpoints[0].maxRetries, 3);
  });

  const cases: [string, unknown, RegExp][] = [
    ['unknown endpoint', { ...valid, models: [valid.models[0], { id: 'b', endpoint: 'x', model: 'm' }] }, /^models\[1\]\.endpoint: unknown endpoint "x" \(known: "local"\)$/m],
    ['unknown proposer', { ...valid, proposers: ['a', 'zz'] }, /^proposers\[1\]: unknown model "zz"/m],
    ['unknown aggregator', { ...valid, aggregator: 'gpt' }, /^aggregator: unknown model "gpt"/m],
    ['empty proposers', { ...valid, proposers: [] }, /^proposers: list at least one proposer/m],
    ['topK > proposers', { ...valid, topK: 5 }, /^topK: topK \(5\) cannot exceed the number of proposers \(4\)$/m],
    ['bad URL', { ...valid, endpoints: [{ id: 'local', baseURL: 'localhost:8000' }] }, /^endpoints\[0\]\.baseURL: must be an http\(s\) URL/m],
    ['wrong type', { ...valid, layers: 'two' }, /^layers: expected number, got "two"$/m],
    ['out of range', { ...valid, models: [{ ...valid.models[0], temperature: 5 }, valid.models[1]] }, /^models\[0\]\.temperature: /m],
    ['unknown key', { ...valid, toppK: 2 }, /unknown setting\(s\): toppK/],
    ['duplicate model id', { ...valid, models: [valid.models[0], { ...valid.models[1], id: 'a' }] }, /^models\[1\]\.id: duplicate model id "a"$/m],
    ['wrong role count', { ...valid, roles: ['one'] }, /^roles: give one role per proposer \(4\), got 1$/m],
    ['bad strategy', { ...valid, strategy: 'best' }, /^strategy: /m],
    ['missing aggregator', { ...valid, aggregator: undefined }, /^aggregator: required/m],
    ['reserved endpoint id', { ...valid, endpoints: [{ id: 'vscode', baseURL: 'http://127.0.0.1:1/v1' }] }, /^endpoints\[0\]\.id: "vscode" is reserved/m],
  ];
  for (const [name, input, expected] of cases) {
    it(`names the field: ${name}`, () => assert.match(issuesOf(input), expected));
  }

  it('VS Code models need no endpoint entry', () => {
    assert.ok(parseConfig({ models: [{ id: 'g', endpoint: 'vscode', model: 'copilot/gpt-4o' }], proposers: ['g'], aggregator: 'g', topK: 1 }).ok);
  });
});
