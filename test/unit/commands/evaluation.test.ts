import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEvaluationCommand, type EvaluationPort, type ShownResults } from '../../../src/commands/evaluation-flow';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import { loadConfig, type SmoaConfig } from '../../../src/pipeline/config';
import { useFakeServer } from '../helpers/engine-harness';
import { Ledger } from '../../../src/host/ledger';
import { FileLedgerStorage } from '../../../src/host/ledger-file';

const root = join(__dirname, '../../..');

/** The palette command's VS Code side, recorded: pickers answer from `picks`, messages are kept. */
function fakePort(config: SmoaConfig, dir: string) {
  const errors: string[] = [];
  const shown: ShownResults[] = [];
  const port: EvaluationPort = {
    currentConfig: async () => ({ ok: true, config }),
    clientFor: (c) => createClientFactory(c, new EndpointPool()),
    pickTaskFile: async () => undefined,
    pickStrategies: async () => undefined,
    pickGrader: async () => undefined,
    pickBaseline: async () => undefined,
    resultsFolder: () => join(dir, `results-${shown.length}-${errors.length}`),
    withProgress: (_title, run) => run(() => {}, new AbortController().signal),
    showError: (m) => errors.push(m),
    showWarning: () => {},
    log: () => {},
    showResults: (r) => shown.push(r),
  };
  return { port, errors, shown };
}

describe('palette command "SMoA: Run Evaluation" and smoa eval share one evaluation', function () {
  this.timeout(60_000);
  const server = useFakeServer({ tokensPerSecond: Infinity, ttftMs: 0 });
  let dir: string;
  let configPath: string;
  let tasksPath: string;
  const configInput = () => ({
    endpoints: [{ id: 'local', baseURL: server().url, maxRetries: 0 }],
    models: [
      { id: 'a', endpoint: 'local', model: 'model-a' },
      { id: 'b', endpoint: 'local', model: 'model-b' },
    ],
    proposers: ['a', 'b'],
    aggregator: 'a',
    judge: 'b',
    layers: 1,
    topK: 1,
    roles: 'off' as const,
  });
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'smoa-evalcmd-'));
    tasksPath = join(dir, 'tasks.jsonl');
    writeFileSync(tasksPath, '{"id": "t1", "prompt": "Say hi."}\n{"id": "t2", "prompt": "Say bye."}\n');
    configPath = join(dir, 'config.json');
  });

  it('a bad request gets the same problem text from the CLI and from the palette command, and nothing is asked', async () => {
    writeFileSync(configPath, JSON.stringify(configInput()));
    const config = loadConfig(configInput());
    // The checks the palette command lacked before (grader model, one baseline) are the CLI's own now.
    const cases: { args: string[]; command: Parameters<typeof runEvaluationCommand>[1] }[] = [
      { args: ['--grader', 'rubric', '--grader-model', 'zz', '--strategies', 'single:a'], command: { tasks: tasksPath, strategies: ['single:a'], grader: 'rubric', graderModel: 'zz' } },
      { args: ['--grader', 'pairwise', '--baseline', 'single:a,single:b', '--strategies', 'smoa'], command: { tasks: tasksPath, strategies: ['smoa'], grader: 'pairwise', baseline: 'single:a,single:b' } },
    ];
    for (const { args, command } of cases) {
      const cli = await runCli(['--config', configPath, '--tasks', tasksPath, ...args]);
      assert.equal(cli.code, 2, cli.stderr);
      const { port, errors, shown } = fakePort(config, dir);
      const report = await runEvaluationCommand(port, command);
      assert.equal(report, undefined);
      assert.equal(shown.length, 0);
      assert.equal(errors.length, 1);
      const problem = errors[0].replace(/^SMoA evaluation: /, '');
      assert.ok(cli.stderr.includes(problem), `CLI said:\n${cli.stderr}\ncommand said:\n${problem}`);
    }
    assert.match(cli0(), /--grader-model: unknown model "zz" \(known: a, b\)/);
    assert.equal(server().requests.length, 0);
  });

  it('the palette command writes the same results folder as --out: report files and the fingerprint', async () => {
    const config = loadConfig(configInput());
    const { port, errors, shown } = fakePort(config, dir);
    const report = await runEvaluationCommand(port, { tasks: tasksPath, strategies: ['single:a'], grader: 'rubric' });
    assert.deepEqual(errors, []);
    assert.ok(report);
    assert.equal(shown.length, 1);
    const { existsSync } = await import('node:fs');
    for (const f of ['report.json', 'report.md', 'report.svg', 'meta.json', 'tasks.json', 'answers.jsonl']) assert.ok(existsSync(join(shown[0].location, f)), f);
    assert.ok(report.overheadMsPerRun !== undefined, 'the overhead figure the CLI reports is there too');
  });

  it('every run of an evaluation from the palette goes to the usage ledger (what the status bar and Show Usage read)', async () => {
    const config = loadConfig(configInput());
    const { port, shown } = fakePort(config, dir);
    const ledger = new Ledger(new FileLedgerStorage(join(mkdtempSync(join(tmpdir(), 'smoa-evalledger-')), 'usage-ledger.jsonl')));
    port.recordRun = (c, events) => ledger.recordRun(c, events);
    port.resultsFolder = () => join(mkdtempSync(join(tmpdir(), 'smoa-evalresults-')), 'results');
    const before = server().requests.length;
    await runEvaluationCommand(port, { tasks: tasksPath, strategies: ['single:a', 'single:b'], grader: 'rubric' });
    assert.equal(shown.length, 1);
    const runs = shown[0].answers.reduce((sum, a) => sum + a.totals.calls, 0);
    const today = await ledger.today();
    assert.equal(today.calls, runs, 'every call of every run is in the ledger');
    assert.ok(today.calls > 0 && today.calls <= server().requests.length - before);
  });

  let lastCli = '';
  const cli0 = () => lastCli;
  function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli.ts'), 'eval', ...args], { cwd: root });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => {
        if (!lastCli) lastCli = stderr;
        resolve({ code, stderr });
      });
    });
  }
});
