import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { CallError, type ChatClient } from '../../../src/pipeline/client';
import { EndpointPool } from '../../../src/pipeline/client-factory';
import { EndpointDownMemo } from '../../../src/pipeline/endpoint-down';
import { loadConfig } from '../../../src/pipeline/config';
import { startFakeServer, type FakeServer } from '../../server/fake-openai';
import { record } from '../helpers/engine-harness';

/** A loopback port where nothing listens: connections to it are refused. */
async function refusingURL(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}

describe('an endpoint that refuses connections', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer({ ttftMs: 1, tokensPerSecond: 5000 });
  });
  after(() => server.close());

  it('fails every later call to it in the run at once, after the first call retried', async () => {
    const down = await refusingURL();
    const config = loadConfig({
      endpoints: [
        { id: 'gone', baseURL: down, maxRetries: 3 },
        { id: 'local', baseURL: server.url, maxRetries: 3 },
      ],
      models: [
        { id: 'a', endpoint: 'gone', model: 'model-a' },
        { id: 'b', endpoint: 'gone', model: 'model-b' },
        { id: 'c', endpoint: 'local', model: 'model-c' },
      ],
      proposers: ['a', 'b', 'c', 'a'],
      aggregator: 'c',
      roleModel: 'a',
      roles: 'auto',
      layers: 1,
      topK: 1,
    });
    const pool = new EndpointPool({ backoff: { baseDelayMs: 40, maxDelayMs: 40, maxRetryAfterMs: 1000 } });
    const { result, events } = await record(config, { prompt: 'hi' }, { pool });

    const started = new Map(events.flatMap((e) => (e.type === 'call-started' ? [[e.callId, e] as const] : [])));
    const retriedCalls = new Set(events.flatMap((e) => (e.type === 'call-retry' ? [started.get(e.callId)!.stage] : [])));
    // The role writer (first call to "gone") used its retries; the proposers on "gone" were not sent at all.
    assert.deepEqual([...retriedCalls], ['roles']);
    const failed = events.flatMap((e) => (e.type === 'call-failed' ? [{ ...started.get(e.callId)!, error: e.error }] : []));
    const proposers = failed.filter((f) => f.stage === 'proposer');
    assert.deepEqual(proposers.map((f) => f.modelId).sort(), ['a', 'a', 'b']);
    for (const f of proposers) {
      assert.equal(f.error.kind, 'connection');
      assert.match(f.error.message, /ECONNREFUSED.*not tried again: an earlier call in this run found the endpoint unreachable/);
    }
    // The model on the working endpoint still answered, and the run finished with it.
    assert.equal(result.status, 'ok');
  });

  it('stops the retries of calls already waiting when another call finds it down', async () => {
    const memo = new EndpointDownMemo();
    const refused = new CallError('cannot reach endpoint "gone" at http://127.0.0.1:9/v1 (ECONNREFUSED)', 'connection', undefined, 4);
    // A call between attempts: it has announced a retry and waits (as the transport does) until its signal aborts.
    let announced!: () => void;
    const retrying = new Promise<void>((resolve) => (announced = resolve));
    const waiting: ChatClient = {
      complete: (request) =>
        new Promise((_, reject) => {
          request.onRetry?.({ attempt: 2, delayMs: 60_000, reason: 'refused' });
          announced();
          request.signal.addEventListener('abort', () => reject(new CallError('cancelled', 'cancelled')));
        }),
    };
    const failing: ChatClient = { complete: async () => Promise.reject(refused) };
    const signal = new AbortController().signal;
    const first = memo.guard('gone', waiting).complete({ messages: [], signal });
    await retrying;
    await assert.rejects(memo.guard('gone', failing).complete({ messages: [], signal }), refused);
    await assert.rejects(first, (e: CallError) => e.kind === 'connection' && /\(ECONNREFUSED\); not tried again/.test(e.message));
    // Another endpoint is not affected, and a cancelled run stays cancelled rather than "down".
    const ok: ChatClient = { complete: async () => ({ text: 'fine', usage: { promptTokens: 1, completionTokens: 1, estimated: false }, attempts: 1 }) };
    assert.equal((await memo.guard('local', ok).complete({ messages: [], signal })).text, 'fine');
  });
});
