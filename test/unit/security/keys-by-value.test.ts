import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeServer, type FakeServer } from '../../server/fake-openai';
import { handleChatRequest } from '../../../src/chat/handler';
import { resolveConfig } from '../../../src/host/config-resolver';
import { RunService } from '../../../src/host/run-service';
import { createClientFactory } from '../../../src/pipeline/client-factory';
import { EndpointPool } from '../../../src/pipeline/openai-client';
import { MemoryRoleCache } from '../../../src/pipeline/roles/prompt';
import { PanelSession } from '../../../src/views/panel-session';
import type { HostMessage } from '../../../src/views/protocol';
import { RecordingStream, TestCancellation } from '../chat/recording-stream';

/**
 * Keys of the shapes providers really issue, echoed back by a server in its 401 and 500 bodies, and a key inside an
 * endpoint URL printed in a connection error: none of them may appear in any output of `smoa run`, `compare`, `eval`
 * (every file it writes) or `mcp` (results, progress, trace files). Only the `sk-` shape was ever masked by its shape.
 */

const root = join(__dirname, '../../..');

function alnum(n: number): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(n), (b) => chars[b % chars.length]).join('');
}

const KEYS = {
  skProj: `sk-proj-${alnum(40)}`,
  huggingFace: `hf_${alnum(34)}`,
  azureHex: randomBytes(16).toString('hex'),
  google: `AIza${alnum(35)}`,
  random40: alnum(40),
};
/** A Google-style key in the endpoint URL's query, for an endpoint that refuses connections. */
const URL_KEY = `AIza${alnum(35)}`;
/** A password in an endpoint URL's user info. */
const URL_PASSWORD = alnum(24);

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli.ts'), ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (stdin !== undefined) child.stdin.end(stdin);
  });
}

/** Every file under a folder, as text. */
function filesUnder(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push({ path, text: readFileSync(path, 'utf8') });
  }
  return out;
}

function assertNoKey(where: string, text: string): void {
  for (const [shape, key] of Object.entries({ ...KEYS, urlKey: URL_KEY, urlPassword: URL_PASSWORD })) {
    assert.ok(!text.includes(key), `${where} shows the ${shape} key:\n${text.slice(Math.max(0, text.indexOf(key) - 300), text.indexOf(key) + 100)}`);
  }
}

describe('keys are masked by value in every CLI output (issue 20)', function () {
  this.timeout(60_000);
  let server: FakeServer;
  let dir: string;
  let configPath: string;
  const env: NodeJS.ProcessEnv = {};

  before(async () => {
    // The server expects another key: each request's key comes back in a 401 body; models c-e get a 500 that quotes it.
    server = await startFakeServer({ apiKey: 'the-key-the-server-wants' });
    dir = mkdtempSync(join(tmpdir(), 'smoa-keys-'));
    configPath = join(dir, 'smoa.json');
    const names = Object.keys(KEYS) as (keyof typeof KEYS)[];
    names.forEach((name, i) => (env[`SMOA_KEYTEST_${i}`] = KEYS[name]));
    const refused = `http://user:${URL_PASSWORD}@127.0.0.1:9/v1?key=${URL_KEY}`;
    writeFileSync(
      configPath,
      JSON.stringify({
        endpoints: [
          ...names.map((_, i) => ({ id: `e${i}`, baseURL: server.url, apiKeyEnv: `SMOA_KEYTEST_${i}`, maxRetries: 1 })),
          { id: 'down', baseURL: refused, maxRetries: 0 },
        ],
        models: [...names.map((_, i) => ({ id: `m${i}`, endpoint: `e${i}`, model: `model-${i}` })), { id: 'gone', endpoint: 'down', model: 'x' }],
        proposers: [...names.map((_, i) => `m${i}`), 'gone'],
        aggregator: 'm0',
        judge: 'm1',
        layers: 1,
        topK: 2,
      }),
    );
    writeFileSync(join(dir, 'tasks.jsonl'), `${JSON.stringify({ id: 't1', prompt: 'What is 2 + 2?', reference: '4' })}\n`);
  });

  beforeEach(() => {
    server.reset();
    // 401 for the first two keys (the server checks the key), 500 quoting the key for the others
    server.setResponder((req) => (/model-[234]/.test(req.model) ? { fault: { kind: 'server-error', status: 500, echoKey: true } } : undefined));
  });

  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('smoa run: stderr, stdout and --trace', async () => {
    const trace = join(dir, 'run-trace.json');
    const ran = await cli(['run', '--config', configPath, '--trace', trace, '--prompt', 'Hello?'], env);
    // the server did quote the keys: the check below would catch them
    assert.ok(server.requests.length >= 5, `every endpoint was asked: ${server.requests.length}
${ran.stderr}`);
    assertNoKey('run stderr', ran.stderr);
    assertNoKey('run stdout', ran.stdout);
    assertNoKey('run --trace', readFileSync(trace, 'utf8'));
    assert.match(ran.stderr + ran.stdout + readFileSync(trace, 'utf8'), /\[redacted\]/, 'a masked key shows where it was');
    assert.match(readFileSync(trace, 'utf8'), /cannot reach endpoint \\"down\\" at http:\/\/\*\*\*@127\.0\.0\.1:9\/v1\?key=\*\*\*/);
  });

  it('smoa compare: its output', async () => {
    writeFileSync(join(dir, 'prompts.jsonl'), '"Hello?"\n');
    const ran = await cli(['compare', '--config', configPath, '--strategies', 'smoa,single', '--prompts', join(dir, 'prompts.jsonl')], env);
    assert.ok(server.requests.length >= 5, `compare asked the models:\n${ran.stderr}`);
    assertNoKey('compare stderr', ran.stderr);
    assertNoKey('compare stdout', ran.stdout);
  });

  it('smoa eval: stdout, stderr and every file in --out', async () => {
    const out = join(dir, 'eval-out');
    const ran = await cli(['eval', '--config', configPath, '--tasks', join(dir, 'tasks.jsonl'), '--strategies', 'smoa,single:m2', '--out', out], env);
    assert.ok(server.requests.length >= 5, `eval asked the models:\n${ran.stderr}`);
    assertNoKey('eval stderr', ran.stderr);
    assertNoKey('eval stdout', ran.stdout);
    const files = filesUnder(out);
    assert.ok(files.some((f) => f.path.endsWith('answers.jsonl')), `eval wrote its answers: ${files.map((f) => f.path).join(', ')}`);
    for (const f of files) assertNoKey(f.path, f.text);
  });

  it('smoa mcp: the result, progress notifications and --trace-dir files (the JSON-RPC stream itself)', async () => {
    const traces = join(dir, 'mcp-traces');
    const lines = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'keys-test', version: '1' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'consult', arguments: { prompt: 'Hello?' }, _meta: { progressToken: 'p1' } } },
    ];
    const ran = await new Promise<Ran>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli.ts'), 'mcp', '--config', configPath, '--trace-dir', traces], {
        cwd: root,
        env: { ...process.env, ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.on('data', (d) => {
        stdout += d;
        // the consult's answer (id 2) is in: close stdin, and the server exits
        if (stdout.split('\n').some((l) => /"id":2\b/.test(l) && /"result"|"error"/.test(l))) child.stdin.end();
      });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      for (const l of lines) child.stdin.write(`${JSON.stringify(l)}\n`);
    });
    assert.match(ran.stdout, /"id":2/, `the consultation was answered:\n${ran.stdout}\n${ran.stderr}`);
    assert.ok(server.requests.length >= 5, 'the consultation asked the models');
    assertNoKey('mcp stdout (results and progress)', ran.stdout);
    assertNoKey('mcp stderr', ran.stderr);
    for (const f of filesUnder(traces)) assertNoKey(f.path, f.text);
  });
});

