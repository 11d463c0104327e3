import assert from 'node:assert/strict';
import { describeStrategySpec, strategySpecNames } from '../../../src/pipeline/strategy/spec';
import { STRATEGY_TRAITS } from '../../../src/pipeline/strategy/traits';
import { loadConfig } from '../../../src/pipeline/config';

describe('strategy specs in the evaluation picker', () => {
  const config = loadConfig({
    endpoints: [{ id: 'local', baseURL: 'http://127.0.0.1:9/v1' }],
    models: [
      { id: 'a', endpoint: 'local', model: 'model-a' },
      { id: 'b', endpoint: 'local', model: 'model-b' },
    ],
    proposers: ['a', 'b'],
    aggregator: 'a',
  });

  it('gives every entry a one-line description, each strategy its line from the traits table', () => {
    for (const name of strategySpecNames(config)) {
      const text = describeStrategySpec(name);
      assert.ok(text.length > 0, `${name} has no description`);
      assert.ok(!text.includes('\n'), `${name}: one line`);
    }
    assert.equal(describeStrategySpec('debate'), STRATEGY_TRAITS.debate.command);
    assert.equal(describeStrategySpec('smoa'), STRATEGY_TRAITS.smoa.command);
    assert.match(describeStrategySpec('single:b'), /^b alone/);
  });
});
