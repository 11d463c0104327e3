import assert from 'node:assert/strict';
import { startFakeServer } from '../../../test/server/fake-openai';
import { foldEvents, validateTrace } from '../../../src/pipeline/trace';
import { kindOf, record, scoresFor } from '../helpers/engine-harness';
import { testConfig } from '../helpers/config';

describe('trace: the fold of a run’s events', () => {
  it('records every call with stage, layer, model, role, text, usage and timing, picks, decisions and totals', async () => {
    const server = await startFakeServer();
    try {
      server.setResponder((req) => (kindOf(req) === 'judge' ? { text: JSON.stringify({ reason: 'r', scores: scoresFor(req, [2, 1]), stop: false, stopReason: 'differ' }) } : undefined));
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

describe('trace: a finished run is finished everywhere', () => {
  it('after Stop no layer or call is left running, and cancelled calls are cancelled, not failed', async () => {
    const server = await startFakeServer();
    try {
      server.setResponder(() => ({ ttftMs: 10, tokensPerSecond: 40, text: 'one two three four five six seven eight nine ten eleven twelve' }));
      const controller = new AbortController();
      let tokens = 0;
      const { events, result } = await record(testConfig(server, { strategy: 'smoa', layers: 2 }), { prompt: 'q' }, {
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'call-token' && ++tokens === 8) controller.abort();
        },
      });
      assert.equal(result.status, 'cancelled');
      const trace = foldEvents(events);
      assert.equal(trace.status, 'cancelled');
      assert.deepEqual(trace.layers.map((l) => l.status), ['cancelled']);
      assert.deepEqual(trace.calls.map((c) => c.status), ['cancelled', 'cancelled', 'cancelled', 'cancelled']);
      assert.equal(result.totals.calls, 4);
      assert.equal(result.totals.failedCalls, 0, 'a cancelled call is not a failure');
      assert.equal(result.totals.cancelledCalls, 4);
    } finally {
      await server.close();
    }
  });

  it('after a failed run no layer is left running: the layer that failed says so', async () => {
    const server = await startFakeServer();
    try {
      server.setResponder(() => ({ fault: { kind: 'bad-request', message: 'no' } }));
      const { events, result } = await record(testConfig(server, { strategy: 'smoa', layers: 2 }), { prompt: 'q' });
      assert.equal(result.status, 'failed');
      const trace = foldEvents(events);
      assert.deepEqual(trace.layers.map((l) => l.status), ['failed']);
      assert.ok(trace.calls.every((c) => c.status === 'failed'));
      assert.equal(result.totals.failedCalls, trace.calls.length);
      assert.equal(result.totals.cancelledCalls ?? 0, 0);
    } finally {
      await server.close();
    }
  });

  it('the fold closes a run whose events stop mid-call (an older recording): nothing stays running', () => {
    const trace = foldEvents([
      { t: 0, type: 'run-started', runId: 'r', startedAt: '', strategy: 'moa', prompt: 'p', config: undefined as never },
      { t: 1, type: 'layer-started', layer: 1, of: 2, proposers: [{ slot: 0, modelId: 'a' }] },
      { t: 2, type: 'call-started', callId: 'c1', stage: 'proposer', layer: 1, slot: 0, modelId: 'a', model: 'a' },
      { t: 3, type: 'run-finished', status: 'cancelled', answer: '', error: 'cancelled', totals: { calls: 1, failedCalls: 0, promptTokens: 0, completionTokens: 0, estimated: false, wallMs: 3, layersRun: 1 } },
    ]);
    assert.equal(trace.layers[0].status, 'cancelled');
    assert.equal(trace.calls[0].status, 'cancelled');
  });
});
