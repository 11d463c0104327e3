import type { SmoaEvent } from '../pipeline/events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatClient } from '../pipeline/client';
import { judgeModels, type ModelConfig, type SmoaConfig } from '../pipeline/config';
import type { RoleCache } from '../pipeline/roles/prompt';
import { parseStrategySpecs, type StrategySpec } from '../pipeline/strategy/spec';
import { DirStore, lockResults, outputProblem, REPORT_JSON, TASKS_JSON } from './dir-store';
import type { EvalOutcome, EvalPlan, EvalProgress } from './harness';
import { compareRoute, ROUTE, runEvaluationWithRoute, withModelRows } from './route-eval';
import { GRADERS, graderUsesModel, REFERENCE_BASELINE, SCORE_RANGE, type GraderKind } from './kinds';
import { hashText, MemoryStore, type ResultStore } from './records';
import { renderMarkdown, renderSvg, summarize, type EvalReport } from './report';
import { readTaskFile } from './task-file';
import type { EvalTask, TaskFormat } from './tasks';

/**
 * "Run an evaluation", once for every surface: the CLI (`smoa eval`) and the palette command translate their
 * arguments into an `EvalRequest`, show the problems `planEvaluation` finds, and show progress while
 * `runEvaluationPlan` runs. Every check lives here, so no surface can skip one.
 */
export interface EvalRequest {
  /** Path of the task file. */
  tasks: string;
  /** Comma-separated strategy specs (smoa, moa, single:<model>, ...); default smoa,moa,single. */
  strategies?: string;
  grader?: GraderKind;
  graderModel?: string;
  baseline?: string;
  repeat?: number;
  seed?: number;
  concurrency?: number;
  maxUsd?: number;
  /** Results folder: answers, grades and traces as JSON Lines, the report files, and what a rerun resumes from. */
  out?: string;
  /** Multi-turn tasks: grade only this turn (earlier turns are still asked). */
  turn?: number;
  /** "[strategy=]score,...": scores a strategy must reach (the CLI turns a miss into exit 1). */
  failBelow?: string;
  /** With `route` among the strategies: the folds of its split (route-eval.ts); default 2. */
  routeFolds?: number;
}

/** A problem with a request, naming the flag (CLI) / field (command arguments) it is about. */
export interface EvalProblem {
  field: keyof EvalRequest | 'config';
  message: string;
}

/** A checked request: what the harness runs, and what the report and the surfaces need around it. */
export interface Evaluation {
  request: EvalRequest;
  config: SmoaConfig;
  tasks: EvalTask[];
  formats: TaskFormat[];
  plan: EvalPlan;
  /** Row labels, in order. */
  strategies: string[];
  failBelow?: Map<string, number>;
  /** Models the strategies or the grader call beyond the config's own roles (the CLI checks their keys). */
  extraModels: string[];
  concurrency: number;
}

const DEFAULT_STRATEGIES = 'smoa,moa,single';

