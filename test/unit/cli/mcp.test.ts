import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startFakeServer, type FakeServer } from '../../../test/server/fake-openai';
import { parseCommand, UsageError } from '../../../src/cli/args';
import { STRATEGIES } from '../../../src/pipeline/config';
import { startMcpWire } from '../helpers/mcp-wire';

// `smoa mcp` as an agent meets it: a child process speaking MCP on stdio, consulted against the fake server.

const root = join(__dirname, '../../..');
const packageVersion = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

describe('smoa mcp', function () {
  this.timeout(60_000);
  let server: FakeServer;
  let client: Client;
  let transport: StdioClientTransport;
  let dir: string;
  let stderr = '';

  before(async () => {
    server = await startFakeServer({ ttftMs: 0, tokensPerSecond: 0 });
    dir = mkdtempSync(join(tmpdir(), 'smoa-mcp-'));
    const configPath = join(dir, 'smoa.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        endpoints: [{ id: 'local', baseURL: server.url, apiKeyEnv: 'SMOA_MCP_TEST_KEY', maxRetries: 0 }],
        models: [
          { id: 'a', endpoint: 'local', model: 'model-a' },
          { id: 'b', endpoint: 'local', model: 'model-b' },
        ],
        proposers: ['a', 'b', 'a'],
        aggregator: 'a',
        judge: 'b',
        layers: 2,
        topK: 2,
        roles: 'off',
      }),
    );
    transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', join(root, 'src/cli.ts'), 'mcp', '--config', configPath, '--trace-dir', join(dir, 'traces')],
      cwd: root,
      // The key reaches the server through its environment, as the extension passes it.
      env: { ...(process.env as Record<string, string>), SMOA_MCP_TEST_KEY: 'test-key' },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d) => (stderr += d));
    client = new Client({ name: 'smoa-test', version: '1.0.0' });
    await client.connect(transport);
  });
  after(async () => {
    await client?.close();
    await server.close();
  });
  beforeEach(() => server.reset());

  it("tells the client its name and package.json's version", () => {
    assert.deepEqual(client.getServerVersion(), { name: 'smoa', version: packageVersion });
  });

  it('the bundle (dist/cli.js) reports the same version with no package.json beside it', async function () {
    const bundle = join(root, 'dist/cli.js');
    if (!existsSync(bundle)) this.skip(); // `npm test` builds before the unit tests; a bare `mocha` may not have
    const alone = mkdtempSync(join(tmpdir(), 'smoa-bundle-'));
    copyFileSync(bundle, join(alone, 'cli.js'));
    const bundled = new Client({ name: 'smoa-test', version: '1.0.0' });
    await bundled.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [join(alone, 'cli.js'), 'mcp', '--config', join(dir, 'smoa.json')],
        cwd: alone,
        env: { ...(process.env as Record<string, string>), SMOA_MCP_TEST_KEY: 'test-key' },
        stderr: 'pipe',
      }),
    );
    try {
      assert.deepEqual(bundled.getServerVersion(), { name: 'smoa', version: packageVersion });
    } finally {
      await bundled.close();
    }
  });

  it('lists one tool, consult, with its input schema', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ['consult'],
    );
    const schema = tools[0].inputSchema as { properties: Record<string, { enum?: string[] }>; required: string[] };
    assert.deepEqual(schema.required, ['prompt']);
    assert.deepEqual(schema.properties.strategy.enum, [...STRATEGIES]);
    assert.ok(schema.properties.context);
  });

  it('answers a consultation with a run summary and its trace path, reporting progress per stage', async () => {
    server.setResponder((req) => (String(req.headers['x-smoa-stage']) === 'aggregator' ? { text: 'Use a trie.' } : undefined));
    // On the wire, not through the SDK client: a client may drop a notification that races the result; the server must
    // send every one of them first.
    const wire = startMcpWire(join(dir, 'smoa.json'), ['--trace-dir', join(dir, 'traces')]);
    try {
      await wire.initialize();
      const callAt = wire.lines.length;
      wire.send({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'consult', arguments: { prompt: 'Fastest prefix search?', context: 'One million words.' }, _meta: { progressToken: 'p7' } },
      });
      const result = (await wire.response(7)) as { result: { content: { type: string; text: string }[] } };
      // A ping's answer comes after anything the server wrote before it: nothing about the call may follow the result.
      await wire.request('after', 'ping');
      const sent = wire.lines.slice(callAt) as { id?: unknown; method?: string; params?: { progressToken?: unknown; message?: string; progress?: number } }[];
      const resultAt = sent.findIndex((m) => m.id === 7);
      const progressAt = sent.flatMap((m, i) => (m.method === 'notifications/progress' && m.params?.progressToken === 'p7' ? [i] : []));
      const progress = progressAt.map((i) => sent[i].params?.message ?? '');
      assert.ok(progressAt.length > 3, progress.join('\n'));
      assert.ok(progressAt.every((i) => i < resultAt), `every progress notification precedes the result: ${JSON.stringify(sent.map((m) => m.method ?? m.id))}`);
      assert.deepEqual(progressAt.map((i) => sent[i].params?.progress), progressAt.map((_, n) => n + 1), 'progress counts up by one');
      assert.ok(progress.some((m) => /^Layer 1\/2: 3 proposers answering/.test(m)), progress.join('\n'));
      assert.ok(progress.some((m) => /judge b is choosing/.test(m)));
      assert.ok(progress.some((m) => /^Aggregator a is writing the answer/.test(m)));
      assert.equal(progress.at(-1), 'Finished: ok');

      const text = result.result.content[0].text;
      const [answer, notes] = text.split('\n\n---\n');
      assert.equal(answer, 'Use a trie.');
      assert.match(notes, /^SMoA run (\S+) \(SMoA\): ok; /);
      assert.match(notes, /judge kept: layer 1: /);
      const tracePath = /trace: (.+)$/m.exec(notes)?.[1];
      assert.ok(tracePath && existsSync(tracePath), `trace written: ${tracePath}`);
      assert.equal(JSON.parse(readFileSync(tracePath, 'utf8')).answer, 'Use a trie.');
      assert.ok(server.requests.some((r) => /One million words\./.test(JSON.stringify(r.body.messages))));
      assert.equal(server.requests[0].headers.authorization, 'Bearer test-key');
    } finally {
      await wire.close();
    }
  });

  it('cancels a consultation when the client does: every request to the endpoint is closed', async () => {
    server.setResponder(() => ({ text: 'slow '.repeat(2000), tokensPerSecond: 20 }));
    const controller = new AbortController();
    const call = client.callTool({ name: 'consult', arguments: { prompt: 'Take your time.' } }, undefined, { signal: controller.signal });
    const deadline = Date.now() + 10_000;
    while (server.activeRequests() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(server.activeRequests(), 3, 'the three proposers are streaming');
    controller.abort();
    await assert.rejects(call, /abort/i);
    await server.waitForIdle(5_000);
    assert.equal(server.activeRequests(), 0);
    assert.ok(server.abortedRequests >= 3, `aborted: ${server.abortedRequests}`);
    // The server lives on: the next consultation works.
    server.setResponder(undefined);
    const again = await client.callTool({ name: 'consult', arguments: { prompt: 'q', strategy: 'single' } });
    assert.match((again.content as { text: string }[])[0].text, /\(Single model\): ok/);
    assert.doesNotMatch(stderr, /test-key/, 'the key never appears in the server log');
  });

  it('parses its flags and refuses the ones of other commands', () => {
    assert.deepEqual(parseCommand(['mcp', '--config', 'c.json', '--trace-dir', 'out']), { kind: 'mcp', config: 'c.json', traceDir: 'out' });
    assert.throws(() => parseCommand(['mcp']), /mcp: --config is required/);
    assert.throws(() => parseCommand(['mcp', '--config', 'c.json', '--prompt', 'x']), UsageError);
    assert.throws(() => parseCommand(['run', '--config', 'c.json', '--prompt', 'x', '--trace-dir', 'd']), /--trace-dir belongs to "mcp"/);
  });
});
