import assert from 'node:assert/strict';
import type { FakeServer } from '../../../test/server/fake-openai';
import { EndpointPool } from '../../../src/pipeline/client-factory';
import { foldEvents } from '../../../src/pipeline/trace';
import { kindOf, ofType, record, useFakeServer, withServer } from '../helpers/engine-harness';
import { testConfig } from '../helpers/config';

describe('faults: retries, timeouts, failures, cancellation, usage', () => {
  const fake = useFakeServer();
  let server: FakeServer;
  beforeEach(() => {
    server = fake();
  });

  it('retries a 429 after the server-given Retry-After and reports the retry as an event', async () => {
    server.injectFault({ kind: 'rate-limit', retryAfterSeconds: 0.3 }, { model: 'model-c', times: 1 });
    const config = testConfig(server, { strategy: 'moa', layers: 1 });
    const { result, events } = await record(config, { prompt: 'hi' });
    assert.equal(result.status, 'ok');
    const retries = ofType(events, 'call-retry');
    assert.equal(retries.length, 1);
    assert.equal(retries[0].delayMs, 300, 'Retry-After decides the wait, not the backoff');
    const cReqs = server.requests.filter((r) => r.model === 'model-c');
    assert.equal(cReqs.length, 2);
    assert.ok(cReqs[1].receivedAt - cReqs[0].receivedAt >= 290, 'the retry waited');
    const done = ofType(events, 'call-done').find((e) => e.attempts === 2);
    assert.ok(done, 'the call records that it took two attempts');
  });

  it('retries 5xx and cut streams with backoff; the retried call streams afresh', async () => {
    server.injectFault({ kind: 'server-error', status: 503 }, { model: 'model-b', times: 1 });
    server.injectFault({ kind: 'cut-stream', afterTokens: 2 }, { model: 'model-d', times: 1 });
    const config = testConfig(server, { strategy: 'moa', layers: 1 });
    const { result, events } = await record(config, { prompt: 'hi' });
    assert.equal(result.status, 'ok');
    assert.equal(ofType(events, 'call-retry').length, 2);
    assert.equal(ofType(events, 'call-failed').length, 0);
  });

  it('does not retry a context overflow; the proposer fails with a message saying what to do, the layer goes on', async () => {
    server.injectFault({ kind: 'context-overflow' }, { model: 'model-c', times: 5 });
    const config = testConfig(server, { strategy: 'smoa', layers: 1 });
    const { result, events } = await record(config, { prompt: 'hi' });
    assert.equal(result.status, 'ok');
    assert.equal(server.requests.filter((r) => r.model === 'model-c').length, 1, 'no retry on 4xx');
    const failed = ofType(events, 'call-failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].error.kind, 'context-overflow');
    assert.match(failed[0].error.message, /too long for this model/);
    assert.deepEqual(ofType(events, 'layer-done')[0].failed, [2]);
    const judge = server.requests.find((r) => kindOf(r) === 'judge')!;
    assert.equal((judge.messages[1].content.match(/### Response/g) ?? []).length, 3, 'only survivors are judged');
  });

  it('gives up after maxRetries and names the model and error', async () => {
    server.injectFault({ kind: 'server-error', status: 500 }, { model: 'model-b', times: 10 });
    const config = testConfig(server, { strategy: 'moa', layers: 1 });
    const { result, events } = await record(config, { prompt: 'hi' });
    assert.equal(result.status, 'ok', 'the other proposers carry the run');
    assert.equal(server.requests.filter((r) => r.model === 'model-b').length, 3, '1 try + maxRetries (2)');
    const failed = ofType(events, 'call-failed')[0];
    assert.equal(failed.error.attempts, 3);
    assert.match(failed.error.message, /HTTP 500/);
  });

  it('times out a hanging call after the endpoint timeout, without retrying, and the hung request is closed', async () => {
    server.injectFault({ kind: 'hang' }, { model: 'model-d', times: 1 });
    const config = testConfig(server, { strategy: 'moa', layers: 1 });
    config.endpoints[0].timeoutMs = 300;
    const { result, events } = await record(config, { prompt: 'hi' });
    assert.equal(result.status, 'ok');
    const failed = ofType(events, 'call-failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].error.kind, 'timeout');
    assert.match(failed[0].error.message, /timed out: no data for 0\.3 s/);
    await server.waitForIdle(2000);
    assert.equal(server.abortedRequests, 1);
  });

  it('fails the run when every proposer fails, naming every model and its error', async () => {
    server.injectFault({ kind: 'context-overflow' }, { model: 'model-a', times: 1 });
    server.injectFault({ kind: 'server-error', status: 502 }, { model: 'model-b', times: 9 });
    server.injectFault({ kind: 'context-overflow' }, { model: 'model-c', times: 1 });
    server.injectFault({ kind: 'context-overflow' }, { model: 'model-d', times: 1 });
    const config = testConfig(server, { strategy: 'smoa', layers: 2 });
    const { result, events } = await record(config, { prompt: 'hi' });
    assert.equal(result.status, 'failed');
    assert.match(result.error!, /all 4 proposers failed in layer 1/);
    for (const id of ['a (slot 1)', 'b (slot 2)', 'c (slot 3)', 'd (slot 4)']) assert.ok(result.error!.includes(id), id);
    assert.match(result.error!, /HTTP 502/);
    assert.equal(ofType(events, 'run-finished')[0].status, 'failed');
    assert.equal(server.requests.filter((r) => kindOf(r) === 'judge').length, 0);
  });

  it('when the aggregator fails, the best kept proposal is returned and the failure is stated', async () => {
    server.setResponder((req) => (req.headers['x-smoa-stage'] === 'aggregator' && req.model === 'model-a' ? { fault: { kind: 'context-overflow' } } : undefined));
    const config = testConfig(server, { strategy: 'smoa', layers: 1 });
    const { result } = await record(config, { prompt: 'hi' });
    assert.equal(result.status, 'failed');
    assert.match(result.error!, /aggregator "a" failed/);
    assert.ok(result.answer.length > 0, 'nothing produced is lost');
    assert.match(result.answerSource!, /best kept answer/);
  });

  it('cancellation aborts every in-flight request: the server sees every connection closed', async () => {
    server.setResponder(() => ({ ttftMs: 50, tokensPerSecond: 20, text: 'a b c d e f g h i j k l m n o p q r s t u v w x y z' }));
    const config = testConfig(server, { strategy: 'smoa', layers: 2 });
    const controller = new AbortController();
    const started = new Set<string>();
    const run = record(config, { prompt: 'hi' }, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'call-token') started.add(e.callId);
        if (started.size === 4) controller.abort();
      },
    });
    const { result, events } = await run;
    assert.equal(result.status, 'cancelled');
    await server.waitForIdle(1000);
    assert.equal(server.activeRequests(), 0);
    assert.equal(server.abortedRequests, 4, 'all four streaming proposers were cut off by the client');
    assert.equal(server.requests.length, 4, 'nothing new starts after the cancel');
    assert.equal(ofType(events, 'run-finished')[0].status, 'cancelled');
  });

  it('token totals equal the usage the server reported', async () => {
    const config = testConfig(server, { strategy: 'smoa', layers: 2, roles: 'auto' });
    const { result, events } = await record(config, { prompt: 'Compare TCP and UDP.' });
    assert.equal(result.status, 'ok');
    const served = server.totalUsage();
    assert.equal(result.totals.promptTokens, served.prompt_tokens);
    assert.equal(result.totals.completionTokens, served.completion_tokens);
    assert.equal(result.totals.estimated, false);
    assert.equal(result.totals.calls, server.requests.length);
    const perCall = ofType(events, 'call-done').reduce((s, e) => s + e.usage.promptTokens, 0);
    assert.equal(perCall, served.prompt_tokens);
  });

  it('estimates tokens only when the endpoint reports none, and says so; prices give a cost', async () => {
    server.setResponder(() => ({ usage: false }));
    const config = testConfig(server, { strategy: 'single' });
    config.models[0].price = { inputPerMTok: 1000, outputPerMTok: 2000 };
    const { result, events } = await record(config, { prompt: 'hi' });
    assert.equal(result.totals.estimated, true);
    const done = ofType(events, 'call-done')[0];
    assert.equal(done.usage.estimated, true);
    assert.ok(result.totals.completionTokens > 0);
    const expected = (done.usage.promptTokens * 1000 + done.usage.completionTokens * 2000) / 1e6;
    assert.equal(result.totals.cost?.usd, expected);
    assert.equal(result.totals.cost?.complete, true);
  });

  it('falls back from structured outputs to the prompt when the endpoint rejects response_format, once per endpoint', async () => {
    await withServer({ supportsResponseFormat: false }, async (strict) => {
      const config = testConfig(strict, { strategy: 'smoa', layers: 2 });
      const { result, events } = await record(config, { prompt: 'hi' }, { pool: new EndpointPool() });
      assert.equal(result.status, 'ok');
      const judgeRequests = strict.requests.filter((r) => kindOf(r) === 'judge');
      assert.equal(judgeRequests.filter((r) => r.responseFormat).length, 1, 'rejected once, then not sent again');
      assert.equal(judgeRequests.filter((r) => !r.responseFormat).length, 2);
      assert.equal(ofType(events, 'call-failed').length, 0);
    });
  });
});

describe('faults: provider quirks and streaming edge cases', () => {
  const fake = useFakeServer();
  let server: FakeServer;
  beforeEach(() => {
    server = fake();
  });

  it('a cut aggregator stream is retried and the answer restarts instead of repeating the partial text', async () => {
    let aggregatorCalls = 0;
    server.setResponder((req) => {
      if (req.model === 'model-a' && req.headers['x-smoa-stage'] === 'aggregator') {
        aggregatorCalls++;
        return aggregatorCalls === 1 ? { text: 'one two three four five six', fault: { kind: 'cut-stream', afterTokens: 3 } } : { text: 'one two three four five six' };
      }
      return undefined;
    });
    const config = testConfig(server, { strategy: 'moa', layers: 1 });
    const { result, events } = await record(config, { prompt: 'hi' });
    assert.equal(result.status, 'ok');
    assert.equal(result.answer, 'one two three four five six');
    assert.equal(foldEvents(events).answer, 'one two three four five six', 'the trace answer restarts too');
  });

  it('the timeout counts silence: a slow but steady stream is not cut off', async () => {
    server.setResponder(() => ({ text: 'a b c d e f g h i j', tokensPerSecond: 20 }));
    const config = testConfig(server, { strategy: 'single' });
    config.endpoints[0].timeoutMs = 200; // the whole answer takes ~500 ms, but no gap is longer than 50 ms
    const { result } = await record(config, { prompt: 'hi' });
    assert.equal(result.status, 'ok', result.error);
  });

  it('drops temperature for a model that refuses it, and remembers', async () => {
    server.setResponder((req) =>
      req.model === 'model-a' && req.temperature !== undefined
        ? { fault: { kind: 'bad-request', param: 'temperature', message: "Unsupported value: 'temperature' does not support 0.7 with this model. Only the default (1) value is supported." } }
        : undefined,
    );
    const config = testConfig(server, { strategy: 'single' });
    const pool = new EndpointPool();
    const first = await record(config, { prompt: 'hi' }, { pool });
    const second = await record(config, { prompt: 'again' }, { pool });
    assert.equal(first.result.status, 'ok', first.result.error);
    assert.equal(second.result.status, 'ok');
    assert.deepEqual(server.requests.map((r) => r.temperature), [0.7, undefined, undefined]);
  });

  it('switches to max_completion_tokens when a model asks for it', async () => {
    server.setResponder((req) =>
      req.body.max_tokens !== undefined
        ? { fault: { kind: 'bad-request', param: 'max_tokens', message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead." } }
        : undefined,
    );
    const config = testConfig(server, { strategy: 'single' });
    config.models[0].maxTokens = 300;
    const { result } = await record(config, { prompt: 'hi' });
    assert.equal(result.status, 'ok', result.error);
    assert.equal(server.requests.at(-1)!.body.max_completion_tokens, 300);
  });
});

describe('faults: cancellation marks every in-flight call', () => {
  const fake = useFakeServer();

  it('after a cancel no proposal counts as done with cut-off text', async () => {
    const server = fake();
    server.setResponder(() => ({ ttftMs: 10, tokensPerSecond: 40, text: 'one two three four five six seven eight nine ten eleven twelve' }));
    const controller = new AbortController();
    let tokens = 0;
    const { events, result } = await record(testConfig(server, { strategy: 'moa', layers: 1 }), { prompt: 'q' }, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'call-token' && ++tokens === 8) controller.abort();
      },
    });
    assert.equal(result.status, 'cancelled');
    assert.equal(ofType(events, 'call-done').length, 0);
    const failed = ofType(events, 'call-failed');
    assert.equal(failed.length, 4);
    for (const f of failed) assert.equal(f.error.kind, 'cancelled');
    assert.ok(failed.some((f) => (f.partialText ?? '').length > 0), 'partial text is kept on the failed call');
  });
});

describe('faults: keys in error messages', () => {
  const fake = useFakeServer({ apiKey: 'right-key' });

  it('a 401 is an auth failure, not retried, with a hint, and the key sent never shows', async () => {
    const server = fake();
    process.env.SMOA_TEST_WRONG_KEY = 'wrong-key-1234567890';
    try {
      const config = testConfig(server, { strategy: 'single' });
      config.endpoints[0].apiKeyEnv = 'SMOA_TEST_WRONG_KEY';
      const { events } = await record(config, { prompt: 'q' });
      const failed = ofType(events, 'call-failed')[0];
      assert.equal(failed.error.kind, 'auth');
      assert.equal(server.requests.length, 1, 'auth errors are not retried');
      assert.match(failed.error.message, /HTTP 401: .*\(check the API key\)/);
      assert.doesNotMatch(JSON.stringify(events), /wrong-key-1234567890/);
    } finally {
      delete process.env.SMOA_TEST_WRONG_KEY;
    }
  });

  it('a key echoed back in a provider error message is masked before it reaches events', async () => {
    const server = fake();
    server.setResponder(() => ({ fault: { kind: 'bad-request', message: 'Incorrect API key provided: sk-proj-abc123SECRETxyz; header was Bearer sk-live-999999999' } }));
    process.env.SMOA_TEST_RIGHT_KEY = 'right-key';
    try {
      const config = testConfig(server, { strategy: 'single' });
      config.endpoints[0].apiKeyEnv = 'SMOA_TEST_RIGHT_KEY';
      const { events } = await record(config, { prompt: 'q' });
      const message = ofType(events, 'call-failed')[0].error.message;
      assert.match(message, /Incorrect API key provided: sk-\[redacted\]; header was Bearer (sk-)?\[redacted\]/);
      assert.doesNotMatch(JSON.stringify(events), /SECRET|999999999/);
    } finally {
      delete process.env.SMOA_TEST_RIGHT_KEY;
    }
  });
});

describe('faults: small context windows', () => {
  const fake = useFakeServer();

  it('a proposer whose context overflows on the earlier answers tries again with them shortened, and says so', async () => {
    const server = fake();
    const long = 'word '.repeat(600);
    server.setResponder((req) => {
      const system = req.messages[0]?.role === 'system' ? req.messages[0].content : '';
      if (kindOf(req) === 'plain') return { text: long };
      // model-c has a small window: the full candidates (4 x 3000 chars) do not fit, a third of them does.
      if (req.model === 'model-c' && system.length > 6000) return { fault: { kind: 'context-overflow' } };
      return undefined;
    });
    const config = testConfig(server, { strategy: 'moa', layers: 2 });
    const { result, events } = await record(config, { prompt: 'q' });
    assert.equal(result.status, 'ok');
    const cCalls = ofType(events, 'call-started').filter((e) => e.modelId === 'c' && e.layer === 2);
    assert.equal(cCalls.length, 2, 'a second try for model c in layer 2');
    assert.match(cCalls[1].note ?? '', /shortened to a third/);
    assert.deepEqual(ofType(events, 'layer-done')[1].failed, [], 'model c is not dropped');
    const trace = foldEvents(events);
    assert.equal(trace.layers[1].proposalCalls[2], cCalls[1].callId, 'the card shows the second try');
  });

  it('does not send the same request twice when shortening cannot make the earlier answers shorter', async () => {
    const server = fake();
    server.setResponder((req) => {
      if (kindOf(req) === 'plain') return { text: 'short answer' };
      if (req.model === 'model-c') return { fault: { kind: 'context-overflow' } };
      return undefined;
    });
    const config = testConfig(server, { strategy: 'moa', layers: 2 });
    const { result, events } = await record(config, { prompt: 'q' });
    assert.equal(result.status, 'ok');
    const layer2c = server.requests.filter((r) => r.model === 'model-c' && kindOf(r) === 'synthesis');
    assert.equal(layer2c.length, 1, 'no identical second request');
    const failed = ofType(events, 'call-failed').find((e) => e.error.kind === 'context-overflow');
    assert.match(failed?.error.message ?? '', /too long for this model/);
  });
});
