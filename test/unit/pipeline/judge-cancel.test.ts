import assert from 'node:assert/strict';
import type { FakeServer } from '../../../test/server/fake-openai';
import { ProgressNarrator } from '../../../src/pipeline/narrator';
import { foldEvents } from '../../../src/pipeline/trace';
import { kindOf, ofType, record, useFakeServer } from '../helpers/engine-harness';
import { testConfig } from '../helpers/config';

/** A run stopped while the judge (or moderator) was at work says "cancelled", not that a reply was unusable. */
describe('judge and moderator when the run is cancelled', () => {
  const fake = useFakeServer();
  let server: FakeServer;
  beforeEach(() => {
    server = fake();
  });

  for (const [label, overrides] of [
    ['the judge deciding the stop in the same call', {}],
    ['a separate moderator', { moderator: 'c' }],
  ] as const) {
    it(`${label}: no fallback, no decision; the calls and the layer are cancelled`, async () => {
      // Judge and moderator never answer; the run is stopped once they have started.
      server.setResponder((req) => (kindOf(req) === 'judge' || kindOf(req) === 'moderator' ? { fault: { kind: 'hang' } } : undefined));
      const config = testConfig(server, { strategy: 'smoa', layers: 2, topK: 2, earlyStop: true, ...overrides });
      const controller = new AbortController();
      const waiting = new Set<string>(['judge', ...('moderator' in overrides ? ['moderator'] : [])]);
      const narrator = new ProgressNarrator();
      const { events, result } = await record(config, { prompt: 'q' }, {
        signal: controller.signal,
        onEvent: (e) => {
          narrator.describe(e);
          if (e.type === 'call-started' && waiting.delete(e.stage) && waiting.size === 0) controller.abort();
        },
      });
      assert.equal(result.status, 'cancelled');
      assert.deepEqual(ofType(events, 'judge-fallback'), []);
      assert.deepEqual(ofType(events, 'judge-picks'), []);
      assert.deepEqual(ofType(events, 'moderator-decision'), []);
      const trace = foldEvents(events);
      assert.equal(trace.layers[0].status, 'cancelled');
      assert.equal(trace.layers[0].judge, undefined);
      for (const call of trace.calls.filter((c) => c.stage === 'judge' || c.stage === 'moderator')) assert.equal(call.status, 'cancelled');
      assert.ok(!narrator.record.some((line) => /unusable|fallback|continue/i.test(line)), narrator.record.join('\n'));
    });
  }
});
