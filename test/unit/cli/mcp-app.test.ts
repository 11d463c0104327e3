import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { startFakeServer, type FakeServer } from '../../../test/server/fake-openai';
import { MCP_APP_MIME_TYPE, readToolResult, TRACE_RESULT_META_KEY, TRACE_VIEW_URI } from '../../../src/views/mcp-app-protocol';
import { viewCsp } from '../../../src/views/html';
import { openMcpClient } from '../helpers/mcp-client';
import { writeMcpConfig } from '../helpers/mcp-wire';

// The MCP App of `consult` as a host meets it: the tool names its view, the view is a readable resource whose policy
// allows nothing remote, and each result carries the run's trace where hosts pass it to the view and not to the model.
// The view itself is tested in a browser against the official host bridge (test/browser/mcp-app.test.ts).

type ToolResult = { content: { type: string; text?: string }[]; isError?: boolean; structuredContent?: unknown; _meta?: Record<string, unknown> };

const eras = [
  { name: 'current protocol (pinned 2026-07-28)', mode: { pin: '2026-07-28' } as const },
  { name: '2025 family (initialize)', mode: 'legacy' as const },
];

describe('smoa mcp: the consult trace view (MCP App)', function () {
  this.timeout(60_000);
  let server: FakeServer;
  let config: string;

  before(async () => {
    server = await startFakeServer({ ttftMs: 0, tokensPerSecond: 0 });
    config = writeMcpConfig(mkdtempSync(join(tmpdir(), 'smoa-mcp-app-')), server.url);
  });
  after(() => server.close());

  for (const era of eras) {
    describe(era.name, () => {
      let client: Client;
      before(async () => {
        client = await openMcpClient(config, era.mode);
      });
      after(() => client?.close());

      it('names its view on the consult tool, and lists the view as an MCP App resource', async () => {
        const { tools } = await client.listTools();
        const consult = tools.find((t) => t.name === 'consult');
        assert.deepEqual((consult?._meta as { ui?: unknown } | undefined)?.ui, { resourceUri: TRACE_VIEW_URI });
        const { resources } = await client.listResources();
        const view = resources.find((r) => r.uri === TRACE_VIEW_URI);
        assert.equal(view?.mimeType, MCP_APP_MIME_TYPE);
        assert.deepEqual((view?._meta as { ui?: { csp?: object } } | undefined)?.ui?.csp, { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] });
      });

      it('serves one HTML document whose policy allows its own inline script and style by hash, and nothing remote', async () => {
        const { contents } = await client.readResource({ uri: TRACE_VIEW_URI });
        assert.equal(contents.length, 1);
        const doc = contents[0] as { mimeType?: string; text?: string };
        assert.equal(doc.mimeType, MCP_APP_MIME_TYPE);
        const html = doc.text ?? '';
        const policy = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)?.[1];
        assert.ok(policy, 'the document carries its policy');
        const directives = new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
        assert.deepEqual(directives.get('default-src'), ["'none'"]);
        for (const name of ['connect-src', 'font-src', 'frame-src', 'object-src', 'form-action', 'base-uri']) assert.deepEqual(directives.get(name), ["'none'"], name);
        assert.deepEqual(directives.get('img-src'), ['data:']);
        // No remote scheme, host or wildcard anywhere, nothing inline but the hashed blocks, no eval.
        assert.doesNotMatch(policy, /https?:|wss?:|\*|'self'|'unsafe-inline'|'unsafe-eval'/);
        const sha = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
        const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
        const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
        assert.equal(scripts.length, 1);
        assert.equal(styles.length, 1);
        assert.deepEqual(directives.get('script-src'), [sha(scripts[0])]);
        assert.deepEqual(directives.get('style-src'), [sha(styles[0])]);
        assert.equal(policy, viewCsp(sha(styles[0]), sha(scripts[0])), "the panels' policy, with hashes for the nonce");
        assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, 'nothing loaded from elsewhere');
      });

      it("returns the answer as text for the model and the run's trace in _meta for the view (not in structuredContent)", async () => {
        const result = (await client.callTool({ name: 'consult', arguments: { prompt: 'How should I cache this?' } })) as ToolResult;
        assert.notEqual(result.isError, true, JSON.stringify(result.content));
        const text = result.content.map((c) => c.text ?? '').join('\n');
        assert.match(text, /^SMoA run \S+ \(/m);
        // VS Code gives the model structuredContent instead of the text when a result has it: the trace must not be there.
        assert.equal(result.structuredContent, undefined);
        const read = readToolResult(result);
        assert.ok(read.ok, read.ok ? '' : read.error);
        assert.equal(read.message.kind, 'trace');
        const trace = read.message.kind === 'trace' ? read.message.trace : undefined;
        assert.equal(trace?.prompt, 'How should I cache this?');
        assert.equal(trace?.status, 'ok');
        assert.ok(text.includes(trace!.runId), 'the text and the trace are the same run');
        assert.equal(trace?.layers.length, 2);
        assert.ok(trace?.layers.every((l) => l.judge && Object.keys(l.judge.scores ?? {}).length > 0), 'judge scores are in the trace');
        assert.ok(trace?.totals && trace.totals.calls > 0);
        assert.ok(TRACE_RESULT_META_KEY in (result._meta ?? {}));
      });
    });
  }
});
