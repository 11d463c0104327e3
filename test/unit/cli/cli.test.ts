import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { parseCommand } from '../../../src/cli/args';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeServer, type FakeServer } from '../../../test/server/fake-openai';

const root = join(__dirname, '../../..');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Resolves once `condition` holds, checked every few milliseconds (the test's own timeout bounds the wait). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Runs the CLI from source (same code esbuild bundles into dist/cli.js). */
function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; onStderr?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli.ts'), ...args], {
      cwd: root,
      env: { ...process.env, ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      opts.onStderr?.(stderr, child);
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('CLI: smoa run / compare', function () {
  this.timeout(30_000);
  let server: FakeServer;
  let dir: string;
  let configPath: string;

  function writeConfig(extra: Record<string, unknown> = {}, endpoint: Record<string, unknown> = {}) {
    writeFileSync(
      configPath,
      JSON.stringify({
        endpoints: [{ id: 'local', baseURL: server.url, apiKeyEnv: 'SMOA_CLI_TEST_KEY', maxRetries: 0, ...endpoint }],
        models: [
          { id: 'a', endpoint: 'local', model: 'model-a' },
          { id: 'b', endpoint: 'local', model: 'model-b' },
        ],
        proposers: ['a', 'b', 'a', 'b'],
        aggregator: 'a',
        judge: 'b',
        layers: 2,
        topK: 2,
        roles: 'auto',
        taskDescription: 'Answer programming questions',
        ...extra,
      }),
    );
  }
  const env = { SMOA_CLI_TEST_KEY: 'test-key' };

  before(async () => {
    server = await startFakeServer();
    dir = mkdtempSync(join(tmpdir(), 'smoa-cli-'));
    configPath = join(dir, 'config.json');
  });
  beforeEach(() => {
    server.reset();
    writeConfig();
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('run: streams the answer to stdout, progress to stderr, writes the trace, exits 0', async () => {
    const tracePath = join(dir, 'trace.json');
    const ran = await cli(['run', '--config', configPath, '--prompt', 'How do I reverse a list?', '--trace', tracePath], { env });
    assert.equal(ran.code, 0, ran.stderr);
    const trace = JSON.parse(readFileSync(tracePath, 'utf8'));
    assert.equal(ran.stdout.trim(), trace.answer.trim());
    assert.match(ran.stderr, /config\.json: warning: judge: judge "b" is also a proposer: .*judgeRecusal/, 'the self-preference warning');
    assert.match(ran.stderr, /Layer 1\/2: 4 proposers answering/);
    assert.match(ran.stderr, /Layer 1: judge kept/);
    assert.match(ran.stderr, /smoa: ok: /);
    assert.equal(trace.status, 'ok');
    assert.ok(!JSON.stringify(trace).includes('test-key'), 'the key is not in the trace');
  });

  describe('cost: --estimate, --max-usd / --max-tokens, --ledger', () => {
    const capped = (extra: Record<string, unknown> = {}) =>
      writeConfig({
        ...extra,
        models: [
          { id: 'a', endpoint: 'local', model: 'model-a', maxTokens: 200, price: { inputPerMTok: 1, outputPerMTok: 4 } },
          { id: 'b', endpoint: 'local', model: 'model-b', maxTokens: 200, price: { inputPerMTok: 1, outputPerMTok: 4 } },
        ],
        roles: 'off',
      });

    it('--estimate prints each stage and a total, sends nothing and needs no API key', async () => {
      capped();
      const ran = await cli(['run', '--config', configPath, '--prompt', 'Explain closures.', '--estimate']);
      assert.equal(ran.code, 0, ran.stderr);
      assert.equal(server.requests.length, 0);
      for (const stage of ['layer 1 proposers', 'layer 1 judge', 'layer 2 proposers', 'layer 2 judge', 'aggregator', 'total']) {
        assert.match(ran.stdout, new RegExp(`^${stage}\\s+\\d`, 'm'), stage);
      }
      assert.match(ran.stdout, /^total\s+11\s+[\d,]+\s+2,200\s+\$0\.\d{4}$/m);

      const json = await cli(['run', '--config', configPath, '--prompt', 'Explain closures.', '--estimate', '--json', '--strategy', 'single']);
      const parsed = JSON.parse(json.stdout);
      assert.equal(parsed.calls, 1);
      assert.equal(parsed.completionTokens, 200);
      assert.equal(typeof parsed.promptTokens, 'number');
      assert.equal(typeof parsed.costUsd, 'number');
    });

    it('--estimate says "unbounded" for a model without maxTokens, and JSON gives null', async () => {
      const ran = await cli(['run', '--config', configPath, '--prompt', 'x', '--estimate']);
      assert.match(ran.stdout, /^aggregator\s+1\s+[\d,]+\s+unbounded\s+-$/m);
      assert.match(ran.stdout, /unbounded completion tokens \(no maxTokens: a, b\)/);
      const json = JSON.parse((await cli(['run', '--config', configPath, '--prompt', 'x', '--estimate', '--json'])).stdout);
      assert.deepEqual([json.completionTokens, json.costUsd], [null, null]);
    });

    it('--max-tokens holds: the run answers within it (shorter answers, fewer layers), and exits 0', async () => {
      capped({ earlyStop: false });
      const ran = await cli(['run', '--config', configPath, '--prompt', 'Explain closures.', '--max-tokens', '1200'], { env });
      assert.equal(ran.code, 0, ran.stderr);
      const used = Number(/smoa: ok: .*?([\d,]+) tokens/.exec(ran.stderr)![1].replace(/,/g, ''));
      assert.ok(used <= 1200, `${used} tokens against --max-tokens 1200`);
      assert.ok(ran.stdout.trim().length > 0);
      const none = await cli(['run', '--config', configPath, '--prompt', 'Explain closures.', '--max-tokens', '40'], { env });
      assert.equal(none.code, 1);
      assert.match(none.stderr, /over budget: .*even with answers cut to 32 tokens/);
      const bad = await cli(['run', '--config', configPath, '--prompt', 'x', '--max-usd', 'lots'], { env });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--max-usd: expected a positive number, got "lots"/);
    });

    it('--ledger appends the run per day, model and stage', async () => {
      capped();
      const ledger = join(dir, 'usage.jsonl');
      for (let i = 0; i < 2; i++) assert.equal((await cli(['run', '--config', configPath, '--prompt', 'hi', '--strategy', 'single', '--ledger', ledger], { env })).code, 0);
      const lines = readFileSync(ledger, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(lines.length, 2);
      assert.deepEqual(lines.map((l) => [l.endpoint, l.model, l.stage, l.calls]), [['local', 'a', 'aggregator', 1], ['local', 'a', 'aggregator', 1]]);
      assert.ok(lines[0].costUsd > 0);
    });
  });

  it('exits 2 naming the field when the config is invalid, without a stack trace', async () => {
    writeConfig({ models: [{ id: 'a', endpoint: 'local', model: 'm' }, { id: 'b', endpoint: 'x', model: 'm' }] });
    const ran = await cli(['run', '--config', configPath, '--prompt', 'hi'], { env });
    assert.equal(ran.code, 2);
    assert.match(ran.stderr, /models\[1\]\.endpoint: unknown endpoint "x"/);
    assert.doesNotMatch(ran.stderr, /\n\s+at /);
  });

  it('--help prints the usage on stdout and exits 0, also after a command', async () => {
    const ran = await cli(['run', '--help']);
    assert.equal(ran.code, 0);
    assert.equal(ran.stderr, '');
    assert.match(ran.stdout, /^Usage:\n {2}smoa run --config FILE/);
    for (const argv of [['--help'], ['-h'], ['compare', '--config', 'x.json', '-h'], ['run', '--bogus', '--help']]) {
      assert.deepEqual(parseCommand(argv), { kind: 'help' }, argv.join(' '));
    }
  });

  it('exits 2 on bad usage: unknown flag, missing flag, unknown strategy, unreadable file', async () => {
    assert.match((await cli(['run', '--config', configPath, '--prompt', 'x', '--bogus'])).stderr, /Unknown option '--bogus'/);
    const missing = await cli(['run', '--config', configPath]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--prompt is required/);
    assert.match((await cli(['run', '--config', configPath, '--prompt', 'x', '--strategy', 'best'])).stderr, /unknown strategy "best"/);
    const nofile = await cli(['run', '--config', join(dir, 'nope.json'), '--prompt', 'x']);
    assert.equal(nofile.code, 2);
    assert.match(nofile.stderr, /cannot read .*nope\.json \(ENOENT\)/);
  });

  it('exits 2 before any request when the API key variable is not set', async () => {
    const ran = await cli(['run', '--config', configPath, '--prompt', 'x'], { env: { SMOA_CLI_TEST_KEY: '' } });
    assert.equal(ran.code, 2);
    assert.match(ran.stderr, /endpoints\[0\]\.apiKeyEnv: environment variable SMOA_CLI_TEST_KEY is not set/);
    assert.equal(server.requests.length, 0);
  });

  it('exits 1 with the reason when the run fails', async () => {
    server.injectFault({ kind: 'server-error', status: 500 }, { times: 100 });
    const ran = await cli(['run', '--config', configPath, '--prompt', 'x'], { env });
    assert.equal(ran.code, 1);
    assert.match(ran.stderr, /run failed: all 4 proposers failed in layer 1/);
  });

  it('Ctrl-C: aborts every in-flight request, writes the partial trace, records what was streamed in --ledger, exits 130', async () => {
    server.setResponder(() => ({ ttftMs: 20, tokensPerSecond: 5 }));
    const tracePath = join(dir, 'partial.json');
    const ledgerPath = join(dir, 'cancelled-ledger.jsonl');
    let signalled = false;
    const ran = await cli(['run', '--config', configPath, '--prompt', 'slow', '--trace', tracePath, '--strategy', 'moa', '--ledger', ledgerPath], {
      env,
      onStderr: (text, child) => {
        if (!signalled && text.includes('Layer 1/2')) {
          signalled = true;
          // Ctrl-C once the server has streamed a few tokens to each of the four proposers, however long a loaded machine
          // takes to get there (a fixed delay after "Layer 1/2" sometimes fired before any request had arrived).
          const streaming = () => server.activeRequests() === 4 && server.requests.filter((r) => (r.billed?.completion_tokens ?? 0) >= 3).length === 4;
          void until(streaming).then(() => child.kill('SIGINT'));
        }
      },
    });
    assert.equal(ran.code, 130, ran.stderr);
    assert.match(ran.stderr, /interrupted, cancelling every request/);
    await server.waitForIdle(2000);
    assert.equal(server.activeRequests(), 0);
    assert.equal(server.abortedRequests, 4);
    assert.ok(existsSync(tracePath));
    const trace = JSON.parse(readFileSync(tracePath, 'utf8'));
    assert.equal(trace.status, 'cancelled');
    assert.ok(trace.calls.some((c: { text: string }) => c.text.length > 0), 'partial proposals are kept');
    // The streamed tokens were billed: the ledger records every token the run received (estimated), not 0. (Tokens the
    // server wrote that were still in a socket buffer when the run aborted are beyond what any client can count.)
    const lines = readFileSync(ledgerPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const completion = lines.reduce((a: number, l: { completionTokens: number }) => a + l.completionTokens, 0);
    const received = trace.calls.reduce((a: number, c: { usage?: { completionTokens: number } }) => a + (c.usage?.completionTokens ?? 0), 0);
    assert.ok(completion > 0 && completion === received, `ledger ${completion}, in the trace ${received}`);
    for (const c of trace.calls as { text: string; usage?: { completionTokens: number } }[]) {
      if (c.text) assert.ok((c.usage?.completionTokens ?? 0) > 0, `a call that streamed "${c.text.slice(0, 20)}" is counted`);
    }
  });

  it('compare: a table per strategy with calls, tokens, cost, wall time and first-token time', async () => {
    const prompts = join(dir, 'prompts.jsonl');
    writeFileSync(prompts, '{"prompt": "What is a monad?"}\n"Explain CRDTs"\n');
    const ran = await cli(['compare', '--config', configPath, '--prompts', prompts, '--strategies', 'single,moa,smoa'], { env });
    assert.equal(ran.code, 0, ran.stderr);
    for (const s of ['single', 'moa', 'smoa']) assert.match(ran.stdout, new RegExp(`== ${s} ==`));
    assert.match(ran.stdout, /calls\s+prompt tok\s+completion tok\s+cost\s+wall\s+first token/);
    const singleTotal = /== single ==[\s\S]*?\ntotal\s+2\/2 ok\s+(\d+)/.exec(ran.stdout);
    assert.equal(singleTotal?.[1], '2', 'single makes one call per prompt');
    // Only a strategy with a judge reports its bias figures.
    assert.match(ran.stdout, /== smoa ==[\s\S]*judge bias: first-shown answer scored highest in [\d.]+ of \d+ votes \(\d+%; \d+% by chance\)/);
    assert.doesNotMatch(ran.stdout.split('== smoa ==')[0], /judge bias/);
  });

  it('compare: each model alone is a row (single:<modelId>), next to the new baselines', async () => {
    const prompts = join(dir, 'prompts.jsonl');
    writeFileSync(prompts, '{"prompt": "What is a monad?"}\n');
    const ran = await cli(['compare', '--config', configPath, '--prompts', prompts, '--strategies', 'single:b,self,debate,adaptive', '--json'], { env });
    assert.equal(ran.code, 0, ran.stderr);
    const rows = JSON.parse(ran.stdout) as { strategy: string; calls: number; status: string }[];
    assert.deepEqual(rows.map((r) => r.strategy), ['single:b', 'self', 'debate', 'adaptive']);
    assert.equal(rows[0].calls, 1);
    assert.ok(rows.every((r) => r.status === 'ok'));
    const singleB = server.requests.find((r) => r.headers['x-smoa-stage'] === 'aggregator');
    assert.equal(singleB?.model, 'model-b', 'single:b asks model b alone');
  });

  it('compare: an unknown model in single:<id> is bad usage (exit 2) naming it, before any request', async () => {
    const prompts = join(dir, 'prompts.jsonl');
    writeFileSync(prompts, '{"prompt": "x"}\n');
    const ran = await cli(['compare', '--config', configPath, '--prompts', prompts, '--strategies', 'smoa,single:zz'], { env });
    assert.equal(ran.code, 2);
    assert.match(ran.stderr, /--strategies: "single:zz": unknown model "zz"/);
    assert.equal(server.requests.length, 0);
  });
});
