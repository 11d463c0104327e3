import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as CurrentClient, type VersionNegotiationMode } from '@modelcontextprotocol/client';
import { StdioClientTransport as CurrentStdio } from '@modelcontextprotocol/client/stdio';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as V1Stdio } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startFakeServer, type FakeServer } from '../../../test/server/fake-openai';
import { startMcpWire, writeMcpConfig } from '../helpers/mcp-wire';

// `smoa mcp` for clients of both protocol eras, with the official SDK clients (the official Inspector CLI needs a
// newer Node than this project's 20): a client pinned to the current protocol (2026-07-28, opening with
// `server/discover`), one that probes and falls back, the current SDK's negotiating client, and the 1.x SDK client
// that today's agents embed. Each lists the tool, consults with progress, and can cancel.

const root = join(__dirname, '../../..');
const CURRENT = '2026-07-28';
const serverArgs = (config: string) => ['--import', 'tsx', join(root, 'src/cli.ts'), 'mcp', '--config', config];
const env = () => ({ ...(process.env as Record<string, string>), SMOA_MCP_TEST_KEY: 'test-key' });

interface AnyClient {
  version(): string | undefined;
  listTools(): Promise<{ tools: { name: string }[] }>;
  consult(args: object, onProgress: (message: string) => void, signal?: AbortSignal): Promise<{ content: unknown; isError?: boolean }>;
  close(): Promise<void>;
}

async function currentClient(config: string, mode: VersionNegotiationMode): Promise<AnyClient> {
  const client = new CurrentClient({ name: 'smoa-era-test', version: '1.0.0' }, { versionNegotiation: { mode } });
  await client.connect(new CurrentStdio({ command: process.execPath, args: serverArgs(config), cwd: root, env: env(), stderr: 'pipe' }));
  return {
    version: () => client.getNegotiatedProtocolVersion(),
    listTools: () => client.listTools(),
    consult: (args, onProgress, signal) =>
      client.callTool({ name: 'consult', arguments: args as Record<string, unknown> }, { onprogress: (p) => onProgress(p.message ?? ''), ...(signal ? { signal } : {}) }) as Promise<{ content: unknown; isError?: boolean }>,
    close: () => client.close(),
  };
}

async function v1Client(config: string): Promise<AnyClient> {
  const client = new V1Client({ name: 'smoa-era-test', version: '1.0.0' });
  await client.connect(new V1Stdio({ command: process.execPath, args: serverArgs(config), cwd: root, env: env(), stderr: 'pipe' }));
  return {
    // The 1.x client does not tell which version it negotiated; it only speaks the 2025 family (initialize).
    version: () => undefined,
    listTools: () => client.listTools(),
    consult: (args, onProgress, signal) =>
      client.callTool({ name: 'consult', arguments: args as Record<string, unknown> }, undefined, { onprogress: (p) => onProgress(p.message ?? ''), ...(signal ? { signal } : {}) }) as Promise<{ content: unknown; isError?: boolean }>,
    close: () => client.close(),
  };
}

const clients: { name: string; era?: RegExp; open: (config: string) => Promise<AnyClient> }[] = [
  { name: `current SDK client pinned to ${CURRENT}`, era: new RegExp(`^${CURRENT}$`), open: (c) => currentClient(c, { pin: CURRENT }) },
  { name: 'current SDK client probing (auto)', era: new RegExp(`^${CURRENT}$`), open: (c) => currentClient(c, 'auto') },
  { name: 'current SDK client, legacy negotiation (initialize)', era: /^2025-/, open: (c) => currentClient(c, 'legacy') },
  { name: 'SDK 1.x client (initialize)', open: v1Client },
];

describe('smoa mcp: both protocol eras', function () {
  this.timeout(60_000);
  let server: FakeServer;
  let config: string;

  before(async () => {
    server = await startFakeServer({ ttftMs: 0, tokensPerSecond: 0 });
    config = writeMcpConfig(mkdtempSync(join(tmpdir(), 'smoa-mcp-eras-')), server.url);
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  it(`answers server/discover with ${CURRENT} among its versions (what a pinned client asks first)`, async () => {
    const wire = startMcpWire(config);
    try {
      const reply = await wire.request(1, 'server/discover', {
        _meta: { 'io.modelcontextprotocol/protocolVersion': CURRENT, 'io.modelcontextprotocol/clientInfo': { name: 'wire', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} },
      });
      const result = reply.result as { supportedVersions?: string[]; _meta?: Record<string, { name?: string }> };
      assert.ok(result?.supportedVersions?.includes(CURRENT), JSON.stringify(reply));
      assert.equal(result._meta?.['io.modelcontextprotocol/serverInfo']?.name, 'smoa');
    } finally {
      await wire.close();
    }
  });

  for (const { name, era, open } of clients) {
    it(`${name}: connects, lists consult, consults with progress, cancels`, async () => {
      const client = await open(config);
      try {
        if (era) assert.match(client.version() ?? '', era, `negotiated ${client.version()}`);
        assert.deepEqual(
          (await client.listTools()).tools.map((t) => t.name),
          ['consult'],
        );
        server.setResponder((req) => (String(req.headers['x-smoa-stage']) === 'aggregator' ? { text: 'Use a trie.' } : undefined));
        const progress: string[] = [];
        const result = await client.consult({ prompt: 'Fastest prefix search?' }, (m) => progress.push(m));
        const text = (result.content as { text: string }[])[0].text;
        assert.equal(text.split('\n\n---\n')[0], 'Use a trie.');
        assert.ok(progress.some((m) => /^Layer 1\/2: 3 proposers answering/.test(m)), progress.join('\n'));
        // (That the server sends every notification, "Finished: ok" last, before the result is pinned on the wire in
        // mcp.test.ts; a client may still drop one that races the result, the 1.x client does.)

        server.setResponder(() => ({ text: 'slow '.repeat(2000), tokensPerSecond: 20 }));
        const controller = new AbortController();
        const call = client.consult({ prompt: 'Take your time.' }, () => undefined, controller.signal);
        const deadline = Date.now() + 10_000;
        while (server.activeRequests() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.equal(server.activeRequests(), 3, 'the three proposers are streaming');
        controller.abort();
        await assert.rejects(call);
        await server.waitForIdle(5_000);
        assert.equal(server.activeRequests(), 0, 'every request to the endpoint was closed');
      } finally {
        await client.close();
      }
    });
  }
});
