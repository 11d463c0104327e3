import { existsSync, readFileSync } from 'node:fs';
import { formatUsd } from '../pipeline/format';
import { join } from 'node:path';
import { createClientFactory, EndpointPool } from '../pipeline/clients';
import { judgeModels, type SmoaConfig } from '../pipeline/config';
import { MemoryRoleCache } from '../pipeline/roles';
import { parseStrategySpecs, strategySpecNames, type StrategySpec } from '../pipeline/strategy-spec';
import { DirStore, REPORT_JSON, TASKS_JSON } from '../eval/dir-store';
import { SCORE_RANGE, type GraderKind } from '../eval/graders';
import type { EvalProgress } from '../eval/harness';
import { compareRoute, ROUTE, runEvaluationWithRoute } from '../eval/route-eval';
import { hashText, MemoryStore, type ResultStore } from '../eval/records';
import { renderMarkdown, renderSvg, renderText, summarize, type EvalReport } from '../eval/report';
import { formatProblems, parseTaskFile, type EvalTask } from '../eval/tasks';
import { UsageError, type EvalCommand } from './args';
import { onInterrupt } from './interrupt';
import { checkApiKeys, FileRoleCache, readConfigFile } from './io';

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

export async function runEvalCommand(command: EvalCommand): Promise<number> {
  const config = readConfigFile(command.config);
  const tasks = readTasks(command.tasks, command.turn);

  const grader: GraderKind = command.grader ?? (tasks.every((t) => t.reference !== undefined) ? 'exact' : 'rubric');
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
  if (grader === 'pairwise') {
    const b = parseStrategySpecs(command.baseline ?? 'single', config);
    if (!b.ok) throw new UsageError(`eval: --baseline: ${b.message}`);
    if (b.specs.length !== 1) throw new UsageError('eval: --baseline takes one strategy');
    baseline = b.specs[0].label;
    if (!specs.some((s) => s.label === baseline)) specs.unshift(b.specs[0]);
  } else if (command.baseline !== undefined) {
    throw new UsageError('eval: --baseline is for --grader pairwise');
  }
  const graderModel = grader === 'exact' ? undefined : (command.graderModel ?? judgeModels(config)[0]);
  if (graderModel !== undefined && !config.models.some((m) => m.id === graderModel)) {
    throw new UsageError(`eval: --grader-model: unknown model "${graderModel}" (known: ${config.models.map((m) => m.id).join(', ')})`);
  }
  if (grader === 'exact' && command.graderModel !== undefined) throw new UsageError('eval: --grader-model is for the rubric and pairwise graders');
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

  const interrupt = onInterrupt('interrupted: cancelling the runs in progress; finished results are kept');

  const progress = new ProgressLine(process.stderr);
  let outcome;
  try {
    const routed = await runEvaluationWithRoute(
      { tasks, specs, grader, ...(graderModel ? { graderModel } : {}), ...(baseline ? { baseline } : {}), repeat: command.repeat, ...(command.seed !== undefined ? { seed: command.seed } : {}) },
      {
        config,
        clientFor: createClientFactory(config, new EndpointPool()),
        store,
        signal: interrupt.signal,
        concurrency: command.concurrency,
        ...(command.maxUsd !== undefined ? { maxUsd: command.maxUsd } : {}),
        roleCache: command.rolesCache ? new FileRoleCache(command.rolesCache) : new MemoryRoleCache(),
        onProgress: (p) => progress.update(p),
        onNotice: (message) => progress.notice(`smoa: ${message}`),
      },
      command.routeFolds ?? 2,
    );
    outcome = routed.outcome;
    for (const added of routed.added) strategies.splice(strategies.indexOf(ROUTE), 0, added);
  } finally {
    progress.end();
    interrupt.release();
  }

  const report: EvalReport = {
    ...summarize({ tasks, strategies, grader, graderModel, baseline, repeat: command.repeat, seed: command.seed ?? 0, answers: store.answers(), grades: store.grades() }),
    grading: outcome.grading,
    ...(outcome.ending !== 'done' ? { incomplete: { reason: outcome.ending, notRun: outcome.notRun } } : {}),
    ...(outcome.newUnits ? { overheadMsPerRun: Math.round(outcome.overheadMs * 100) / 100 } : {}),
  };
  const route = compareRoute({ tasks, strategies, answers: store.answers(), grades: store.grades(), grader, ...(graderModel ? { graderModel } : {}), ...(baseline ? { baseline } : {}), repeat: command.repeat, folds: command.routeFolds ?? 2 });
  if (route) report.route = route;
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
