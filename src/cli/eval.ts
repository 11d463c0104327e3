import { existsSync, readFileSync } from 'node:fs';
import { formatUsd } from '../pipeline/format';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClientFactory, EndpointPool } from '../pipeline/clients';
import { judgeModels, type SmoaConfig } from '../pipeline/config';
import { MemoryRoleCache } from '../pipeline/roles';
import { parseStrategySpecs, strategySpecNames, type StrategySpec } from '../pipeline/strategy-spec';
import { DirStore, REPORT_JSON, TASKS_JSON } from '../eval/dir-store';
import { GRADERS, REFERENCE_BASELINE, SCORE_RANGE, type GraderKind } from '../eval/graders';
import { graderUsesModel } from '../eval/kinds';
import { runEvaluation, type EvalProgress } from '../eval/harness';
import { hashText, MemoryStore, type ResultStore } from '../eval/records';
import { renderMarkdown, renderSvg, renderText, summarize, type EvalReport } from '../eval/report';
import { formatProblems, parseTaskFile, type EvalTask } from '../eval/tasks';
import { UsageError } from './args';
import { checkApiKeys, FileRoleCache, readConfigFile } from './io';

export const EVAL_USAGE = `Usage:
  smoa eval --config FILE --tasks FILE [--strategies LIST] [--grader exact|rubric|pairwise] [--grader-model ID]
            [--baseline STRATEGY] [--out DIR] [--json] [--max-usd N] [--concurrency N] [--repeat N] [--seed N]
            [--fail-below [STRATEGY=]SCORE] [--turn N] [--roles-cache FILE]

  --tasks         JSON Lines ({"id","prompt","reference","match","category"}, GSM8K, MT-Bench question.jsonl)
                  or a JSON array (AlpacaEval "instruction" items)
  --strategies    comma-separated: smoa, moa, single, ..., single:<modelId> (default: smoa,moa,single)
  --grader        exact (needs "reference" on every task), rubric (1-5 on six aspects), pairwise (win rate
                  against --baseline, both orders) or tests (runs the answer's code with the task's tests: pass@1);
                  default: tests when every task has tests, else exact when every task has a reference, else rubric
  --grader-model  model id from the config that grades (default: the judge, else the aggregator)
  --baseline      strategy the pairwise grader compares with, run too (default: single); "reference": each task's
                  reference output (AlpacaEval "output"; the default when every task has one), reported as the win
                  rate and the length-controlled win rate
  --out DIR       write answers, grades, traces (JSONL), report.md, report.svg; rerun with the same DIR to resume
  --json          print the summary as JSON on stdout
  --max-usd N     do not start runs once spent + running + the next run's estimate would pass N
  --concurrency   runs at a time (default 2)
  --repeat N      ask every task N times per strategy (default 1); --seed N sets the judge seed of repeat 1
  --fail-below    exit 1 when a strategy's score is lower (rubric 1-5, others 0-1); "smoa=0.8,moa=0.7" or one number for all
  --turn N        MT-Bench: which turn to ask (default 1)

Exit codes: 0 done, 1 every run failed / a --fail-below threshold missed / stopped by --max-usd, 2 bad usage, config
or task file, 130 interrupted (finished results are kept; rerun with the same --out to resume).`;

export interface EvalCommand {
  config: string;
  tasks: string;
  strategies?: string;
  grader?: GraderKind;
  graderModel?: string;
  baseline?: string;
  out?: string;
  json: boolean;
  maxUsd?: number;
  concurrency: number;
  repeat: number;
  seed?: number;
  failBelow?: string;
  turn?: number;
  rolesCache?: string;
}

