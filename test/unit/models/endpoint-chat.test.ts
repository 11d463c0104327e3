import assert from 'node:assert/strict';
import { endpointSchema, modelSchema, type EndpointConfig, type ModelConfig } from '../../../src/pipeline/config';
import { streamEndpointChat, type EndpointChatRequest } from '../../../src/models/endpoint-chat';
import { LM_ROLE, LM_TOOL_MODE, type LmMessage } from '../../../src/models/message-mapping';
import type { ToolCall } from '../../../src/pipeline/client';
import { EndpointPool } from '../../../src/pipeline/openai-client';
import { createServer, type AddressInfo } from 'node:net';
import { startFakeServer, type FakeServer } from '../../server/fake-openai';

// The model picker's pass-through to an endpoint, through the real openai SDK against the fake server.

const user = (value: string): LmMessage => ({ role: LM_ROLE.user, content: [{ value }] });

describe('model picker: streaming from an OpenAI-compatible endpoint', () => {
  let server: FakeServer;
  let endpoint: EndpointConfig;
  let model: ModelConfig;

  before(async () => {
    server = await startFakeServer({ ttftMs: 0, tokensPerSecond: 0, apiKey: 'sk-test' });
  });
  after(() => server.close());
  beforeEach(() => {
    server.reset();
    endpoint = endpointSchema.parse({ id: 'local', baseURL: server.url, apiKeyEnv: 'SMOA_TEST_UNSET_KEY', maxRetries: 0 });
    model = modelSchema.parse({ id: 'fast', endpoint: 'local', model: 'model-a', temperature: 0.3, maxTokens: 500 });
  });

  function request(overrides: Partial<EndpointChatRequest> = {}) {
    const texts: string[] = [];
    const calls: ToolCall[] = [];
    const req: EndpointChatRequest = {
      endpoint,
      model,
      messages: [user('Hello')],
      pool: new EndpointPool({ apiKey: () => 'sk-test' }),
      signal: new AbortController().signal,
      onText: (t) => texts.push(t),
      onToolCall: (c) => calls.push(c),
      ...overrides,
    };
    return { req, texts, calls };
  }

  it('streams the text token by token and sends the model, temperature and max tokens of the setting', async () => {
    server.setResponder(() => ({ text: 'Hello there, friend.' }));
    const { req, texts } = request();
    assert.equal(await streamEndpointChat(req), 'stop');
    assert.ok(texts.length > 1, 'several deltas, not one block');
    assert.equal(texts.join(''), 'Hello there, friend.');
    const sent = server.requests[0];
    assert.equal(sent.model, 'model-a');
    assert.equal(sent.temperature, 0.3);
    assert.equal(sent.maxTokens, 500);
    assert.equal(sent.headers.authorization, 'Bearer sk-test');
    assert.equal(sent.tools, undefined);
  });

  it('forwards tools and reports streamed tool calls as whole calls with parsed input', async () => {
    server.setResponder(() => ({
      text: 'Checking.',
      toolCalls: [
        { id: 'call_a', name: 'readFile', arguments: '{"path":"src/app.ts","lines":[1,20]}' },
        { name: 'listDir', arguments: '' },
      ],
    }));
    const schema = { type: 'object', properties: { path: { type: 'string' } } };
    const { req, texts, calls } = request({
      tools: [{ name: 'readFile', description: 'Reads a file', inputSchema: schema }, { name: 'listDir', description: 'Lists' }],
      toolMode: LM_TOOL_MODE.auto,
    });
    assert.equal(await streamEndpointChat(req), 'tool_calls');
    assert.equal(texts.join(''), 'Checking.');
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[0], { callId: 'call_a', name: 'readFile', input: { path: 'src/app.ts', lines: [1, 20] } });
    assert.equal(calls[1].name, 'listDir');
    assert.deepEqual(calls[1].input, {});
    const body = server.requests[0].body;
    assert.equal(body.tool_choice, 'auto');
    assert.deepEqual(body.tools[0], { type: 'function', function: { name: 'readFile', description: 'Reads a file', parameters: schema } });
  });

  it('sends a tool round trip back as assistant tool_calls and a tool message', async () => {
    const { req } = request({
      messages: [
        user('Read it'),
        { role: LM_ROLE.assistant, content: [{ callId: 'call_a', name: 'readFile', input: { path: 'x' } }] },
        { role: LM_ROLE.user, content: [{ callId: 'call_a', content: [{ value: 'contents of x' }] }] },
      ],
    });
    await streamEndpointChat(req);
    const messages = server.requests[0].body.messages;
    assert.deepEqual(messages[1].tool_calls[0].function, { name: 'readFile', arguments: '{"path":"x"}' });
    assert.deepEqual(messages[2], { role: 'tool', tool_call_id: 'call_a', content: 'contents of x' });
  });

  it('cancellation closes the request and ends quietly', async () => {
    server.setResponder(() => ({ text: 'word '.repeat(400), tokensPerSecond: 50 }));
    const controller = new AbortController();
    const { req, texts } = request({
      signal: controller.signal,
      onText: (t) => {
        texts.push(t);
        if (texts.length === 3) controller.abort();
      },
    });
    assert.equal(await streamEndpointChat(req), 'cancelled');
    await server.waitForIdle(2000);
    assert.equal(server.abortedRequests, 1);
    assert.ok(texts.length < 20);
  });

  it('names the model and the endpoint when the endpoint refuses the request', async () => {
    server.injectFault({ kind: 'server-error', status: 503 });
    await assert.rejects(streamEndpointChat(request().req), (err: Error) => {
      assert.match(err.message, /SMoA model "fast" \(model-a on endpoint "local", http:\/\/127\.0\.0\.1:\d+\/v1\): HTTP 503/);
      return true;
    });
  });

  it('says how to fix a wrong or missing key', async () => {
    await assert.rejects(streamEndpointChat(request({ pool: new EndpointPool({ apiKey: () => 'wrong' }) }).req), /HTTP 401.*Check the API key/);
    await assert.rejects(streamEndpointChat(request({ pool: new EndpointPool({ apiKey: () => undefined }) }).req), /no API key\. Run "SMoA: Set API Key" for endpoint "local", or set the environment variable SMOA_TEST_UNSET_KEY/);
    assert.equal(server.requests.length, 1, 'no request is sent without a key');
  });

  it('says when the endpoint cannot be reached', async () => {
    const port = await closedPort();
    endpoint = { ...endpoint, baseURL: `http://127.0.0.1:${port}/v1` };
    await assert.rejects(streamEndpointChat(request().req), /SMoA model "fast" .*: cannot reach endpoint "local" at http:\/\/127\.0\.0\.1:\d+\/v1 \(ECONNREFUSED\)/);
  });

  // The pass-through goes through the engine's transport: the same redaction, timeout, cap and quirks.
  it('masks a key the provider echoes in its error', async () => {
    await assert.rejects(streamEndpointChat(request({ pool: new EndpointPool({ apiKey: () => 'sk-proj-ABCDEFGH12345678' }) }).req), (err: Error) => {
      assert.match(err.message, /HTTP 401/);
      assert.doesNotMatch(err.message, /ABCDEFGH12345678/);
      assert.match(err.message, /sk-\[redacted\]/);
      return true;
    });
  });

  it('times out a stream that stalls after its headers', async () => {
    endpoint = { ...endpoint, timeoutMs: 300 };
    server.setResponder(() => ({ text: 'late answer', ttftMs: 3000 }));
    const started = Date.now();
    await assert.rejects(streamEndpointChat(request().req), /timed out: no data for 0\.3 s/);
    assert.ok(Date.now() - started < 2500, `gave up after ${Date.now() - started} ms`);
  });

  it('holds to the endpoint\'s concurrency cap across requests of one pool', async () => {
    endpoint = { ...endpoint, maxConcurrency: 1 };
    server.setResponder(() => ({ text: 'one two three', ttftMs: 150 }));
    const pool = new EndpointPool({ apiKey: () => 'sk-test' });
    await Promise.all([streamEndpointChat(request({ pool }).req), streamEndpointChat(request({ pool }).req)]);
    const [first, second] = server.requests;
    assert.ok(second.receivedAt - first.receivedAt >= 140, `second request sent ${second.receivedAt - first.receivedAt} ms after the first`);
  });

  it('learns that a model refuses temperature, once per pool', async () => {
    server.setResponder((req) =>
      req.temperature !== undefined
        ? { fault: { kind: 'bad-request', param: 'temperature', message: "Unsupported value: 'temperature' does not support 0.3 with this model. Only the default (1) value is supported." } }
        : { text: 'fine' },
    );
    const pool = new EndpointPool({ apiKey: () => 'sk-test' });
    assert.equal(await streamEndpointChat(request({ pool }).req), 'stop');
    assert.equal(await streamEndpointChat(request({ pool }).req), 'stop');
    assert.deepEqual(server.requests.map((r) => r.temperature), [0.3, undefined, undefined]);
  });

  it('retries a failure before the first token, never after it (chat cannot take text back)', async () => {
    endpoint = { ...endpoint, maxRetries: 2 };
    server.injectFault({ kind: 'server-error', status: 503 }, { times: 1 });
    const { req, texts } = request();
    assert.equal(await streamEndpointChat(req), 'stop');
    assert.equal(server.requests.length, 2);
    server.reset();
    server.setResponder(() => ({ text: 'one two three four', fault: { kind: 'cut-stream', afterTokens: 2 } }));
    const second = request();
    await assert.rejects(streamEndpointChat(second.req), /cannot reach|terminated|connection/i);
    assert.equal(server.requests.length, 1, 'no second attempt once text was shown');
    assert.ok(second.texts.length > 0 && texts.length > 0);
  });
});

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
