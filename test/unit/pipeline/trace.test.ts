import assert from 'node:assert/strict';
import { startFakeServer } from '../../../test/server/fake-openai';
import { foldEvents, validateTrace } from '../../../src/pipeline/trace';
import { kindOf, record, testConfig } from '../helpers/engine-harness';

describe('trace: the fold of a run’s events', () => {
  it('records every call with stage, layer, model, role, text, usage and timing, picks, decisions and totals', async () => {
    const server = await startFakeServer();
    try {
      server.setResponder((req) => (kindOf(req) === 'judge' ? { text: '{"reason":"r","picks":[2,1],"stop":false,"stopReason":"differ"}' } : undefined));
      process.env.SMOA_TEST_SECRET_KEY = 'sk-secret-value-that-must-not-leak';
      const config = testConfig(server, { strategy: 'smoa', layers: 2, roles: ['R1', 'R2', 'R3', 'R4'] });
      config.endpoints[0].apiKeyEnv = 'SMOA_TEST_SECRET_KEY';
      const { result, events } = await record(config, { prompt: 'p' });
      const trace = foldEvents(events);
      assert.equal(trace.version, 1);
      assert.equal(trace.status, 'ok');
      assert.equal(trace.answer, result.answer);
      assert.equal(trace.calls.length, server.requests.length);
      const proposals = trace.calls.filter((c) => c.stage === 'proposer');
      assert.equal(proposals.length, 8);
      for (const call of proposals) {
        assert.equal(call.status, 'done');
        assert.ok(call.text.length > 0 && call.usage && call.latencyMs !== undefined && call.role);
      }
      assert.equal(trace.layers.length, 2);
      assert.equal(trace.layers[0].judge?.picks.length, 2);
      assert.equal(trace.layers[0].moderator?.stop, false);
      assert.deepEqual(trace.totals, result.totals);
      const saved = JSON.stringify(trace);
      assert.doesNotMatch(saved, /sk-secret-value/, 'keys never reach a trace');
      const loaded = validateTrace(JSON.parse(saved));
      assert.ok(loaded.ok);
      assert.deepEqual(loaded.trace, JSON.parse(saved));
    } finally {
      delete process.env.SMOA_TEST_SECRET_KEY;
      await server.close();
    }
  });

  it('rejects files that are not traces with a message', () => {
    assert.deepEqual(validateTrace({ version: 9 }), { ok: false, message: 'unsupported trace version 9 (expected 1)' });
    assert.equal(validateTrace('x').ok, false);
  });
});