describe('keys are masked by value in chat and the trace panel (issue 20)', function () {
  this.timeout(60_000);
  let server: FakeServer;
  let settings: Record<string, unknown>;

  before(async () => {
    server = await startFakeServer({ apiKey: 'the-key-the-server-wants' });
    const names = Object.keys(KEYS) as (keyof typeof KEYS)[];
    const refused = `http://user:${URL_PASSWORD}@127.0.0.1:9/v1?key=${URL_KEY}`;
    settings = {
      endpoints: [...names.map((_, i) => ({ id: `e${i}`, baseURL: server.url, maxRetries: 1 })), { id: 'down', baseURL: refused, maxRetries: 0 }],
      models: [...names.map((_, i) => ({ id: `m${i}`, endpoint: `e${i}`, model: `model-${i}` })), { id: 'gone', endpoint: 'down', model: 'x' }],
      proposers: [...names.map((_, i) => `m${i}`), 'gone'],
      aggregator: 'm0',
      judge: 'm1',
      layers: 1,
      topK: 2,
    };
    server.setResponder((req) => (/model-[234]/.test(req.model) ? { fault: { kind: 'server-error', status: 500, echoKey: true } } : undefined));
  });
  after(() => server.close());

  /** As the extension wires it: keys from the key store (here by endpoint), one pool, one RunService. */
  function wired() {
    const names = Object.keys(KEYS) as (keyof typeof KEYS)[];
    const pool = new EndpointPool({ apiKey: (endpoint) => (endpoint.id.startsWith('e') ? KEYS[names[Number(endpoint.id.slice(1))]] : undefined) });
    const sources = { settingsInput: () => settings, vscodeModels: async () => [] };
    const roleCache = new MemoryRoleCache();
    const runs = new RunService({
      roleCache,
      getConfig: async () => {
        const r = await resolveConfig(sources);
        if (!r.ok) throw new Error(r.problem.message);
        return r.config;
      },
      clientFor: (config) => createClientFactory(config, pool),
    });
    return { runs, roleCache, sources };
  }

  it('chat: progress, answer, failure notes, buttons and the result', async () => {
    const { runs, roleCache, sources } = wired();
    const stream = new RecordingStream();
    const result = await handleChatRequest({ prompt: 'What is 2 + 2?', references: [] }, [], stream, new TestCancellation(), {
      runs,
      roleCache,
      resolveConfig: (chosen) => resolveConfig(sources, chosen),
      readReference: async () => undefined,
    });
    assert.ok(server.requests.some((r) => /model-[234]/.test(r.model)), 'the echoing models were asked');
    assertNoKey('chat', JSON.stringify(stream.parts) + JSON.stringify(result));
    assertNoKey('the run chat started', JSON.stringify(runs.list().map((r) => r.trace)));
  });

  it('trace panel: every message posted to the webview', async () => {
    const { runs } = wired();
    const posted: HostMessage[] = [];
    const session = new PanelSession({ runs }, {
      post: (m) => void posted.push(m),
      insert: async () => undefined,
      copy: async () => undefined,
      saveTrace: async () => 'x.json',
      openTraceFile: async () => undefined,
    });
    await session.receive({ type: 'ready' });
    await session.receive({ type: 'run', prompt: 'What is 2 + 2?', strategy: 'smoa', layers: 1, topK: 2 });
    await Promise.all(runs.list().map((r) => r.result));
    assert.ok(posted.some((m) => m.type === 'events'), 'the panel was sent the run\'s events');
    assertNoKey('the trace panel', JSON.stringify(posted));
    session.dispose();
  });
});
