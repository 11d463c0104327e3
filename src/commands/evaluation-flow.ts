import type { SmoaEvent } from '../pipeline/events';
import { basename, join } from 'node:path';
import { planEvaluation, runEvaluationPlan, type EvalRequest } from '../eval/evaluate';
import type { EvalProgress } from '../eval/harness';
import type { GraderKind } from '../eval/kinds';
import type { AnswerRecord, GradeRecord } from '../eval/records';
import type { EvalReport } from '../eval/report';
import { readTaskFile } from '../eval/task-file';
import type { EvalTask } from '../eval/tasks';
import type { ChatClient } from '../pipeline/client';
import type { ModelConfig, SmoaConfig } from '../pipeline/config';
import type { RoleCache } from '../pipeline/roles/prompt';
import type { Trace } from '../pipeline/trace';

/** Arguments for running without the pickers (tests, keybindings): every field a picker would ask for. */
export interface RunEvaluationArgs {
  tasks: string;
  strategies: string[];
  grader?: GraderKind;
  graderModel?: string;
  baseline?: string;
  concurrency?: number;
  repeat?: number;
  turn?: number;
}

/** What the palette command needs from VS Code: pickers, a progress notification, messages. Faked in unit tests. */
export interface EvaluationPort {
  currentConfig(): Promise<{ ok: true; config: SmoaConfig } | { ok: false; message: string }>;
  clientFor(config: SmoaConfig): (model: ModelConfig) => ChatClient;
  roleCache?: RoleCache;
  /** Adds an evaluation run to the usage ledger (status bar, Show Usage), as every other run is. */
  recordRun?(config: SmoaConfig, events: SmoaEvent[]): void | Promise<void>;
  pickTaskFile(): Promise<string | undefined>;
  pickStrategies(config: SmoaConfig): Promise<string[] | undefined>;
  pickGrader(allReferenced: boolean): Promise<GraderKind | undefined>;
  pickBaseline(strategies: string[], config: SmoaConfig): Promise<string | undefined>;
  /** A new folder for this run's results (the extension's storage). */
  resultsFolder(taskPath: string): string;
  withProgress<T>(title: string, run: (report: (progress: EvalProgress) => void, signal: AbortSignal) => Promise<T>): Promise<T>;
  showError(message: string): void;
  showWarning(message: string): void;
  log(message: string): void;
  showResults(results: ShownResults): void;
}

/** What the results view shows (the shape of the view's EvalResults, kept here so commands do not import views). */
export interface ShownResults {
  title: string;
  report: EvalReport;
  tasks: EvalTask[];
  answers: AnswerRecord[];
  grades: GradeRecord[];
  trace(key: string): Trace | undefined;
  location: string;
}

/**
 * "SMoA: Run Evaluation": the pickers fill an `EvalRequest`; checking, running and writing the results are the
 * evaluation's own (src/eval/evaluate.ts), the same code `smoa eval` runs.
 */
export async function runEvaluationCommand(port: EvaluationPort, args?: RunEvaluationArgs): Promise<EvalReport | undefined> {
  const resolved = await port.currentConfig();
  if (!resolved.ok) return fail(port, resolved.message);
  const config = resolved.config;

  const taskPath = args?.tasks ?? (await port.pickTaskFile());
  if (!taskPath) return undefined;
  const request: EvalRequest = { tasks: taskPath, out: port.resultsFolder(taskPath), concurrency: args?.concurrency ?? 2 };
  if (args?.repeat !== undefined) request.repeat = args.repeat;
  if (args?.turn !== undefined) request.turn = args.turn;
  const read = readTaskFile(taskPath);
  // An unreadable task file needs no pickers: the plan below names its problems.
  if (read.ok) {
    const strategies = args ? args.strategies : await port.pickStrategies(config);
    if (!strategies?.length) return undefined;
    request.strategies = strategies.join(',');
    const grader = args ? args.grader : await port.pickGrader(read.tasks.every((t) => t.reference !== undefined));
    if (!args && !grader) return undefined;
    if (grader) request.grader = grader;
    if (grader === 'pairwise') {
      const baseline = args ? args.baseline : await port.pickBaseline(strategies, config);
      if (!args && !baseline) return undefined;
      if (baseline) request.baseline = baseline;
    }
    if (args?.graderModel !== undefined) request.graderModel = args.graderModel;
  }

  const planned = planEvaluation(request, config);
  if (!planned.ok) return fail(port, planned.problems.map((p) => p.message).join('\n'));
  const evaluation = planned.evaluation;
  const dir = request.out!;
  const ran = await port.withProgress(`SMoA evaluation of ${basename(taskPath)}`, (report, signal) =>
    runEvaluationPlan(evaluation, {
      clientFor: port.clientFor(config),
      signal,
      ...(port.roleCache ? { roleCache: port.roleCache } : {}),
      onProgress: report,
      onNotice: (message) => port.showWarning(`SMoA evaluation: ${message}`),
      ...(port.recordRun ? { onRunFinished: (runConfig: SmoaConfig, events: SmoaEvent[]) => port.recordRun!(runConfig, events) } : {}),
    }),
  );
  if (!ran.ok) return fail(port, ran.problems.map((p) => p.message).join('\n'));
  const { report, outcome, store, writeError, saved } = ran.result;
  if (writeError !== undefined) {
    port.showError(`SMoA evaluation: cannot save results in ${dir}: ${writeError}. ${saved.answers} answer(s) and ${saved.grades} grade(s) were saved before it stopped.`);
  }
  port.log(`evaluation of ${taskPath}: ${outcome.ending}, results in ${dir}`);
  port.showResults({ title: basename(taskPath), report, tasks: evaluation.tasks, answers: outcome.answers, grades: outcome.grades, trace: (key) => store.trace?.(key), location: dir });
  return report;
}

function fail(port: EvaluationPort, message: string): undefined {
  port.showError(`SMoA evaluation: ${message}`);
  return undefined;
}

/** A results folder name that sorts by time and says which task file it was. */
export function resultsFolderName(root: string, taskPath: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return join(evaluationsRoot(root), `${stamp}-${basename(taskPath).replace(/\.[^.]+$/, '')}`);
}

/** The folder under the extension's storage that holds one results folder per evaluation run from the palette. */
export function evaluationsRoot(storage: string): string {
  return join(storage, 'evaluations');
}
