import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { countTokens, jsonSchemaInstance, splitTokens, startFakeServer, type FakeServer } from '../server/fake-openai';
import { schemaViolations } from '../server/strict-schema';

// Everything goes through the real SDK: the point is that the SDK (and so our pipeline) sees what it would
// see from a real endpoint.

const user = (content: string) => [{ role: 'user' as const, content }];

async function until(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('fake OpenAI server', () => {
  let server: FakeServer;
  let client: OpenAI;

  before(async () => {
    server = await startFakeServer();
    client = new OpenAI({ baseURL: server.url, apiKey: 'test', maxRetries: 0 });
  });
  afterEach(() => server.reset());
  after(() => server.close());

  describe('tokens', () => {
    it('splits losslessly and counts deterministically', () => {
      for (const text of ['', 'hi', '  two  spaces\n\n', 'héllo wörld 😀!', '```ts\nconst x = 1;\n```\n', '{"a":[1,2]}']) {
        assert.equal(splitTokens(text).join(''), text);
        assert.equal(countTokens(text), splitTokens(text).length);
      }
      assert.equal(countTokens('Hello, world!'), 4);
    });
  });

  describe('streaming', () => {
    it('reassembles the exact text, with role first and finish_reason last', async () => {
      const text = '  Leading space, **bold**, a tab\there,\n\nünïcödé 😀 and trailing newline\n';
      server.setResponder(() => ({ text }));
      const stream = await client.chat.completions.create({ model: 'model-a', messages: user('hi'), stream: true });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      assert.equal(chunks[0].choices[0].delta.role, 'assistant');
      assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), text);
      assert.equal(chunks.at(-1)?.choices[0].finish_reason, 'stop');
      assert.ok(chunks.length > 5, 'text arrives in several pieces');
    });

    it('sends a usage chunk with include_usage that matches totalUsage()', async () => {
      const messages = [
        { role: 'system' as const, content: 'You are terse.' },
        { role: 'user' as const, content: 'Say something, please.' },
      ];
      const stream = await client.chat.completions.create({
        model: 'model-b',
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (chunk.usage) {
          assert.deepEqual(chunk.choices, []);
          usage = chunk.usage;
        }
      }
      assert.ok(usage);
      assert.equal(usage.prompt_tokens, countTokens('You are terse.') + countTokens('Say something, please.'));
      assert.equal(usage.completion_tokens, countTokens(text));
      assert.deepEqual(server.totalUsage(), { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens });
      const req = server.requests[0];
      assert.equal(req.stream, true);
      assert.equal(req.includeUsage, true);
      assert.equal(req.headers.authorization, 'Bearer test');
    });

    it('omits usage when the reply says the endpoint reports none', async () => {
      server.setResponder(() => ({ text: 'no usage here', usage: false }));
      const stream = await client.chat.completions.create({
        model: 'model-a',
        messages: user('x'),
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of stream) assert.equal(chunk.usage, undefined);
      const done = await client.chat.completions.create({ model: 'model-a', messages: user('x') });
      assert.equal(done.usage, undefined);
      assert.deepEqual(server.totalUsage(), { prompt_tokens: 0, completion_tokens: 0 });
    });

    it('paces tokens by ttft and tokens per second', async () => {
      server.setResponder(() => ({ text: 'one two three four five', ttftMs: 60, tokensPerSecond: 100 }));
      const start = Date.now();
      const stream = await client.chat.completions.create({ model: 'model-a', messages: user('x'), stream: true });
      let first = 0;
      for await (const chunk of stream) if (!first && chunk.choices[0]?.delta.content) first = Date.now() - start;
      const total = Date.now() - start;
      assert.ok(first >= 50, `first token after ${first} ms`);
      assert.ok(total >= 90, `5 tokens at 100/s after a 60 ms ttft took only ${total} ms`);
    });
  });

  describe('non-streaming', () => {
    it('answers with the default responder, deterministically and with usage', async () => {
      const ask = () => client.chat.completions.create({ model: 'model-a', messages: user('How do I implement a cache function?') });
      const a = await ask();
      const b = await ask();
      const content = a.choices[0].message.content ?? '';
      assert.match(content, /^\*\*model-a\*\* \(simulated\):/);
      assert.match(content, /```ts\n/, 'prompts about code get a code block');
      assert.equal(content, b.choices[0].message.content);
      assert.equal(a.choices[0].finish_reason, 'stop');
      assert.equal(a.usage?.completion_tokens, countTokens(content));
      const other = await client.chat.completions.create({ model: 'model-b', messages: user('How do I implement a cache function?') });
      assert.notEqual(other.choices[0].message.content, content);
      assert.equal(server.totalUsage().completion_tokens, a.usage!.completion_tokens * 2 + other.usage!.completion_tokens);
    });

    it('cuts the answer at max_tokens with finish_reason length', async () => {
      server.setResponder(() => ({ text: 'a b c d e f g' }));
      const r = await client.chat.completions.create({ model: 'model-a', messages: user('x'), max_tokens: 3 });
      assert.equal(r.choices[0].message.content, 'a b c');
      assert.equal(r.choices[0].finish_reason, 'length');
      assert.equal(server.requests[0].maxTokens, 3);
    });

    it('lists default and seen models', async () => {
      await client.chat.completions.create({ model: 'my-model', messages: user('x') });
      const ids = [];
      for await (const m of client.models.list()) ids.push(m.id);
      assert.deepEqual(ids, ['model-a', 'model-b', 'model-c', 'my-model']);
    });
  });

  describe('structured outputs', () => {
    const Verdict = z.object({
      best: z.array(z.number().int()).min(2).max(2),
      score: z.number().int().min(1).max(10),
      confidence: z.number().min(0).max(1),
      reason: z.string(),
      done: z.boolean(),
      kind: z.enum(['keep', 'drop']),
      note: z.string().nullable(),
      tags: z.array(z.object({ name: z.string(), weight: z.number() })).max(3),
    });

    it('returns JSON that satisfies a json_schema response_format', async () => {
      const r = await client.chat.completions.create({
        model: 'model-c',
        messages: user('Judge these answers. Respond with JSON.'),
        response_format: { type: 'json_schema', json_schema: { name: 'verdict', schema: z.toJSONSchema(Verdict), strict: true } },
      });
      const value = Verdict.parse(JSON.parse(r.choices[0].message.content ?? ''));
      assert.deepEqual(value.best, [0, 1], 'integer arrays are distinct small indices');
      assert.equal(value.kind, 'keep');
      assert.ok(server.requests[0].responseFormat);
    });

    it('works with the SDK parse() helper, streaming too', async () => {
      const parsed = await client.chat.completions.parse({
        model: 'model-a',
        messages: user('x'),
        response_format: zodResponseFormat(Verdict, 'verdict'),
      });
      assert.ok(parsed.choices[0].message.parsed);
      const stream = await client.chat.completions.create({
        model: 'model-a',
        messages: user('x'),
        stream: true,
        response_format: zodResponseFormat(Verdict, 'verdict'),
      });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
      Verdict.parse(JSON.parse(text));
    });

    it('answers {} for json_object', async () => {
      const r = await client.chat.completions.create({ model: 'model-a', messages: user('x'), response_format: { type: 'json_object' } });
      assert.deepEqual(JSON.parse(r.choices[0].message.content ?? ''), {});
    });

    it('builds instances for $ref, nullable unions, tuples and bounds', () => {
      const schema = {
        type: 'object',
        $defs: { Item: { type: 'object', properties: { id: { type: 'integer', minimum: 5 } }, required: ['id'] } },
        properties: {
          item: { $ref: '#/$defs/Item' },
          maybe: { anyOf: [{ type: 'null' }, { type: 'string', minLength: 40 }] },
          pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'boolean' }] },
          few: { type: 'array', items: { type: 'string' }, minItems: 3 },
          none: { type: 'array', items: { type: 'integer' }, maxItems: 0 },
          short: { type: 'string', maxLength: 4 },
          c: { const: 42 },
        },
      };
      const v = jsonSchemaInstance(schema, 'model-a') as Record<string, unknown>;
      assert.deepEqual(v.item, { id: 5 });
      assert.ok(typeof v.maybe === 'string' && v.maybe.length >= 40);
      assert.deepEqual(v.pair, ['pair from model-a', false]);
      assert.equal((v.few as string[]).length, 3);
      assert.deepEqual(v.none, []);
      assert.ok((v.short as string).length <= 4);
      assert.equal(v.c, 42);
    });
  });

  describe('free decoder (a constrained decoder choosing any valid value)', () => {
    // A judge-like schema: picks from an enum, exactly two, with no way (in OpenAI's strict subset) to forbid repeats.
    const schema = {
      type: 'object',
      properties: {
        picks: { type: 'array', items: { type: 'integer', enum: [1, 2, 3, 4] }, minItems: 2, maxItems: 2 },
        mood: { type: 'string', enum: ['good', 'bad', 'unsure'] },
        reason: { type: 'string' },
        stop: { type: 'boolean' },
        notes: { type: 'array', items: { type: 'string' }, maxItems: 3 },
      },
      required: ['picks', 'mood', 'reason', 'stop', 'notes'],
      additionalProperties: false,
    };

    it('writes documents valid against the schema whose values vary with the seed: repeats, any enum member, any string length', async () => {
      const docs: Record<string, unknown>[] = [];
      for (let seed = 0; seed < 40; seed++) {
        server.setDecoder({ mode: 'free', seed });
        const r = await client.chat.completions.create({
          model: 'model-a',
          messages: user('Pick two.'),
          response_format: { type: 'json_schema', json_schema: { name: 'verdict', schema, strict: true } },
        });
        const doc = JSON.parse(r.choices[0].message.content ?? '') as Record<string, unknown>;
        assert.deepEqual(schemaViolations(doc, schema), [], JSON.stringify(doc));
        docs.push(doc);
      }
      const picks = docs.map((d) => d.picks as number[]);
      assert.ok(picks.some(([a, b]) => a === b), 'some documents repeat an item');
      assert.deepEqual([...new Set(picks.flat())].sort(), [1, 2, 3, 4], 'every enum member is chosen somewhere');
      assert.equal(new Set(docs.map((d) => d.mood)).size, 3);
      assert.equal(new Set(docs.map((d) => d.stop)).size, 2);
      const lengths = docs.map((d) => (d.reason as string).length);
      assert.ok(lengths.includes(0) && Math.max(...lengths) > 100, `string lengths vary: ${lengths.join(',')}`);
      assert.equal(new Set(docs.map((d) => (d.notes as string[]).length)).size, 4, 'array lengths vary within the bounds');
    });

    it('is reproducible: the same seed and request give the same document; reset() returns to the plausible mode', async () => {
      const ask = async () =>
        (
          await client.chat.completions.create({
            model: 'model-b',
            messages: user('Pick two.'),
            response_format: { type: 'json_schema', json_schema: { name: 'verdict', schema, strict: true } },
          })
        ).choices[0].message.content;
      server.setDecoder({ mode: 'free', seed: 7 });
      assert.equal(await ask(), await ask());
      server.reset();
      const picksOnly = { type: 'object', properties: { picks: schema.properties.picks }, required: ['picks'], additionalProperties: false };
      const plausible = await client.chat.completions.create({
        model: 'model-b',
        messages: user('Pick two.'),
        response_format: { type: 'json_schema', json_schema: { name: 'verdict', schema: picksOnly, strict: true } },
      });
      const { picks } = JSON.parse(plausible.choices[0].message.content ?? '') as { picks: number[] };
      assert.notEqual(picks[0], picks[1], 'the plausible mode writes distinct items');
    });
  });

  describe('tool calls', () => {
    const toolCalls = [
      { name: 'get_weather', arguments: '{"city": "Paris", "unit": "C"}' },
      { id: 'call_custom', name: 'search', arguments: '{"q": "sparse mixture of agents"}' },
    ];

    it('streams tool calls that reassemble by index', async () => {
      server.setResponder(() => ({ toolCalls }));
      const stream = await client.chat.completions.create({
        model: 'model-a',
        messages: user('weather?'),
        stream: true,
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      });
      const calls: { id?: string; name: string; arguments: string }[] = [];
      let finish: string | null | undefined;
      for await (const chunk of stream) {
        for (const d of chunk.choices[0]?.delta.tool_calls ?? []) {
          calls[d.index] ??= { name: '', arguments: '' };
          if (d.id) calls[d.index].id = d.id;
          calls[d.index].name += d.function?.name ?? '';
          calls[d.index].arguments += d.function?.arguments ?? '';
        }
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      assert.equal(finish, 'tool_calls');
      assert.deepEqual(
        calls.map((c) => [c.name, JSON.parse(c.arguments)]),
        toolCalls.map((c) => [c.name, JSON.parse(c.arguments)]),
      );
      assert.equal(calls[1].id, 'call_custom');
      assert.ok(calls[0].id);
      assert.equal(server.requests[0].tools?.length, 1);
    });

    it('returns tool calls without streaming', async () => {
      server.setResponder(() => ({ toolCalls }));
      const r = await client.chat.completions.create({ model: 'model-a', messages: user('weather?') });
      const msg = r.choices[0].message;
      assert.equal(r.choices[0].finish_reason, 'tool_calls');
      assert.equal(msg.content, null);
      assert.deepEqual(
        msg.tool_calls?.map((c) => (c.type === 'function' ? c.function : undefined)),
        toolCalls.map(({ name, arguments: args }) => ({ name, arguments: args })),
      );
    });
  });

  describe('faults', () => {
    it('rate-limit: 429 with Retry-After (and retry-after-ms when fractional)', async () => {
      server.injectFault({ kind: 'rate-limit', retryAfterSeconds: 2 });
      server.injectFault({ kind: 'rate-limit', retryAfterSeconds: 0.25 });
      const whole = await client.chat.completions.create({ model: 'model-a', messages: user('x') }).catch((e: unknown) => e);
      assert.ok(whole instanceof OpenAI.RateLimitError);
      assert.equal(whole.status, 429);
      assert.equal(whole.headers?.get('retry-after'), '2');
      assert.equal(whole.code, 'rate_limit_exceeded');
      const fractional = await client.chat.completions.create({ model: 'model-a', messages: user('x'), stream: true }).catch((e: unknown) => e);
      assert.ok(fractional instanceof OpenAI.RateLimitError);
      assert.equal(fractional.headers?.get('retry-after'), '1');
      assert.equal(fractional.headers?.get('retry-after-ms'), '250');
      await client.chat.completions.create({ model: 'model-a', messages: user('x') }); // faults are used up
    });

    it('the SDK retries after a rate limit and then succeeds', async () => {
      const retrying = new OpenAI({ baseURL: server.url, apiKey: 'test', maxRetries: 2 });
      server.injectFault({ kind: 'rate-limit', retryAfterSeconds: 0.01 }, { times: 2 });
      const r = await retrying.chat.completions.create({ model: 'model-a', messages: user('x') });
      assert.ok(r.choices[0].message.content);
      assert.equal(server.requests.length, 3);
    });

    it('server-error: the given 5xx status', async () => {
      server.injectFault({ kind: 'server-error', status: 503 });
      server.injectFault({ kind: 'server-error' });
      await assert.rejects(client.chat.completions.create({ model: 'model-a', messages: user('x') }), (e: unknown) => {
        assert.ok(e instanceof OpenAI.APIError);
        assert.equal(e.status, 503);
        return true;
      });
      await assert.rejects(client.chat.completions.create({ model: 'model-a', messages: user('x') }), OpenAI.InternalServerError);
    });

    it('context-overflow: 400 with code context_length_exceeded', async () => {
      server.injectFault({ kind: 'context-overflow' });
      await assert.rejects(client.chat.completions.create({ model: 'model-a', messages: user('x') }), (e: unknown) => {
        assert.ok(e instanceof OpenAI.BadRequestError);
        assert.equal(e.code, 'context_length_exceeded');
        assert.equal(e.type, 'invalid_request_error');
        assert.match(e.message, /maximum context length/);
        return true;
      });
    });

    it('faults can target one model and several requests', async () => {
      server.injectFault({ kind: 'server-error' }, { model: 'model-b', times: 2 });
      await client.chat.completions.create({ model: 'model-a', messages: user('x') });
      for (let i = 0; i < 2; i++) {
        await assert.rejects(client.chat.completions.create({ model: 'model-b', messages: user('x') }), OpenAI.InternalServerError);
      }
      await client.chat.completions.create({ model: 'model-b', messages: user('x') });
    });

    it('a responder can choose a fault', async () => {
      server.setResponder((req) => (req.model === 'model-c' ? { fault: { kind: 'server-error', status: 502 } } : undefined));
      await assert.rejects(client.chat.completions.create({ model: 'model-c', messages: user('x') }), { status: 502 });
      const ok = await client.chat.completions.create({ model: 'model-a', messages: user('x') });
      assert.match(ok.choices[0].message.content ?? '', /model-a/);
    });

    it('empty and prose answers', async () => {
      server.injectFault({ kind: 'empty' });
      const empty = await client.chat.completions.create({ model: 'model-a', messages: user('x') });
      assert.equal(empty.choices[0].message.content, '');
      server.injectFault({ kind: 'prose' });
      const prose = await client.chat.completions.create({
        model: 'model-a',
        messages: user('x'),
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object', properties: {} } } },
      });
      assert.throws(() => JSON.parse(prose.choices[0].message.content ?? ''));
    });

    it('cut-stream: iteration rejects after the given number of tokens', async () => {
      server.setResponder(() => ({ text: 'one two three four five six seven' }));
      server.injectFault({ kind: 'cut-stream', afterTokens: 3 });
      const stream = await client.chat.completions.create({ model: 'model-a', messages: user('x'), stream: true });
      let text = '';
      await assert.rejects(async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      });
      assert.equal(text, 'one two three');
      await server.waitForIdle();
      assert.equal(server.abortedRequests, 0, 'a cut by the server is not a client abort');
    });

    it('cut-stream without streaming breaks off the body', async () => {
      server.injectFault({ kind: 'cut-stream', afterTokens: 0 });
      // Headers arrived, so the SDK does not wrap the failure: fetch's TypeError('terminated') surfaces.
      await assert.rejects(client.chat.completions.create({ model: 'model-a', messages: user('x') }), /terminated/);
    });

    it('hang: the request stays open until the client aborts, then counts as aborted', async () => {
      server.injectFault({ kind: 'hang' });
      const controller = new AbortController();
      const pending = client.chat.completions.create({ model: 'model-a', messages: user('x'), stream: true }, { signal: controller.signal });
      await until(() => server.activeRequests() === 1 && server.requests.length === 1);
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(server.activeRequests(), 1, 'still hanging');
      controller.abort();
      await assert.rejects(pending, OpenAI.APIUserAbortError);
      await server.waitForIdle(1000);
      assert.equal(server.abortedRequests, 1);
      assert.equal(server.activeRequests(), 0);
    });

    it('a client abort mid-stream counts as aborted', async () => {
      server.setResponder(() => ({ text: 'a b c d e f g h i j', tokensPerSecond: 50 }));
      const stream = await client.chat.completions.create({ model: 'model-a', messages: user('x'), stream: true });
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) break; // breaking aborts the request
      await server.waitForIdle(1000);
      assert.equal(server.abortedRequests, 1);
    });

    it('waitForIdle rejects after its timeout', async () => {
      server.injectFault({ kind: 'hang' });
      const controller = new AbortController();
      const pending = client.chat.completions.create({ model: 'model-a', messages: user('x') }, { signal: controller.signal });
      await until(() => server.activeRequests() === 1);
      await assert.rejects(server.waitForIdle(20), /active request/);
      controller.abort();
      await assert.rejects(pending);
      await server.waitForIdle(1000);
    });
  });

  describe('endpoint options', () => {
    it('promptBilling: the schema and message framing count as prompt only where the endpoint bills them', async () => {
      const messages = [
        { role: 'system' as const, content: 'Score it.' },
        { role: 'user' as const, content: 'An answer.' },
      ];
      const schema = { type: 'object', properties: { score: { type: 'integer', enum: [1, 2, 3] } }, required: ['score'], additionalProperties: false };
      const ask = () =>
        client.chat.completions.create({ model: 'model-a', messages, response_format: { type: 'json_schema', json_schema: { name: 's', schema, strict: true } } });
      const text = countTokens('Score it.') + countTokens('An answer.');
      assert.equal((await ask()).usage?.prompt_tokens, text, 'by default only the messages count (a grammar is not prompt)');
      server.setPromptBilling({ schema: true, perMessage: 3, perRequest: 3 });
      assert.equal((await ask()).usage?.prompt_tokens, text + countTokens(JSON.stringify(schema)) + 2 * 3 + 3);
      const plain = await client.chat.completions.create({ model: 'model-a', messages });
      assert.equal(plain.usage?.prompt_tokens, text + 2 * 3 + 3, 'no schema sent, none billed');
      server.reset();
      assert.equal((await ask()).usage?.prompt_tokens, text, 'reset() returns to the server as started');
    });

    it('supportsResponseFormat: false rejects response_format, plain requests still work', async () => {
      const plain = await startFakeServer({ supportsResponseFormat: false });
      try {
        const c = new OpenAI({ baseURL: plain.url, apiKey: 'test', maxRetries: 0 });
        await assert.rejects(
          c.chat.completions.create({
            model: 'model-a',
            messages: user('x'),
            response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
          }),
          (e: unknown) => {
            assert.ok(e instanceof OpenAI.BadRequestError);
            assert.equal(e.param, 'response_format');
            assert.match(e.message, /response_format/);
            return true;
          },
        );
        const ok = await c.chat.completions.create({ model: 'model-a', messages: user('x') });
        assert.ok(ok.choices[0].message.content);
      } finally {
        await plain.close();
      }
    });

    it('apiKey: wrong key gets 401', async () => {
      const locked = await startFakeServer({ apiKey: 'secret' });
      try {
        const wrong = new OpenAI({ baseURL: locked.url, apiKey: 'nope', maxRetries: 0 });
        await assert.rejects(wrong.chat.completions.create({ model: 'model-a', messages: user('x') }), OpenAI.AuthenticationError);
        const right = new OpenAI({ baseURL: locked.url, apiKey: 'secret', maxRetries: 0 });
        await right.chat.completions.create({ model: 'model-a', messages: user('x') });
      } finally {
        await locked.close();
      }
    });

    it('close() resolves promptly with a hanging request and keep-alive sockets', async () => {
      const s = await startFakeServer();
      const c = new OpenAI({ baseURL: s.url, apiKey: 'test', maxRetries: 0 });
      await c.chat.completions.create({ model: 'model-a', messages: user('x') }); // leaves a keep-alive socket
      s.injectFault({ kind: 'hang' });
      const pending = c.chat.completions.create({ model: 'model-a', messages: user('x') }).catch((e: unknown) => e);
      await until(() => s.activeRequests() === 1);
      assert.ok(s.openConnections() >= 1);
      const start = Date.now();
      await s.close();
      assert.ok(Date.now() - start < 1000, `close took ${Date.now() - start} ms`);
      assert.ok((await pending) instanceof OpenAI.APIConnectionError);
      assert.equal(s.openConnections(), 0);
      assert.equal(s.abortedRequests, 0, 'closing the server is not a client abort');
    });

    it('binds to 127.0.0.1', () => {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    });
  });
});