export function parseEvalArgs(argv: string[]): EvalCommand | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        tasks: { type: 'string' },
        strategies: { type: 'string' },
        grader: { type: 'string' },
        'grader-model': { type: 'string' },
        baseline: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        'max-usd': { type: 'string' },
        concurrency: { type: 'string' },
        repeat: { type: 'string' },
        seed: { type: 'string' },
        'fail-below': { type: 'string' },
        turn: { type: 'string' },
        'roles-cache': { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError(`eval: ${(err as Error).message.replace(/\. To specify.*$/s, '')}`);
  }
  const need = (name: string): string => {
    const v = values[name];
    if (typeof v !== 'string' || v === '') throw new UsageError(`eval: --${name} is required`);
    return v;
  };
  const num = (name: string, check: (n: number) => boolean, what: string): number | undefined => {
    const v = values[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`eval: --${name} must be ${what}, got "${String(v)}"`);
    return n;
  };
  const grader = values.grader as string | undefined;
  if (grader !== undefined && !(GRADERS as readonly string[]).includes(grader)) {
    throw new UsageError(`eval: --grader must be one of ${GRADERS.join(', ')}, got "${grader}"`);
  }
  return {
    config: need('config'),
    tasks: need('tasks'),
    ...(values.strategies !== undefined ? { strategies: values.strategies as string } : {}),
    ...(grader ? { grader: grader as GraderKind } : {}),
    ...(values['grader-model'] !== undefined ? { graderModel: values['grader-model'] as string } : {}),
    ...(values.baseline !== undefined ? { baseline: values.baseline as string } : {}),
    ...(values.out !== undefined ? { out: values.out as string } : {}),
    json: values.json === true,
    ...optional('maxUsd', num('max-usd', (n) => n > 0, 'a positive number of US dollars')),
    concurrency: num('concurrency', (n) => Number.isInteger(n) && n >= 1 && n <= 64, 'a whole number from 1 to 64') ?? 2,
    repeat: num('repeat', (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'a whole number from 1 to 100') ?? 1,
    ...optional('seed', num('seed', (n) => Number.isInteger(n), 'a whole number')),
    ...(values['fail-below'] !== undefined ? { failBelow: values['fail-below'] as string } : {}),
    ...optional('turn', num('turn', (n) => Number.isInteger(n) && n >= 1, 'a whole number from 1')),
    ...(values['roles-cache'] !== undefined ? { rolesCache: values['roles-cache'] as string } : {}),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

export function readTasks(path: string, turn?: number): EvalTask[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--tasks: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const parsed = parseTaskFile(text, turn ? { turn } : {});
  if (!parsed.ok) throw new UsageError(formatProblems(path, parsed.problems));
  return parsed.tasks;
}

/** Thresholds for --fail-below: one number for every strategy, or strategy=score pairs. */
export function parseFailBelow(text: string, strategies: string[], grader: GraderKind): Map<string, number> {
  const [lo, hi] = SCORE_RANGE[grader];
  const read = (v: string) => {
    const pct = v.trim().endsWith('%');
    const n = Number(v.trim().replace(/%$/, ''));
    const score = pct ? n / 100 : n;
    if (v.trim() === '' || !Number.isFinite(score) || score < lo || score > hi) throw new UsageError(`eval: --fail-below: "${v}" is not a valid ${grader} score (${lo} to ${hi})`);
    return score;
  };
  const out = new Map<string, number>();
  if (!text.includes('=')) {
    const score = read(text);
    for (const s of strategies) out.set(s, score);
    return out;
  }
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.lastIndexOf('=');
    const name = part.slice(0, eq).trim();
    if (eq < 0 || !strategies.includes(name)) throw new UsageError(`eval: --fail-below: "${part}" must be strategy=score for one of ${strategies.join(', ')}`);
    out.set(name, read(part.slice(eq + 1)));
  }
  return out;
}

/** What must match for a results directory to be resumed: the models and how the strategies use them. */
export function configFingerprint(config: SmoaConfig): string {
  const { endpoints: _endpoints, ...rest } = config;
  const models = config.models.map(({ id, endpoint, model, temperature, maxTokens }) => ({ id, endpoint, model, temperature, maxTokens }));
  return hashText(JSON.stringify({ ...rest, models }));
}

export async function runEvalCommand(argv: string[]): Promise<number> {
  const parsed = parseEvalArgs(argv);
  if (parsed === 'help') {
    process.stdout.write(`${EVAL_USAGE}\n`);
    return 0;
  }
  const command = parsed;
  const config = readConfigFile(command.config);
  const tasks = readTasks(command.tasks, command.turn);

  const grader: GraderKind = command.grader ?? (tasks.every((t) => t.tests !== undefined) ? 'tests' : tasks.every((t) => t.reference !== undefined) ? 'exact' : 'rubric');
  if (grader === 'tests') {
    const missing = tasks.filter((t) => t.tests === undefined);
    if (missing.length) {
      throw new UsageError(`${command.tasks}: the tests grader needs "tests" on every task; ${missing.length} have none: ${missing.slice(0, 5).map((t) => `${t.id} (${t.source})`).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
    }
  }
  if (grader === 'exact') {
    const missing = tasks.filter((t) => t.reference === undefined);
    if (missing.length) {
      throw new UsageError(
        `${command.tasks}: the exact grader needs a "reference" on every task; ${missing.length} have none: ` +
          `${missing.slice(0, 5).map((t) => `${t.id} (${t.source})`).join(', ')}${missing.length > 5 ? ', ...' : ''}. Use --grader rubric or pairwise for open questions.`,
      );
    }
  }
  const specsResult = parseStrategySpecs(command.strategies ?? 'smoa,moa,single', config);
  if (!specsResult.ok) throw new UsageError(`eval: --strategies: ${specsResult.message}`);
  const specs: StrategySpec[] = specsResult.specs;
  let baseline: string | undefined;
  // AlpacaEval files carry the reference model's outputs: by default the win rate is measured against them.
  const allOutputs = tasks.every((t) => t.referenceOutput !== undefined);
  if (grader === 'pairwise' && (command.baseline ?? (allOutputs ? REFERENCE_BASELINE : undefined)) === REFERENCE_BASELINE) {
    const missing = tasks.filter((t) => t.referenceOutput === undefined);
    if (missing.length) throw new UsageError(`eval: --baseline reference needs a reference output (AlpacaEval "output") on every task; ${missing.length} have none: ${missing.slice(0, 5).map((t) => `${t.id} (${t.source})`).join(', ')}`);
    baseline = REFERENCE_BASELINE;
  } else if (grader === 'pairwise') {
    const b = parseStrategySpecs(command.baseline ?? 'single', config);
    if (!b.ok) throw new UsageError(`eval: --baseline: ${b.message}`);
    if (b.specs.length !== 1) throw new UsageError('eval: --baseline takes one strategy');
    baseline = b.specs[0].label;
    if (!specs.some((s) => s.label === baseline)) specs.unshift(b.specs[0]);
  } else if (command.baseline !== undefined) {
    throw new UsageError('eval: --baseline is for --grader pairwise');
  }
  const graderModel = graderUsesModel(grader) ? (command.graderModel ?? judgeModels(config)[0]) : undefined;
  if (graderModel !== undefined && !config.models.some((m) => m.id === graderModel)) {
    throw new UsageError(`eval: --grader-model: unknown model "${graderModel}" (known: ${config.models.map((m) => m.id).join(', ')})`);
  }
  if (!graderUsesModel(grader) && command.graderModel !== undefined) throw new UsageError('eval: --grader-model is for the rubric and pairwise graders');
  const strategies = specs.map((s) => s.label);
  const failBelow = command.failBelow !== undefined ? parseFailBelow(command.failBelow, strategies.filter((s) => s !== baseline), grader) : undefined;

  // Keys for every model a strategy or the grader may call.
  checkApiKeys({ ...config, proposers: [...config.proposers, ...specs.flatMap((s) => (s.modelId ? [s.modelId] : [])), ...(graderModel ? [graderModel] : [])] });
  if (command.maxUsd !== undefined && !config.models.some((m) => m.price)) {
    throw new UsageError('eval: --max-usd needs prices: no model in the config has a "price", so spending cannot be estimated');
  }

  let store: ResultStore;
  let dirStore: DirStore | undefined;
  if (command.out) {
    const metaPath = join(command.out, 'meta.json');
    const fingerprint = configFingerprint(config);
    if (existsSync(metaPath)) {
      let meta: { config?: string } = {};
      try {
        meta = JSON.parse(readFileSync(metaPath, 'utf8'));
      } catch {
        // unreadable: rewritten below
      }
      if (meta.config && meta.config !== fingerprint) {
        throw new UsageError(`eval: --out ${command.out} holds results of a different model configuration; use another directory (or delete it) to start over`);
      }
    }
    dirStore = new DirStore(command.out);
    dirStore.writeFile('meta.json', JSON.stringify({ config: fingerprint, tasks: command.tasks }, null, 2) + '\n');
    dirStore.writeFile(TASKS_JSON, JSON.stringify(tasks) + '\n');
    store = dirStore;
    const reused = store.answers().length;
    if (reused) process.stderr.write(`smoa: resuming from ${command.out}: ${reused} finished run(s) on file\n`);
  } else {
    store = new MemoryStore();
  }

  const controller = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\nsmoa: interrupted: cancelling the runs in progress; finished results are kept\n');
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  const progress = new ProgressLine(process.stderr);
  let outcome;
  try {
    outcome = await runEvaluation(
      { tasks, specs, grader, ...(graderModel ? { graderModel } : {}), ...(baseline ? { baseline } : {}), repeat: command.repeat, ...(command.seed !== undefined ? { seed: command.seed } : {}) },
      {
        config,
        clientFor: createClientFactory(config, new EndpointPool()),
        store,
        signal: controller.signal,
        concurrency: command.concurrency,
        ...(command.maxUsd !== undefined ? { maxUsd: command.maxUsd } : {}),
        roleCache: command.rolesCache ? new FileRoleCache(command.rolesCache) : new MemoryRoleCache(),
        onProgress: (p) => progress.update(p),
        onNotice: (message) => progress.notice(`smoa: ${message}`),
      },
    );
  } finally {
    progress.end();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }

  const report: EvalReport = {
    ...summarize({ tasks, strategies, grader, graderModel, baseline, repeat: command.repeat, seed: command.seed ?? 0, answers: store.answers(), grades: store.grades() }),
    grading: outcome.grading,
    ...(outcome.ending !== 'done' ? { incomplete: { reason: outcome.ending, notRun: outcome.notRun } } : {}),
    ...(outcome.newUnits ? { overheadMsPerRun: Math.round(outcome.overheadMs * 100) / 100 } : {}),
  };
  if (dirStore) {
    dirStore.writeFile(REPORT_JSON, JSON.stringify(report, null, 2) + '\n');
    dirStore.writeFile('report.md', renderMarkdown(report));
    dirStore.writeFile('report.svg', renderSvg(report));
    process.stderr.write(`smoa: results in ${command.out} (report.md, report.svg, answers/grades/traces .jsonl)\n`);
  }
  process.stdout.write(command.json ? JSON.stringify(report, null, 2) + '\n' : renderText(report) + '\n');

  if (outcome.ending === 'cancelled') return 130;
  const runs = report.rows.reduce((s, r) => s + r.runs, 0);
  if (runs > 0 && report.rows.every((r) => r.failed === r.runs)) {
    process.stderr.write('smoa: every run failed\n');
    return 1;
  }
  let code = 0;
  if (outcome.ending === 'budget') {
    process.stderr.write(`smoa: stopped by --max-usd with ${outcome.notRun} run(s) not done; rerun with the same --out and a higher --max-usd to finish\n`);
    code = 1;
  }
  for (const [strategy, threshold] of failBelow ?? []) {
    const row = report.rows.find((r) => r.strategy === strategy);
    if (!row || row.score === null || row.score < threshold) {
      process.stderr.write(`smoa: --fail-below: ${strategy} scored ${row?.score === null || !row ? 'nothing' : row.score.toFixed(4)}, below ${threshold}\n`);
      code = 1;
    }
  }
  return code;
}

/** A progress bar with counts and ETA on a terminal; one plain line per finished run otherwise. */
class ProgressLine {
  private readonly tty: boolean;
  private drawn = false;
  private lastPlain = -1;
  constructor(private readonly out: NodeJS.WriteStream) {
    this.tty = !!out.isTTY;
  }
  update(p: EvalProgress) {
    const finished = p.reused + p.done;
    const counts = `${finished}/${p.total} runs${p.reused ? ` (${p.reused} reused)` : ''}${p.failed ? `, ${p.failed} failed` : ''}${p.running ? `, ${p.running} running` : ''}`;
    const money = p.spentUsd !== undefined ? `, ${formatUsd(p.spentUsd)}` : '';
    const eta = p.etaMs !== undefined && finished < p.total ? `, ETA ${formatEta(p.etaMs)}` : '';
    if (this.tty) {
      const width = 24;
      const filled = p.total ? Math.round((finished / p.total) * width) : width;
      this.out.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${counts}${money}${eta}`);
      this.drawn = true;
    } else if (p.last && finished !== this.lastPlain) {
      this.lastPlain = finished;
      this.out.write(`· ${counts}${money}${eta}: ${p.last}\n`);
    }
  }
  notice(message: string) {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.out.write(`${message}\n`);
  }
  end() {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}

function formatEta(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export { strategySpecNames };
