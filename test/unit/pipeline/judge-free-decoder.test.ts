import assert from 'node:assert/strict';
import type { FakeServer } from '../../../test/server/fake-openai';
import type { Strategy } from '../../../src/pipeline/config';
import { kindOf, ofType, record, useFakeServer } from '../helpers/engine-harness';
import { testConfig } from '../helpers/config';

/**
 * Users with local models (vLLM, llama.cpp, Ollama) get constrained decoding: the reply follows the schema and nothing
 * more. Against the fake server's free decoder (any schema-valid value, repeats included), the judge must never need
 * its fallback rule: whatever the schema allows must be a usable verdict.
 */
describe('judge against a schema-following server that chooses values freely', () => {
  const fake = useFakeServer();
  let server: FakeServer;
  beforeEach(() => {
    server = fake();
  });

  const SEEDS = [1, 2, 3, 4, 5, 6];
  const STRATEGIES: Strategy[] = ['smoa', 'adaptive', 'rank'];

  it('0 fallbacks over 6 seeds x 3 strategies x 3 layers', async () => {
    const fallbacks: string[] = [];
    let judged = 0;
    for (const seed of SEEDS) {
      for (const strategy of STRATEGIES) {
        server.setDecoder({ mode: 'free', seed });
        const config = testConfig(server, { strategy, layers: 3, topK: 2, seed, earlyStop: strategy === 'adaptive' });
        const { events } = await record(config, { prompt: `Explain caching (${seed})` });
        judged += ofType(events, 'judge-picks').filter((e) => e.ballots?.length).length;
        for (const e of ofType(events, 'judge-fallback')) fallbacks.push(`seed ${seed} ${strategy} layer ${e.layer}: ${e.problem}`);
        for (const e of ofType(events, 'moderator-decision')) if (e.fallback) fallbacks.push(`seed ${seed} ${strategy} moderator ${e.layer}: ${e.reason}`);
        for (const e of ofType(events, 'adaptive-decision')) if (e.fallback) fallbacks.push(`seed ${seed} ${strategy} adaptive ${e.layer}: ${e.reason}`);
      }
    }
    assert.ok(judged >= SEEDS.length * 4, `the judge actually voted (${judged} judged layers)`);
    assert.ok(server.requests.some((r) => kindOf(r) === 'judge'));
    assert.deepEqual(fallbacks, []);
  });
});
