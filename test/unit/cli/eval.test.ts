import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeServer, type FakeServer } from '../../../test/server/fake-openai';
import { lastUser } from '../helpers/engine-harness';
import { parseEvalArgs } from '../../../src/cli/args';
import { parseFailBelow } from '../../../src/eval/evaluate';
import { loadResultsDir } from '../../../src/eval/dir-store';
import { parseEvalReport } from '../../../src/views/eval-protocol';

const root = join(__dirname, '../../..');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], opts: { onStderr?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli.ts'), 'eval', ...args], {
      cwd: root,
      env: { ...process.env, SMOA_EVAL_TEST_KEY: 'k' },
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

describe('CLI: smoa eval', function () {
  this.timeout(60_000);
  let server: FakeServer;
  let dir: string;
  let configPath: string;
  let tasksPath: string;

  before(async () => {
    server = await startFakeServer({ tokensPerSecond: Infinity, ttftMs: 0 });
    dir = mkdtempSync(join(tmpdir(), 'smoa-eval-'));
    configPath = join(dir, 'config.json');
    tasksPath = join(dir, 'tasks.jsonl');
    writeFileSync(
      configPath,
      JSON.stringify({
        endpoints: [{ id: 'local', baseURL: server.url, apiKeyEnv: 'SMOA_EVAL_TEST_KEY', maxRetries: 0 }],
        models: [
          { id: 'a', endpoint: 'local', model: 'model-a', price: { inputPerMTok: 1, outputPerMTok: 2 } },
          { id: 'b', endpoint: 'local', model: 'model-b', price: { inputPerMTok: 1, outputPerMTok: 2 } },
        ],
        proposers: ['a', 'b'],
        aggregator: 'a',
        judge: 'b',
        layers: 1,
        topK: 1,
        roles: 'off',
      }),
    );
    writeFileSync(
      tasksPath,
      Array.from({ length: 6 }, (_, i) => JSON.stringify({ id: `t${i}`, prompt: `What is ${i} + ${i}?`, reference: String(2 * i), category: i % 2 ? 'odd' : 'even' })).join('\n') + '\n',
    );
  });
  beforeEach(() => {
    server.reset();
    // model-a adds correctly; model-b is always off by one.
    server.setResponder((req) => {
      const m = /What is (\d+) \+ (\d+)\?/.exec(lastUser(req));
      if (!m || req.responseFormat) return undefined;
      const sum = Number(m[1]) + Number(m[2]);
      return { text: `The answer is ${req.model === 'model-a' ? sum : sum + 1}.` };
    });
  });
  after(() => server.close());

  it('--json prints one row per strategy with score, interval, tokens, cost and wall time; exit 0', async () => {
    const ran = await cli(['--config', configPath, '--tasks', tasksPath, '--strategies', 'single:a,single:b,rank', '--json']);
    assert.equal(ran.code, 0, ran.stderr);
    const report = JSON.parse(ran.stdout);
    assert.equal(report.grader, 'exact', 'every task has a reference: exact is the default grader');
    assert.deepEqual(report.rows.map((r: { strategy: string }) => r.strategy), ['single:a', 'single:b', 'rank']);
    const [a, b] = report.rows;
    for (const key of ['strategy', 'n', 'score', 'ci', 'failed', 'promptTokens', 'completionTokens', 'costUsd', 'wallMs']) assert.ok(key in a, key);
    assert.equal(a.score, 1);
    assert.deepEqual(a.ci, [1, 1]);
    assert.equal(b.score, 0);
    assert.equal(a.n, 6);
    assert.deepEqual([...new Set(report.categories.map((c: { category: string }) => c.category))], ['even', 'odd']);
    // Not a terminal: plain progress lines on stderr, none on stdout.
    assert.match(ran.stderr, /· \d+\/18 runs/);
  });

  it('a bad task file exits 2 naming each bad line, before any request', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"id": "x", "prompt": "ok"}\n{"prompt": }\n{"id": "x", "prompt": "dup"}\n');
    const ran = await cli(['--config', configPath, '--tasks', bad]);
    assert.equal(ran.code, 2);
    assert.match(ran.stderr, /bad\.jsonl:2: not valid JSON/);
    assert.match(ran.stderr, /bad\.jsonl:3: duplicate id "x" \(also on line 1\)/);
    assert.equal(server.requests.length, 0);
  });

  it('bad usage exits 2 with a clear message', async () => {
    const cases: [string[], RegExp][] = [
      [['--config', configPath], /--tasks is required/],
      [['--config', configPath, '--tasks', tasksPath, '--strategies', 'single:zz'], /unknown model "zz" \(known: a, b\)/],
      [['--config', configPath, '--tasks', join(root, 'examples/eval/programming.jsonl'), '--grader', 'exact'], /the exact grader needs a "reference" on every task; 20 have none/],
    ];
    for (const [args, message] of cases) {
      const ran = await cli(args);
      assert.equal(ran.code, 2, `${args.join(' ')}: ${ran.stderr}`);
      assert.match(ran.stderr, message);
    }
    assert.equal(server.requests.length, 0);
    // The same checks in-process (no child process needed for argument parsing).
    assert.throws(() => parseEvalArgs(['--config', 'c', '--tasks', 't', '--grader', 'vibes']), /--grader must be one of exact, rubric, pairwise, tests, got "vibes"/);
    assert.throws(() => parseEvalArgs(['--config', 'c', '--tasks', 't', '--concurrency', '0']), /--concurrency must be a whole number from 1 to 64, got "0"/);
    assert.throws(() => parseEvalArgs(['--config', 'c', '--tasks', 't', '--max-usd', 'lots']), /--max-usd must be a positive number/);
    assert.throws(() => parseFailBelow('smoa=2', ['smoa'], 'exact'), /--fail-below: "2" is not a valid exact score \(0 to 1\)/);
    assert.throws(() => parseFailBelow('moa=0.5', ['smoa'], 'exact'), /must be strategy=score for one of smoa/);
    assert.deepEqual([...parseFailBelow('3.5', ['smoa', 'moa'], 'rubric')], [['smoa', 3.5], ['moa', 3.5]]);
  });

  it('--fail-below exits 1 when a named strategy scores lower; --out writes report.md, report.svg and JSONL files', async () => {
    const out = join(dir, 'out-fail');
    const ran = await cli(['--config', configPath, '--tasks', tasksPath, '--strategies', 'single:a,single:b', '--fail-below', 'single:a=0.9,single:b=50%', '--out', out]);
    assert.equal(ran.code, 1);
    assert.match(ran.stderr, /--fail-below: single:b scored 0\.0000, below 0\.5/);
    assert.doesNotMatch(ran.stderr, /single:a scored/);
    for (const f of ['answers.jsonl', 'grades.jsonl', 'traces.jsonl', 'report.md', 'report.svg', 'report.json']) assert.ok(existsSync(join(out, f)), f);
    assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /\| single:a \| 6 \| 100\.0% \|/);
    assert.match(readFileSync(join(out, 'report.svg'), 'utf8'), /^<svg[^>]*>[\s\S]*single:b[\s\S]*<\/svg>\n$/);
    const traces = readFileSync(join(out, 'traces.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(traces.length, 12);
    assert.equal(traces[0].trace.status, 'ok');
    // The folder reopens in VS Code's results view: its report passes the view's schema, the tasks come along.
    const loaded = loadResultsDir(out);
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.message);
    assert.ok(parseEvalReport(loaded.report).ok);
    assert.equal((loaded.tasks as unknown[]).length, 6);
    assert.equal(loaded.store.answers().length, 12);
    assert.equal(loaded.store.trace(loaded.store.answers()[0].key)?.prompt, 'What is 0 + 0?');
    const notResults = loadResultsDir(dir);
    assert.ok(!notResults.ok && /not a SMoA evaluation results folder: report\.json is missing/.test(notResults.message));
  });

  it('exit 1 when every run failed', async () => {
    server.injectFault({ kind: 'server-error', status: 500 }, { times: 1000 });
    const ran = await cli(['--config', configPath, '--tasks', tasksPath, '--strategies', 'single:a']);
    assert.equal(ran.code, 1);
    assert.match(ran.stderr, /every run failed/);
  });

  it('Ctrl-C exits 130 keeping what finished; rerunning with the same --out asks only the rest', async () => {
    const out = join(dir, 'out-int');
    server.setResponder((req) => {
      const m = /What is (\d+) \+ (\d+)\?/.exec(lastUser(req));
      return m ? { text: `The answer is ${Number(m[1]) * 2}.`, ttftMs: 150 } : undefined;
    });
    let sent = false;
    const first = await cli(['--config', configPath, '--tasks', tasksPath, '--strategies', 'single:a,single:b', '--concurrency', '1', '--out', out], {
      onStderr: (text, child) => {
        if (!sent && /· 3\/12 runs/.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    assert.equal(first.code, 130, first.stderr);
    assert.match(first.stderr, /interrupted/);
    const kept = readFileSync(join(out, 'answers.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(kept.length >= 3 && kept.length < 12, `kept ${kept.length}`);
    assert.match(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).incomplete.reason, /cancelled/);

    server.reset();
    const second = await cli(['--config', configPath, '--tasks', tasksPath, '--strategies', 'single:a,single:b', '--concurrency', '1', '--out', out, '--json']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, new RegExp(`resuming from .*: ${kept.length} finished run`));
    assert.equal(server.requests.length, 12 - kept.length);
    const asked = new Set(server.requests.map((r) => `${r.model}|${lastUser(r)}`));
    for (const k of kept) assert.ok(!asked.has(`${k.strategy === 'single:a' ? 'model-a' : 'model-b'}|What is ${k.taskId.slice(1)} + ${k.taskId.slice(1)}?`), `${k.key} asked again`);
    const report = JSON.parse(second.stdout);
    assert.deepEqual(report.rows.map((r: { runs: number }) => r.runs), [6, 6]);
    assert.equal(report.incomplete, undefined);
  });

  it('--max-usd does not start runs whose bound no longer fits, says so, and exits 1', async () => {
    const ran = await cli(['--config', configPath, '--tasks', tasksPath, '--strategies', 'single:a', '--concurrency', '1', '--max-usd', '0.00015']);
    assert.equal(ran.code, 1, ran.stderr);
    assert.match(ran.stderr, /--max-usd 0\.00015: not starting \d+ more run\(s\) \(reported as not run\)/);
    assert.ok(server.requests.length >= 1 && server.requests.length < 6, `${server.requests.length} requests`);
  });

  it('--out that cannot be used exits 2 with one line naming the path; a README as --tasks is one line too (issue 20)', async () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const ran = await cli(['--config', configPath, '--tasks', tasksPath, '--strategies', 'single:a', '--out', join(file, 'results')]);
    assert.equal(ran.code, 2, ran.stderr);
    assert.match(ran.stderr, /(^|\n)smoa: --out: .*not-a-folder[/\\]results is under .*not-a-folder, which is a file\n/);
    assert.doesNotMatch(ran.stderr, /\n\s+at /, 'no stack trace');
    const readme = await cli(['--config', configPath, '--tasks', join(root, 'README.md')]);
    assert.equal(readme.code, 2);
    assert.match(readme.stderr, /README\.md: not a task file: none of its \d+ lines is a task/);
    assert.equal(readme.stderr.split('\n').filter((l) => /README/.test(l)).length, 1, readme.stderr);
    assert.equal(server.requests.length, 0);
  });

  it('a results folder that fails mid-run stops with exit 1, says what was saved, and prints no stack trace (issue 20)', async () => {
    const out = join(dir, 'out-vanishing');
    server.setResponder((req) => {
      const m = /What is (\d+) \+ (\d+)\?/.exec(lastUser(req));
      return m ? { text: `The answer is ${Number(m[1]) * 2}.`, ttftMs: 100 } : undefined;
    });
    let removed = false;
    const ran = await cli(['--config', configPath, '--tasks', tasksPath, '--strategies', 'single:a', '--concurrency', '1', '--out', out], {
      onStderr: (text) => {
        if (!removed && /· 1\/6 runs/.test(text)) {
          removed = true;
          rmSync(out, { recursive: true, force: true });
        }
      },
    });
    assert.equal(ran.code, 1, ran.stderr);
    assert.match(ran.stderr, /smoa: cannot save results in .*out-vanishing: ENOENT/);
    assert.match(ran.stderr, /stopped; 1 answer\(s\) and 1 grade\(s\) are saved there/);
    assert.doesNotMatch(ran.stderr, /\n\s+at |unexpected error/);
    assert.ok(server.requests.length <= 3, `${server.requests.length} requests: the evaluation stopped instead of paying for runs it cannot keep`);
  });
});
