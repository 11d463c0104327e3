import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureInspector, type InspectorPaths } from '../../inspector/install';
import { startFakeServer, type FakeServer } from '../../../test/server/fake-openai';
import { writeMcpConfig } from '../helpers/mcp-wire';

// `smoa mcp` driven by the official MCP Inspector's CLI (`mcp-inspector --cli`), in both protocol eras: `legacy`
// (initialize, the 2025 family) and `modern` (pinned to 2026-07-28, opening with server/discover). The Inspector runs
// on the Node 22 that test/inspector/install.ts installs from the npm registry (it needs >= 22.19); the server it
// starts is this checkout's `smoa mcp` on the project's Node, against the fake OpenAI-compatible server. (Its request
// timeout is fixed at 60 s, so the "longer than the client's timeout" cases are pinned on the wire in mcp-tasks.test.ts.)

const root = join(__dirname, '../../..');
const SERVER_INFO = 'io.modelcontextprotocol/serverInfo';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function inspect(inspector: InspectorPaths, era: 'legacy' | 'modern', config: string, args: string[]): Promise<Run> {
  const server = [process.execPath, '--import', 'tsx', join(root, 'src/cli.ts'), 'mcp', '--config', config];
  const child = spawn(inspector.node, [inspector.launcher, '--cli', '--protocol-era', era, '--format', 'json', '--cwd', root, '-e', 'SMOA_MCP_TEST_KEY=test-key', ...args, '--', ...server], {
    cwd: root,
    // The Inspector keeps its catalog and client state under HOME: a scratch one, so a test never reads or writes the user's.
    env: { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'smoa-inspector-home-')) },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function parse(run: Run): { result?: Record<string, unknown>; stderr: string } {
  assert.equal(run.code, 0, `the Inspector exited ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  return { ...(JSON.parse(run.stdout) as { result?: Record<string, unknown> }), stderr: run.stderr };
}

describe('smoa mcp: the official MCP Inspector CLI in both protocol eras', function () {
  this.timeout(120_000);
  let inspector: InspectorPaths;
  let server: FakeServer;
  let config: string;

  before(async function () {
    // The first run in a fresh cache installs the pinned Inspector and Node 22 (npm ci, ~15-60 s).
    this.timeout(300_000);
    inspector = ensureInspector((line) => process.stderr.write(`      [inspector] ${line}\n`));
    assert.equal(inspector.version, '2.12.0');
    server = await startFakeServer({ ttftMs: 0, tokensPerSecond: 0 });
    config = writeMcpConfig(mkdtempSync(join(tmpdir(), 'smoa-mcp-inspector-')), server.url);
  });
  after(() => server?.close());
  beforeEach(() => server.reset());

  for (const era of ['legacy', 'modern'] as const) {
    it(`${era}: lists consult and consults the panel${era === 'modern' ? ', as a task of the tasks extension' : ', with the plain call'}`, async () => {
      const listed = parse(await inspect(inspector, era, config, ['--method', 'tools/list']));
      const tools = listed.result?.tools as { name: string; inputSchema: { required?: string[] } }[];
      assert.deepEqual(
        tools.map((t) => t.name),
        ['consult'],
      );

      server.setResponder((req) => (String(req.headers['x-smoa-stage']) === 'aggregator' ? { text: 'Use a trie.' } : undefined));
      const called = parse(await inspect(inspector, era, config, ['--method', 'tools/call', '--tool-name', 'consult', '--tool-args-json', JSON.stringify({ prompt: 'Fastest prefix search?' })]));
      const result = called.result as { content: { type: string; text: string }[]; isError?: boolean; _meta?: Record<string, { name?: string }> };
      assert.notEqual(result.isError, true);
      const [answer, summary] = result.content[0].text.split('\n\n---\n');
      assert.equal(answer, 'Use a trie.');
      assert.match(summary, /^SMoA run \S+ \(SMoA\): ok; 2 layers/);
      // The run really went to the panel: three proposers in each of two layers, then the aggregator.
      const stages = server.requests.map((r) => String(r.headers['x-smoa-stage']));
      assert.equal(stages.filter((s) => s === 'aggregator').length, 1, stages.join(' '));
      assert.ok(stages.filter((s) => /propos/.test(s)).length >= 6, stages.join(' '));
      // Which era was spoken: a 2026-07-28 result names the server in its _meta (there is no initialize to do it);
      // a 2025 one does not.
      if (era === 'modern') assert.equal(result._meta?.[SERVER_INFO]?.name, 'smoa');
      else assert.equal(result._meta?.[SERVER_INFO], undefined);
      // In the modern era the Inspector declares the tasks extension (it calls tools through its ext-tasks session), so
      // `consult` runs as a task it polls to the end; in the legacy era it asks for no task and gets the plain call.
      // (`smoa mcp` logs each task to stderr, which the Inspector passes through.)
      const task = /smoa mcp: consult runs as task (\S+) \(io\.modelcontextprotocol\/tasks extension\)/.exec(called.stderr);
      if (era === 'modern') {
        assert.ok(task, called.stderr);
        assert.match(called.stderr, new RegExp(`smoa mcp: task ${task[1]} completed`));
      } else {
        assert.equal(task, null, called.stderr);
      }
    });
  }
});
