import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startFakeServer, type FakeServer } from '../../../test/server/fake-openai';
import { startMcpWire, writeMcpConfig, type McpWire, type WireMessage } from '../helpers/mcp-wire';

// `consult` as an MCP task, in both eras: protocol 2025-11-25 (core tasks, asked for with `task`) and 2026-07-28 (the
// tasks extension, declared in each request's capabilities). A client that supports tasks gets one at once, polls it,
// gets the answer when done and can cancel it; a client that does not gets the plain call. The fake server is slowed
// down so that a consultation outlasts a short client request timeout.

const root = join(__dirname, '../../..');
const TASKS = { requests: { tools: { call: {} } }, cancel: {}, list: {} };

describe('smoa mcp: consult as a task', function () {
  this.timeout(90_000);
  let server: FakeServer;
  let config: string;

  before(async () => {
    server = await startFakeServer({ ttftMs: 0, tokensPerSecond: 0 });
    config = writeMcpConfig(mkdtempSync(join(tmpdir(), 'smoa-mcp-tasks-')), server.url);
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  /** Every model call waits `ms` before answering; the aggregator answers "Use a trie.". */
  const slow = (ms: number) => server.setResponder((req) => ({ ttftMs: ms, ...(String(req.headers['x-smoa-stage']) === 'aggregator' ? { text: 'Use a trie.' } : {}) }));

  it("a consultation longer than the client's request timeout completes as a task (SDK 1.x client)", async () => {
    const client = new Client({ name: 'smoa-task-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ['--import', 'tsx', join(root, 'src/cli.ts'), 'mcp', '--config', config],
        cwd: root,
        env: { ...(process.env as Record<string, string>), SMOA_MCP_TEST_KEY: 'test-key' },
        stderr: 'pipe',
      }),
    );
    try {
      assert.ok(client.getServerCapabilities()?.tasks?.requests?.tools?.call, JSON.stringify(client.getServerCapabilities()));
      const [tool] = (await client.listTools()).tools;
      assert.equal(tool.execution?.taskSupport, 'optional');
      slow(400);
      // Five stages of 400 ms each: the plain call outlasts a 1 s request timeout...
      await assert.rejects(client.callTool({ name: 'consult', arguments: { prompt: 'Fastest prefix search?' } }, undefined, { timeout: 1000 }), /timed out/i);
      await server.waitForIdle(10_000);
      // ...as a task, every request (create, poll, fetch) is short and the answer arrives.
      const started = Date.now();
      const seen: string[] = [];
      let text = '';
      for await (const message of client.experimental.tasks.callToolStream({ name: 'consult', arguments: { prompt: 'Fastest prefix search?' } }, undefined, { timeout: 1000, task: { ttl: 60_000 } })) {
        seen.push(message.type === 'taskStatus' ? `status:${message.task.status}` : message.type);
        if (message.type === 'result') text = (message.result.content as { text: string }[])[0].text;
        if (message.type === 'error') throw message.error;
      }
      const took = Date.now() - started;
      assert.equal(seen[0], 'taskCreated');
      assert.ok(seen.includes('status:working'), seen.join(' '));
      assert.equal(seen.at(-2), 'status:completed');
      assert.equal(seen.at(-1), 'result');
      assert.equal(text.split('\n\n---\n')[0], 'Use a trie.');
      assert.ok(took > 1000, `the consultation took ${took} ms, longer than the 1000 ms request timeout`);
    } finally {
      await client.close();
    }
  });

  describe('on the wire', () => {
    let wire: McpWire;
    beforeEach(() => {
      wire = startMcpWire(config);
    });
    afterEach(() => wire.close());

    it('returns a task at once, reports progress on it, and tasks/result gives the answer when done', async () => {
      const init = (await wire.initialize({ tasks: TASKS }, '2025-11-25')) as { result: { capabilities: { tasks?: object } } };
      assert.deepEqual(init.result.capabilities.tasks, { list: {}, cancel: {}, requests: { tools: { call: {} } } });
      slow(300);
      const created = (await wire.request(1, 'tools/call', { name: 'consult', arguments: { prompt: 'q' }, task: { ttl: 60_000 }, _meta: { progressToken: 'p1' } })) as { result: { task: { taskId: string; status: string; pollInterval: number } } };
      const { taskId, status } = created.result.task;
      assert.equal(status, 'working');
      assert.equal(server.requests.filter((r) => r.body).length <= 3, true, 'answered before the run got past its first stage');
      const polled = (await wire.request(2, 'tasks/get', { taskId })) as { result: { status: string } };
      assert.equal(polled.result.status, 'working');
      const listed = (await wire.request(3, 'tasks/list', {})) as { result: { tasks: { taskId: string }[] } };
      assert.deepEqual(listed.result.tasks.map((t) => t.taskId), [taskId]);
      const fetched = (await wire.request(4, 'tasks/result', { taskId })) as { result: { content: { text: string }[]; _meta: Record<string, unknown> } };
      assert.equal(fetched.result.content[0].text.split('\n\n---\n')[0], 'Use a trie.');
      assert.deepEqual(fetched.result._meta['io.modelcontextprotocol/related-task'], { taskId });
      const progress = wire.lines.filter((m): m is WireMessage => 'method' in m && m.method === 'notifications/progress').map((m) => m.params as { progressToken: string; message: string });
      assert.ok(progress.length > 3 && progress.every((p) => p.progressToken === 'p1'), JSON.stringify(progress));
      assert.equal(progress.at(-1)?.message, 'Finished: ok');
      const done = (await wire.request(5, 'tasks/get', { taskId })) as { result: { status: string } };
      assert.equal(done.result.status, 'completed');
      // Only the client's own ids come back: the call's id towards the server never shows.
      const ids = wire.lines.flatMap((m) => ('id' in m && !('method' in m && m.method) ? [m.id] : []));
      assert.deepEqual(ids, ['init', 1, 2, 3, 4, 5]);
    });

    it('tasks/cancel aborts the consultation: every request to the endpoint is closed', async () => {
      await wire.initialize({ tasks: TASKS }, '2025-11-25');
      server.setResponder(() => ({ text: 'slow '.repeat(2000), tokensPerSecond: 20 }));
      const created = (await wire.request(1, 'tools/call', { name: 'consult', arguments: { prompt: 'q' }, task: {} })) as { result: { task: { taskId: string } } };
      const { taskId } = created.result.task;
      const deadline = Date.now() + 10_000;
      while (server.activeRequests() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(server.activeRequests(), 3, 'the three proposers are streaming');
      const cancelled = (await wire.request(2, 'tasks/cancel', { taskId })) as { result: { status: string } };
      assert.equal(cancelled.result.status, 'cancelled');
      await server.waitForIdle(5_000);
      assert.equal(server.activeRequests(), 0);
      assert.ok(server.abortedRequests >= 3, `aborted: ${server.abortedRequests}`);
      const result = await wire.request(3, 'tasks/result', { taskId });
      assert.match(result.error?.message ?? '', /cancelled/);
      const again = await wire.request(4, 'tasks/cancel', { taskId });
      assert.equal(again.error?.code, -32602);
      const unknown = await wire.request(5, 'tasks/get', { taskId: 'nope' });
      assert.equal(unknown.error?.code, -32602);
      assert.match(unknown.error?.message ?? '', /Unknown task: nope/);
    });

    it('a client without task support gets the plain call, as before', async () => {
      const init = (await wire.initialize({}, '2025-06-18')) as { result: { capabilities: { tasks?: object } } };
      assert.equal(init.result.capabilities.tasks, undefined);
      const list = (await wire.request(1, 'tools/list')) as { result: { tools: { execution?: object }[] } };
      assert.equal(list.result.tools[0].execution, undefined);
      const reply = (await wire.request(2, 'tools/call', { name: 'consult', arguments: { prompt: 'q', strategy: 'single' }, task: {} })) as { result: { task?: object; content: { text: string }[] } };
      assert.equal(reply.result.task, undefined);
      assert.match(reply.result.content[0].text, /\(Single model\): ok/);
    });
  });

  describe('2026-07-28: the tasks extension', () => {
    const CURRENT = '2026-07-28';
    const EXTENSION = 'io.modelcontextprotocol/tasks';
    /** The per-request envelope of a 2026-07-28 client; `tasks`: whether it declares the tasks extension. */
    const envelope = (tasks: boolean) => ({
      'io.modelcontextprotocol/protocolVersion': CURRENT,
      'io.modelcontextprotocol/clientInfo': { name: 'wire-test', version: '1.0.0' },
      'io.modelcontextprotocol/clientCapabilities': tasks ? { extensions: { [EXTENSION]: {} } } : {},
    });
    /** What a client with a 1 s request timeout sees: the answer within 1 s, or a timeout. */
    const REQUEST_TIMEOUT_MS = 1000;
    let wire: McpWire;
    let nextId = 0;
    const ask = (method: string, params: object, tasks = true) => {
      const id = `r${++nextId}`;
      wire.send({ jsonrpc: '2.0', id, method, params: { ...params, _meta: { ...(params as { _meta?: object })._meta, ...envelope(tasks) } } });
      return wire.response(id, REQUEST_TIMEOUT_MS);
    };
    type DetailedTask = { resultType: string; taskId: string; status: string; statusMessage?: string; ttlMs: number; pollIntervalMs: number; result?: { content: { text: string }[] }; error?: object };

    beforeEach(async () => {
      wire = startMcpWire(config);
      const discovered = (await wire.request('discover', 'server/discover', { _meta: envelope(true) })) as { result: { capabilities: { extensions?: Record<string, object> } } };
      assert.deepEqual(discovered.result.capabilities.extensions?.[EXTENSION], {}, JSON.stringify(discovered));
    });
    afterEach(() => wire.close());

    it("a consultation longer than the client's request timeout completes as a task: every request is answered in time, the stage shows on the task", async () => {
      slow(400);
      // The plain call (no extension declared) outlasts the 1 s request timeout...
      await assert.rejects(ask('tools/call', { name: 'consult', arguments: { prompt: 'Fastest prefix search?' } }, false), /no response .* within 1000 ms/);
      await server.waitForIdle(15_000);
      server.reset();
      slow(400);
      // ...declared, the call returns a task at once, and each poll is answered at once.
      const started = Date.now();
      const created = (await ask('tools/call', { name: 'consult', arguments: { prompt: 'Fastest prefix search?' } })) as { result: DetailedTask };
      assert.equal(created.result.resultType, 'task');
      assert.equal(created.result.status, 'working');
      assert.ok(created.result.ttlMs > 0 && created.result.pollIntervalMs > 0, JSON.stringify(created.result));
      const { taskId } = created.result;
      const stages: string[] = [];
      let task: DetailedTask;
      for (;;) {
        task = ((await ask('tasks/get', { taskId })) as { result: DetailedTask }).result;
        assert.equal(task.resultType, 'complete');
        assert.equal(task.taskId, taskId);
        if (task.status !== 'working') break;
        if (task.statusMessage && stages.at(-1) !== task.statusMessage) stages.push(task.statusMessage);
        await new Promise((r) => setTimeout(r, 100));
      }
      const took = Date.now() - started;
      assert.equal(task.status, 'completed', JSON.stringify(task));
      assert.equal(task.result?.content[0].text.split('\n\n---\n')[0], 'Use a trie.');
      assert.equal(task.statusMessage, 'Finished: ok');
      assert.ok(took > REQUEST_TIMEOUT_MS, `the consultation took ${took} ms, longer than the ${REQUEST_TIMEOUT_MS} ms request timeout`);
      // Progress per stage is the task's status message (this era has no progress notifications on tasks).
      assert.ok(stages.some((m) => /^Layer 1\/2: 3 proposers answering/.test(m)), stages.join('\n'));
      assert.ok(stages.length >= 3, stages.join('\n'));
      const progress = wire.lines.filter((m) => 'method' in m && m.method === 'notifications/progress');
      assert.deepEqual(progress, []);
      // Only the client's own ids come back: the call's id towards the server never shows.
      const ids = wire.lines.flatMap((m) => ('id' in m && !('method' in m && m.method) ? [String(m.id)] : []));
      assert.ok(ids.every((id) => id === 'discover' || /^r\d+$/.test(id)), ids.join(' '));
    });

    it('tasks/cancel aborts the consultation: every request to the endpoint is closed', async () => {
      server.setResponder(() => ({ text: 'slow '.repeat(2000), tokensPerSecond: 20 }));
      const created = (await ask('tools/call', { name: 'consult', arguments: { prompt: 'q' } })) as { result: DetailedTask };
      const { taskId } = created.result;
      const deadline = Date.now() + 10_000;
      while (server.activeRequests() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(server.activeRequests(), 3, 'the three proposers are streaming');
      const cancelled = (await ask('tasks/cancel', { taskId })) as { result: { resultType: string } };
      assert.deepEqual(cancelled.result, { resultType: 'complete' });
      await server.waitForIdle(5_000);
      assert.equal(server.activeRequests(), 0);
      assert.ok(server.abortedRequests >= 3, `aborted: ${server.abortedRequests}`);
      const task = ((await ask('tasks/get', { taskId })) as { result: DetailedTask }).result;
      assert.equal(task.status, 'cancelled');
      assert.equal(task.result, undefined);
      // Cancelling again is acknowledged (a cancellation is a request the server may not honour); an unknown task is not.
      assert.deepEqual(((await ask('tasks/cancel', { taskId })) as { result: object }).result, { resultType: 'complete' });
      const unknown = await ask('tasks/get', { taskId: 'nope' });
      assert.equal(unknown.error?.code, -32602);
      assert.match(unknown.error?.message ?? '', /Unknown task: nope/);
    });

    it('a client that does not declare the extension gets the plain call, and no task methods', async () => {
      const reply = (await wire.request('plain', 'tools/call', { name: 'consult', arguments: { prompt: 'q', strategy: 'single' }, _meta: envelope(false) })) as { result: { resultType?: string; content: { text: string }[] } };
      assert.notEqual(reply.result.resultType, 'task');
      assert.match(reply.result.content[0].text, /\(Single model\): ok/);
      const refused = await ask('tasks/get', { taskId: 'any' }, false);
      assert.equal(refused.error?.code, -32021);
      assert.deepEqual(refused.error?.data, { requiredCapabilities: { extensions: { [EXTENSION]: {} } } });
    });
  });
});