export function planEvaluation(request: EvalRequest, config: SmoaConfig): { ok: true; evaluation: Evaluation } | { ok: false; problems: EvalProblem[] } {
  const problems: EvalProblem[] = [];
  const problem = (field: EvalProblem['field'], message: string) => problems.push({ field, message });

  checkCounts(request, problem);
  const read = readTaskFile(request.tasks, request.turn ? { turn: request.turn } : {});
  if (!read.ok) problem('tasks', read.message);
  const tasks = read.ok ? read.tasks : [];

  if (request.grader !== undefined && !(GRADERS as readonly string[]).includes(request.grader)) problem('grader', `--grader must be one of ${GRADERS.join(', ')}, got "${request.grader}"`);
  const grader: GraderKind = request.grader ?? (read.ok && tasks.every((t) => t.tests !== undefined) ? 'tests' : read.ok && tasks.every((t) => t.reference !== undefined) ? 'exact' : 'rubric');
  if (grader === 'tests' && read.ok) {
    const missing = tasks.filter((t) => t.tests === undefined);
    if (missing.length) {
      problem('grader', `${request.tasks}: the tests grader needs "tests" on every task; ${missing.length} have none: ${missing.slice(0, 5).map((t) => `${t.id} (${t.source})`).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
    }
  }
  if (grader === 'exact' && read.ok) {
    const missing = tasks.filter((t) => t.reference === undefined);
    if (missing.length) {
      problem(
        'grader',
        `${request.tasks}: the exact grader needs a "reference" on every task; ${missing.length} have none: ` +
          `${missing.slice(0, 5).map((t) => `${t.id} (${t.source})`).join(', ')}${missing.length > 5 ? ', ...' : ''}. Use --grader rubric or pairwise for open questions.`,
      );
    }
  }

  const specsResult = parseStrategySpecs(request.strategies ?? DEFAULT_STRATEGIES, config);
  if (!specsResult.ok) problem('strategies', `--strategies: ${specsResult.message}`);
  const specs: StrategySpec[] = specsResult.ok ? specsResult.specs : [];
  let baseline: string | undefined;
  // AlpacaEval files carry the reference model's outputs: by default the win rate is measured against them.
  const allOutputs = read.ok && tasks.every((t) => t.referenceOutput !== undefined);
  if (grader === 'pairwise' && (request.baseline ?? (allOutputs ? REFERENCE_BASELINE : undefined)) === REFERENCE_BASELINE) {
    const missing = tasks.filter((t) => t.referenceOutput === undefined);
    if (missing.length) problem('baseline', `--baseline reference needs a reference output (AlpacaEval "output") on every task; ${missing.length} have none: ${missing.slice(0, 5).map((t) => `${t.id} (${t.source})`).join(', ')}`);
    else baseline = REFERENCE_BASELINE;
  } else if (grader === 'pairwise') {
    const b = parseStrategySpecs(request.baseline ?? 'single', config);
    if (!b.ok) problem('baseline', `--baseline: ${b.message}`);
    else if (b.specs.length !== 1) problem('baseline', '--baseline takes one strategy');
    else {
      baseline = b.specs[0].label;
      if (!specs.some((s) => s.label === baseline)) specs.unshift(b.specs[0]);
    }
  } else if (request.baseline !== undefined) {
    problem('baseline', '--baseline is for --grader pairwise');
  }

  const graderModel = graderUsesModel(grader) ? (request.graderModel ?? judgeModels(config)[0]) : undefined;
  if (graderModel !== undefined && !config.models.some((m) => m.id === graderModel)) {
    problem('graderModel', `--grader-model: unknown model "${graderModel}" (known: ${config.models.map((m) => m.id).join(', ')})`);
  }
  if (!graderUsesModel(grader) && request.graderModel !== undefined) problem('graderModel', '--grader-model is for the rubric and pairwise graders');

  const strategies = specs.map((s) => s.label);
  let failBelow: Map<string, number> | undefined;
  if (request.failBelow !== undefined && specsResult.ok) {
    try {
      failBelow = parseFailBelow(request.failBelow, strategies.filter((s) => s !== baseline), grader);
    } catch (err) {
      problem('failBelow', (err as Error).message);
    }
  }
  if (request.maxUsd !== undefined && !config.models.some((m) => m.price)) {
    problem('maxUsd', '--max-usd needs prices: no model in the config has a "price", so spending cannot be estimated');
  }
  if (request.out !== undefined) {
    const bad = outputProblem(request.out);
    if (bad) problem('out', `--out: ${bad}`);
    else if (storedFingerprint(request.out) !== undefined && storedFingerprint(request.out) !== configFingerprint(config)) {
      problem('out', `--out ${request.out} holds results of a different model configuration; use another folder (or delete it) to start over`);
    }
  }
  if (problems.length) return { ok: false, problems };

  return {
    ok: true,
    evaluation: {
      request,
      config,
      tasks,
      formats: read.ok ? read.formats : [],
      plan: { tasks, specs, grader, ...(graderModel ? { graderModel } : {}), ...(baseline ? { baseline } : {}), repeat: request.repeat ?? 1, ...(request.seed !== undefined ? { seed: request.seed } : {}) },
      strategies,
      ...(failBelow ? { failBelow } : {}),
      extraModels: [...new Set([...specs.flatMap((s) => (s.modelId ? [s.modelId] : [])), ...(graderModel ? [graderModel] : [])])],
      concurrency: request.concurrency ?? 2,
    },
  };
}

function checkCounts(request: EvalRequest, problem: (field: EvalProblem['field'], message: string) => void) {
  const whole = (field: keyof EvalRequest, flag: string, value: number | undefined, lo: number, hi: number) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= lo && value <= hi)) problem(field, `--${flag} must be a whole number from ${lo} to ${hi}, got "${value}"`);
  };
  whole('concurrency', 'concurrency', request.concurrency, 1, 64);
  whole('repeat', 'repeat', request.repeat, 1, 100);
  whole('turn', 'turn', request.turn, 1, 1000);
  if (request.seed !== undefined && !Number.isInteger(request.seed)) problem('seed', `--seed must be a whole number, got "${request.seed}"`);
  if (request.maxUsd !== undefined && !(Number.isFinite(request.maxUsd) && request.maxUsd > 0)) problem('maxUsd', `--max-usd must be a positive number of US dollars, got "${request.maxUsd}"`);
}

/** Thresholds for --fail-below: one number for every strategy, or strategy=score pairs. */
export function parseFailBelow(text: string, strategies: string[], grader: GraderKind): Map<string, number> {
  const [lo, hi] = SCORE_RANGE[grader];
  const read = (v: string) => {
    const pct = v.trim().endsWith('%');
    const n = Number(v.trim().replace(/%$/, ''));
    const score = pct ? n / 100 : n;
    if (v.trim() === '' || !Number.isFinite(score) || score < lo || score > hi) throw new Error(`--fail-below: "${v}" is not a valid ${grader} score (${lo} to ${hi})`);
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
    if (eq < 0 || !strategies.includes(name)) throw new Error(`--fail-below: "${part}" must be strategy=score for one of ${strategies.join(', ')}`);
    out.set(name, read(part.slice(eq + 1)));
  }
  return out;
}

/** What must match for a results folder to be resumed: the models and how the strategies use them. */
function configFingerprint(config: SmoaConfig): string {
  const { endpoints: _endpoints, ...rest } = config;
  const models = config.models.map(({ id, endpoint, model, temperature, maxTokens }) => ({ id, endpoint, model, temperature, maxTokens }));
  return hashText(JSON.stringify({ ...rest, models }));
}

const META_JSON = 'meta.json';

function storedFingerprint(dir: string): string | undefined {
  const path = join(dir, META_JSON);
  if (!existsSync(path)) return undefined;
  try {
    const meta = JSON.parse(readFileSync(path, 'utf8')) as { config?: unknown };
    return typeof meta.config === 'string' ? meta.config : undefined;
  } catch {
    return undefined; // unreadable: rewritten when the run starts
  }
}

export interface EvaluationDeps {
  clientFor(model: ModelConfig): ChatClient;
  signal: AbortSignal;
  roleCache?: RoleCache;
  onProgress?(progress: EvalProgress): void;
  /** Messages a user should see while it runs (resuming, budget stop, ...). */
  onNotice?(message: string): void;
  /** Each finished (or cancelled) run's config and call events: what the usage ledger records. */
  onRunFinished?(config: SmoaConfig, events: SmoaEvent[]): void | Promise<void>;
}

export interface EvaluationResult {
  report: EvalReport;
  outcome: EvalOutcome;
  /** Where the results are (the folder of `out`), and the store the report was made from. */
  out?: string;
  store: ResultStore;
  /** Records kept in the store, for "what was saved" when the run could not finish. */
  saved: { answers: number; grades: number };
  /** The results could not be (fully) written: what failed. */
  writeError?: string;
}

/** Runs a checked evaluation: opens (and locks) the results folder, runs the harness, writes the report files. */
export async function runEvaluationPlan(planned: Evaluation, deps: EvaluationDeps): Promise<{ ok: true; result: EvaluationResult } | { ok: false; problems: EvalProblem[] }> {
  let evaluation = planned;
  const opened = openResults(evaluation, deps);
  if (!opened.ok) return opened;
  const { store, dirStore, release } = opened;
  // route learns from each model's own answers: their single:<model> rows join the plan (and the report).
  const rows = withModelRows(evaluation.plan.specs, evaluation.config);
  if (rows.added.length) {
    const at = evaluation.strategies.indexOf(ROUTE);
    evaluation = { ...evaluation, plan: { ...evaluation.plan, specs: rows.specs }, strategies: [...evaluation.strategies.slice(0, at), ...rows.added, ...evaluation.strategies.slice(at)] };
    deps.onNotice?.(`route learns from each model's own answers: added ${rows.added.join(', ')} to the strategies`);
  }
  try {
    const { outcome } = await runEvaluationWithRoute(evaluation.plan, {
      config: evaluation.config,
      clientFor: deps.clientFor,
      store,
      signal: deps.signal,
      concurrency: evaluation.concurrency,
      ...(evaluation.request.maxUsd !== undefined ? { maxUsd: evaluation.request.maxUsd } : {}),
      ...(deps.roleCache ? { roleCache: deps.roleCache } : {}),
      ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
      ...(deps.onNotice ? { onNotice: deps.onNotice } : {}),
      ...(deps.onRunFinished ? { onRunFinished: deps.onRunFinished } : {}),
    }, evaluation.request.routeFolds ?? 2);
    const report = reportOf(evaluation, outcome);
    let writeError = outcome.writeError;
    if (dirStore && writeError === undefined) writeError = writeReport(dirStore, report);
    return {
      ok: true,
      result: {
        report,
        outcome,
        store,
        saved: { answers: store.answers().length, grades: store.grades().length },
        ...(evaluation.request.out !== undefined ? { out: evaluation.request.out } : {}),
        ...(writeError !== undefined ? { writeError } : {}),
      },
    };
  } finally {
    release();
  }
}

/** The results folder, locked against a second evaluation, with what a rerun compares against; or memory. */
function openResults(evaluation: Evaluation, deps: EvaluationDeps): { ok: true; store: ResultStore; dirStore?: DirStore; release(): void } | { ok: false; problems: EvalProblem[] } {
  const out = evaluation.request.out;
  if (out === undefined) return { ok: true, store: new MemoryStore(), release: () => {} };
  let dirStore: DirStore;
  let lock: ReturnType<typeof lockResults>;
  try {
    dirStore = new DirStore(out);
    lock = lockResults(out);
  } catch (err) {
    return { ok: false, problems: [{ field: 'out', message: `--out: cannot write to ${out} (${(err as Error).message})` }] };
  }
  if (!lock.ok) return { ok: false, problems: [{ field: 'out', message: `--out: ${lock.message}` }] };
  try {
    dirStore.writeFile(META_JSON, JSON.stringify({ config: configFingerprint(evaluation.config), tasks: evaluation.request.tasks }, null, 2) + '\n');
    dirStore.writeFile(TASKS_JSON, JSON.stringify(evaluation.tasks) + '\n');
  } catch (err) {
    lock.release();
    return { ok: false, problems: [{ field: 'out', message: `--out: cannot write to ${out} (${(err as Error).message})` }] };
  }
  const reused = dirStore.answers().length;
  if (reused) deps.onNotice?.(`resuming from ${out}: ${reused} finished run(s) on file`);
  return { ok: true, store: dirStore, dirStore, release: lock.release };
}

function reportOf(evaluation: Evaluation, outcome: EvalOutcome): EvalReport {
  const { plan } = evaluation;
  return {
    ...summarize({
      tasks: plan.tasks,
      strategies: evaluation.strategies,
      grader: plan.grader,
      graderModel: plan.graderModel,
      baseline: plan.baseline,
      repeat: plan.repeat,
      seed: plan.seed ?? 0,
      answers: outcome.answers,
      grades: outcome.grades,
    }),
    grading: outcome.grading,
    ...(outcome.ending !== 'done' ? { incomplete: { reason: outcome.ending, notRun: outcome.notRun } } : {}),
    ...(outcome.newUnits ? { overheadMsPerRun: Math.round(outcome.overheadMs * 100) / 100 } : {}),
    ...routeOf(evaluation, outcome),
  };
}

/** report.json (what the results view reopens), report.md and report.svg; the error text when one cannot be written. */
function writeReport(store: DirStore, report: EvalReport): string | undefined {
  try {
    store.writeFile(REPORT_JSON, JSON.stringify(report, null, 2) + '\n');
    store.writeFile('report.md', renderMarkdown(report));
    store.writeFile('report.svg', renderSvg(report));
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** With `route` among the strategies: how it did against the best fixed strategy on the same tasks. */
function routeOf(evaluation: Evaluation, outcome: EvalOutcome): Pick<EvalReport, 'route'> {
  const { plan } = evaluation;
  const route = compareRoute({
    tasks: plan.tasks,
    strategies: evaluation.strategies,
    answers: outcome.answers,
    grades: outcome.grades,
    grader: plan.grader,
    ...(plan.graderModel ? { graderModel: plan.graderModel } : {}),
    ...(plan.baseline ? { baseline: plan.baseline } : {}),
    repeat: plan.repeat,
    folds: evaluation.request.routeFolds ?? 2,
  });
  return route ? { route } : {};
}
