import { createClientFactory, EndpointPool } from '../pipeline/client-factory';
import { formatUsd } from '../pipeline/format';
import { MemoryRoleCache } from '../pipeline/roles/prompt';
import { planEvaluation, runEvaluationPlan } from '../eval/evaluate';
import type { EvalProgress } from '../eval/harness';
import { renderText } from '../eval/report';
import { UsageError, type EvalCommand } from './args';
import { onInterrupt } from './interrupt';
import { checkApiKeys, FileRoleCache, readConfigFile } from './io';
import { Ledger } from '../host/ledger';
import { FileLedgerStorage } from '../host/ledger-file';
import type { SmoaConfig } from '../pipeline/config';
import type { SmoaEvent } from '../pipeline/events';

export async function runEvalCommand(command: EvalCommand): Promise<number> {
  const config = readConfigFile(command.config);
  const { config: _c, json: _j, rolesCache: _r, ledger, ...request } = command;
  const planned = planEvaluation(request, config);
  if (!planned.ok) throw new UsageError(planned.problems.map((p) => p.message).join('\n'));
  const evaluation = planned.evaluation;
  // Keys for every model a strategy or the grader may call.
  checkApiKeys({ ...config, proposers: [...config.proposers, ...evaluation.extraModels] });

  const interrupt = onInterrupt('interrupted: cancelling the runs in progress; finished results are kept');

  const progress = new ProgressLine(process.stderr);
  let ran;
  try {
    ran = await runEvaluationPlan(evaluation, {
      clientFor: createClientFactory(config, new EndpointPool()),
      signal: interrupt.signal,
      roleCache: command.rolesCache ? new FileRoleCache(command.rolesCache) : new MemoryRoleCache(),
      onProgress: (p) => progress.update(p),
      onNotice: (message) => progress.notice(`smoa: ${message}`),
      ...(ledger ? { onRunFinished: ledgerRecorder(ledger) } : {}),
    });
  } finally {
    progress.end();
    interrupt.release();
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


/** `--ledger FILE`: each run's usage is appended as it ends (a cancelled run's too), as `smoa run --ledger` does. */
function ledgerRecorder(path: string): (config: SmoaConfig, events: SmoaEvent[]) => Promise<void> {
  const ledger = new Ledger(new FileLedgerStorage(path));
  return async (config, events) => {
    try {
      await ledger.recordRun(config, events);
    } catch (err) {
      process.stderr.write(`smoa: --ledger: could not add a run to ${path}: ${(err as Error).message}\n`);
    }
  };
}
