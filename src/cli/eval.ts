import { parseArgs } from 'node:util';
import { createClientFactory, EndpointPool } from '../pipeline/clients';
import { formatUsd } from '../pipeline/format';
import { MemoryRoleCache } from '../pipeline/roles';
import { strategySpecNames } from '../pipeline/strategy-spec';
import { planEvaluation, runEvaluationPlan } from '../eval/evaluate';
import { GRADERS, type GraderKind } from '../eval/graders';
import type { EvalProgress } from '../eval/harness';
import { renderText } from '../eval/report';
import { UsageError } from './args';
import { checkApiKeys, FileRoleCache, readConfigFile } from './io';

export const EVAL_USAGE = `Usage:
  smoa eval --config FILE --tasks FILE [--strategies LIST] [--grader exact|rubric|pairwise] [--grader-model ID]
            [--baseline STRATEGY] [--out DIR] [--json] [--max-usd N] [--concurrency N] [--repeat N] [--seed N]
            [--fail-below [STRATEGY=]SCORE] [--turn N] [--roles-cache FILE]

  --tasks         JSON Lines ({"id","prompt"|"turns","reference","match","category","tests","language"}, GSM8K
                  test.jsonl, MT-Bench question.jsonl, HumanEval, MBPP) or a JSON array (AlpacaEval, with "output")
  --strategies    comma-separated: smoa, moa, single, ..., single:<modelId> (default: smoa,moa,single)
  --grader        exact (needs "reference" on every task), rubric (1-5 on six aspects) or pairwise (win rate
                  against --baseline, both orders); default: exact when every task has a reference, else rubric
  --grader-model  model id from the config that grades (default: the judge, else the aggregator)
  --baseline      strategy the pairwise grader compares with (default: single); it is run too
  --out DIR       write answers, grades, traces (JSONL), report.md, report.svg; rerun with the same DIR to resume
                  (one evaluation at a time per DIR)
  --json          print the summary as JSON on stdout
  --max-usd N     do not start runs once spent + running + the next run's estimate would pass N
  --concurrency   runs at a time (default 2)
  --repeat N      ask every task N times per strategy (default 1); --seed N sets the judge seed of repeat 1
  --fail-below    exit 1 when a strategy's score is lower (rubric 1-5, others 0-1); "smoa=0.8,moa=0.7" or one number for all
  --turn N        multi-turn tasks (MT-Bench): grade only turn N (default: every turn; earlier turns are still asked,
                  each strategy continuing its own conversation)

Exit codes: 0 done, 1 every run failed / a --fail-below threshold missed / stopped by --max-usd / results could not
be saved, 2 bad usage, config, task file or --out, 130 interrupted (finished results are kept; rerun with the same --out to resume).`;

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

export async function runEvalCommand(argv: string[]): Promise<number> {
  const parsed = parseEvalArgs(argv);
  if (parsed === 'help') {
    process.stdout.write(`${EVAL_USAGE}\n`);
    return 0;
  }
  const command = parsed;
  const config = readConfigFile(command.config);
  const { config: _c, json: _j, rolesCache: _r, ...request } = command;
  const planned = planEvaluation(request, config);
  if (!planned.ok) throw new UsageError(planned.problems.map((p) => p.message).join('\n'));
  const evaluation = planned.evaluation;
  // Keys for every model a strategy or the grader may call.
  checkApiKeys({ ...config, proposers: [...config.proposers, ...evaluation.extraModels] });

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
  let ran;
  try {
    ran = await runEvaluationPlan(evaluation, {
      clientFor: createClientFactory(config, new EndpointPool()),
      signal: controller.signal,
      roleCache: command.rolesCache ? new FileRoleCache(command.rolesCache) : new MemoryRoleCache(),
      onProgress: (p) => progress.update(p),
      onNotice: (message) => progress.notice(`smoa: ${message}`),
    });
  } finally {
    progress.end();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  if (!ran.ok) throw new UsageError(ran.problems.map((p) => p.message).join('\n'));
  const { report, outcome, writeError, saved } = ran.result;

  if (writeError !== undefined) {
    // Paid answers already on disk stay there; say what is kept and stop without a stack trace.
    process.stderr.write(
      `smoa: cannot save results in ${command.out}: ${writeError}\n` +
        `smoa: stopped; ${saved.answers} answer(s) and ${saved.grades} grade(s) are saved there; free space (or fix the folder) and rerun with the same --out to resume\n`,
    );
    process.stdout.write(command.json ? JSON.stringify(report, null, 2) + '\n' : renderText(report) + '\n');
    return 1;
  }
  if (command.out) process.stderr.write(`smoa: results in ${command.out} (report.md, report.svg, answers/grades/traces .jsonl)\n`);
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
  for (const [strategy, threshold] of evaluation.failBelow ?? []) {
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
