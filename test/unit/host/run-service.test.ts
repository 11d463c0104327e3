import assert from 'node:assert/strict';
import { logRun } from '../../../src/host/call-log';
import { foldEvents } from '../../../src/pipeline/trace';
import { useFakeServer } from '../helpers/engine-harness';
import { testRunService } from '../helpers/run-service';

describe('run service', () => {
  const fake = useFakeServer({ ttftMs: 0, tokensPerSecond: 0 });

  function service() {
    const server = fake();
    return testRunService(server);
  }

  it('announces a run before its first event, so the log names the origin and every call', async () => {
    const runs = service();
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    runs.onDidStartRun((run) => logRun(run, log));
    const handle = await runs.start({ prompt: 'hi', strategy: 'single' }, { origin: 'chat' });
    await handle.result;
    assert.match(lines[0], /run started from chat: strategy single/);
    assert.ok(lines.some((l) => /aggregator a \(model-a\)/.test(l)), lines.join('\n'));
    assert.ok(!lines.some((l) => /\] c1:/.test(l)), 'no call is logged by its bare id');
  });

  it('keeps replayable events compacted: one token event per call, folding to the same trace', async () => {
    const runs = service();
    const handle = await runs.start({ prompt: 'Write a function that adds numbers' }, { origin: 'test' });
    await handle.result;
    const tokenEvents = handle.events.filter((e) => e.type === 'call-token');
    const calls = new Set(tokenEvents.map((e) => (e as { callId: string }).callId));
    assert.equal(tokenEvents.length, calls.size, 'token events merged per call');
    assert.deepEqual(foldEvents(handle.events), handle.trace);
  });
});
