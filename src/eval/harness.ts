import { callCost } from '../pipeline/accounting';
import { formatUsd } from '../pipeline/format';
import type { ChatClient } from '../pipeline/client';
import { modelById, type ModelConfig, type SmoaConfig } from '../pipeline/config';
import { startRun } from '../pipeline/start-run';
import { judgeBias } from '../pipeline/judge-bias';
import { Semaphore } from '../pipeline/semaphore';
import type { RoleCache } from '../pipeline/roles';
import type { RouterFile } from '../pipeline/route/router-file';
import { applyStrategySpec, type StrategySpec } from '../pipeline/strategy-spec';
import type { Trace } from '../pipeline/trace';
import { GradeError, gradeExact, gradePairwise, gradeRubric, type GraderCall, type GraderKind, type GraderUsage } from './graders';
import { gradeKey, hashText, unitKey, type AnswerRecord, type GradeRecord, type ResultStore } from './records';
import type { EvalTask } from './tasks';

export interface EvalPlan {
  tasks: EvalTask[];
  specs: StrategySpec[];
  grader: GraderKind;
  /** Model id that grades (rubric, pairwise). */
  graderModel?: string;
  /** Label of the baseline strategy (pairwise); it is one of `specs`. */
  baseline?: string;
  repeat: number;
  /** Judge seed of repeat r is seed + r (the config's seed when unset). */
  seed?: number;
}

export interface EvalDeps {
  config: SmoaConfig;
  clientFor(model: ModelConfig): ChatClient;
  store: ResultStore;
  signal: AbortSignal;
  concurrency: number;
  maxUsd?: number;
  roleCache?: RoleCache;
  /** The router the `route` strategy uses (route-eval.ts builds one per fold, from the other folds' results). */
  router?: RouterFile;
  onProgress?(progress: EvalProgress): void;
  /** Messages a user should see (budget stop, ...). */
  onNotice?(message: string): void;
}

export interface EvalProgress {
  /** Units (task x strategy x repeat) in the plan, already done before this run, done now, failed, running. */
  total: number;
  reused: number;
  done: number;
  failed: number;
  running: number;
  spentUsd?: number;
  etaMs?: number;
  last?: string;
}

export interface EvalOutcome {
  /** How the run ended: everything done, stopped by the budget, or interrupted. */
  ending: 'done' | 'budget' | 'cancelled';
  notRun: number;
  grading: GraderUsage;
  /** Harness time (ms) spent outside model calls, per unit, for the overhead figure. */
  overheadMs: number;
  newUnits: number;
}

interface Unit {
  task: EvalTask;
  spec: StrategySpec;
  repeat: number;
  key: string;
}

/**
 * Runs every task under every strategy (and repeat) through the engine, `concurrency` at a time, grades the answers
 * and hands each finished result to the store at once, so an interruption loses only what was running. Results the
 * store already holds (same task, prompt, strategy and repeat) are reused, not asked again; missing grades are made
 * from stored answers.
 */
export async function runEvaluation(plan: EvalPlan, deps: EvalDeps): Promise<EvalOutcome> {
  const { config, store, signal } = deps;
  const answers = new Map<string, AnswerRecord>();
  for (const a of store.answers()) answers.set(a.key, a);
  const grades = new Map<string, GradeRecord>();
  // A grade that could not be made (grader failed, no baseline answer) is tried again on the next run.
  for (const g of store.grades()) if (g.score !== undefined) grades.set(gradeKey(g), g);

  const units: Unit[] = [];
  // Task by task, the baseline first: a candidate waiting for its baseline's answer never waits on one not started.
  const ordered = plan.baseline ? [...plan.specs].sort((a, b) => Number(b.label === plan.baseline) - Number(a.label === plan.baseline)) : plan.specs;
  for (let repeat = 0; repeat < plan.repeat; repeat++) {
    for (const task of plan.tasks) {
      for (const spec of ordered) units.push({ task, spec, repeat, key: unitKey(task.id, spec.label, repeat) });
    }
  }
  const isCurrent = (unit: Unit) => {
    const a = answers.get(unit.key);
    return a !== undefined && a.promptHash === hashText(unit.task.prompt);
  };

  const grading: GraderUsage = { calls: 0, promptTokens: 0, completionTokens: 0 };
  const graderModel = plan.graderModel ? modelById(config, plan.graderModel) : undefined;
  const graderCall: GraderCall | undefined = graderModel
    ? { client: deps.clientFor(graderModel), signal, cost: (usage) => callCost(graderModel, usage) }
    : undefined;

  const progress: EvalProgress = { total: units.length, reused: units.filter(isCurrent).length, done: 0, failed: 0, running: 0 };
  const report = (last?: string) => deps.onProgress?.({ ...progress, ...(last ? { last } : {}) });
  const started = performance.now();
  let spentUsd = 0;
  let anyPrice = false;
  let overheadMs = 0;
  let newUnits = 0;

  // Cost estimates for --max-usd: the mean cost of finished answers of the same strategy (stored ones count too).
  const costs = new Map<string, number[]>();
  const noteCost = (strategy: string, usd: number | undefined) => {
    if (usd === undefined) return;
    anyPrice = true;
    costs.set(strategy, [...(costs.get(strategy) ?? []), usd]);
  };
  for (const a of answers.values()) noteCost(a.strategy, a.totals.cost?.usd);
  const gradingPerUnit = () => (grading.costUsd && grading.calls ? grading.costUsd / Math.max(1, newUnits) : 0);
  const estimate = (strategy: string) => {
    const own = costs.get(strategy);
    const all = [...costs.values()].flat();
    const list = own?.length ? own : all;
    return (list.length ? list.reduce((s, v) => s + v, 0) / list.length : 0) + gradingPerUnit();
  };
  const runningEstimates = new Map<string, number>();

  // Baseline answers for pairwise grading, as promises candidates can wait on.
  const baselineAnswers = new Map<string, Promise<AnswerRecord | undefined>>();
  const resolvers = new Map<string, (a: AnswerRecord | undefined) => void>();
  if (plan.baseline) {
    for (const u of units) {
      if (u.spec.label !== plan.baseline) continue;
      const existing = isCurrent(u) ? answers.get(u.key) : undefined;
      baselineAnswers.set(u.key, existing ? Promise.resolve(existing) : new Promise((resolve) => resolvers.set(u.key, resolve)));
    }
  }

  const gradeOne = async (unit: Unit, answer: AnswerRecord): Promise<void> => {
    if (plan.grader === 'pairwise' && unit.spec.label === plan.baseline) return; // the baseline is the yardstick
    const ids = { key: unit.key, grader: plan.grader, ...(plan.graderModel && plan.grader !== 'exact' ? { graderModel: plan.graderModel } : {}), ...(plan.grader === 'pairwise' ? { baseline: plan.baseline } : {}) };
    if (grades.has(gradeKey(ids))) return;
    let record: GradeRecord;
    if (plan.grader === 'exact') {
      if (unit.task.reference === undefined) return;
      const g = answer.status === 'ok' ? gradeExact(answer.answer, unit.task.reference, unit.task.match ?? 'exact') : { score: 0, detail: 'the run failed' };
      record = { ...ids, score: g.score, detail: g.detail };
    } else if (answer.status !== 'ok') {
      record = { ...ids, score: plan.grader === 'rubric' ? 1 : 0, detail: 'the run failed: lowest score' };
    } else {
      try {
        if (plan.grader === 'rubric') {
          const g = await gradeRubric(graderCall!, unit.task.prompt, answer.answer, grading);
          record = { ...ids, score: g.score, detail: g.aspects };
        } else {
          const base = await baselineAnswers.get(unitKey(unit.task.id, plan.baseline!, unit.repeat));
          if (signal.aborted) return;
          if (!base || base.status !== 'ok') {
            record = { ...ids, error: `no baseline answer (${base ? `${plan.baseline} failed` : `${plan.baseline} did not run`})` };
          } else {
            const g = await gradePairwise(graderCall!, unit.task.prompt, answer.answer, base.answer, grading);
            record = { ...ids, score: g.score, lengthRatio: g.lengthRatio, detail: { orders: g.orders, reasons: g.reasons } };
          }
        }
      } catch (err) {
        if (signal.aborted) return;
        if (!(err instanceof GradeError)) throw err;
        record = { ...ids, error: err.message };
      }
    }
    grades.set(gradeKey(record), record);
    store.addGrade(record);
  };

  const runUnit = async (unit: Unit): Promise<void> => {
    const t0 = performance.now();
    const { config: runConfig, strategy } = applyStrategySpec({ ...config, seed: (plan.seed ?? config.seed) + unit.repeat }, unit.spec);
    const { result, trace } = await startRun(runConfig, { prompt: unit.task.prompt, strategy }, {
      clientFor: deps.clientFor,
      signal,
      ...(deps.roleCache ? { roleCache: deps.roleCache } : {}),
      ...(deps.router ? { router: deps.router } : {}),
    }).finished;
    const modelMs = result.totals.wallMs;
    if (result.status === 'cancelled') {
      resolvers.get(unit.key)?.(undefined);
      return;
    }
    const record: AnswerRecord = {
      key: unit.key,
      taskId: unit.task.id,
      strategy: unit.spec.label,
      repeat: unit.repeat,
      promptHash: hashText(unit.task.prompt),
      status: result.status,
      answer: result.answer,
      ...(result.answerSource ? { answerSource: result.answerSource } : {}),
      ...(result.error ? { error: result.error } : {}),
      totals: result.totals,
      ...judgeFigures(trace),
      ...(trace.route ? { routed: { chosen: trace.route.chosen, fallback: trace.route.fallback } } : {}),
    };
    answers.set(record.key, record);
    store.addAnswer(record, trace);
    resolvers.get(unit.key)?.(record);
    noteCost(record.strategy, record.totals.cost?.usd);
    if (record.totals.cost) spentUsd += record.totals.cost.usd;
    newUnits++;
    overheadMs += Math.max(0, performance.now() - t0 - modelMs);
    if (record.status === 'failed') progress.failed++;
  };

  const queue = units.filter((u) => !isCurrent(u));
  const pendingGrades = units.filter(isCurrent);
  let ending: EvalOutcome['ending'] = 'done';
  let next = 0;
  let budgetStopped = false;

  // Grades missing for stored answers (another grader, an interruption) are made alongside the new runs, `concurrency`
  // at a time. A pairwise grade waits for its baseline's answer before taking a slot: that answer may be one of the
  // runs still queued (a new --baseline), and a slot held while waiting could leave none to run it.
  const gradeSlots = new Semaphore(Math.max(1, deps.concurrency));
  const regrade = (unit: Unit) => async () => {
    if (plan.grader === 'pairwise' && unit.spec.label !== plan.baseline) await baselineAnswers.get(unitKey(unit.task.id, plan.baseline!, unit.repeat));
    if (signal.aborted) return;
    const release = await gradeSlots.acquire(signal).catch(() => undefined);
    if (!release) return;
    try {
      await gradeOne(unit, answers.get(unit.key)!);
    } finally {
      release();
    }
  };

  const worker = async (): Promise<void> => {
    while (!signal.aborted && !budgetStopped && next < queue.length) {
      const unit = queue[next];
      if (deps.maxUsd !== undefined) {
        const running = [...runningEstimates.values()].reduce((s, v) => s + v, 0);
        const mine = estimate(unit.spec.label);
        const committed = spentUsd + (grading.costUsd ?? 0) + running;
        if (committed + mine > deps.maxUsd) {
          budgetStopped = true;
          deps.onNotice?.(
            `--max-usd ${deps.maxUsd}: stopping before ${queue.length - next} more run(s): spent ${formatUsd(spentUsd + (grading.costUsd ?? 0))}, ` +
              `${formatUsd(running)} estimated for the runs still going, about ${formatUsd(mine)} for the next`,
          );
          break;
        }
      }
      next++;
      runningEstimates.set(unit.key, estimate(unit.spec.label));
      progress.running++;
      report();
      try {
        await runUnit(unit);
        const answer = answers.get(unit.key);
        if (answer && !signal.aborted) await gradeOne(unit, answer);
      } finally {
        runningEstimates.delete(unit.key);
        progress.running--;
      }
      if (!signal.aborted) {
        progress.done++;
        const elapsed = performance.now() - started;
        const left = queue.length - progress.done;
        progress.spentUsd = anyPrice || grading.costUsd !== undefined ? spentUsd + (grading.costUsd ?? 0) : undefined;
        progress.etaMs = progress.done ? (elapsed / progress.done) * left : undefined;
        report(`${unit.spec.label} ${unit.task.id}${plan.repeat > 1 ? ` #${unit.repeat + 1}` : ''}`);
      }
    }
  };

  report();
  const regrades = Promise.all(pendingGrades.map((unit) => regrade(unit)()));
  await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.concurrency, queue.length || 1)) }, worker));
  // Baselines that never ran (budget, cancel) release the candidates waiting for them.
  for (const resolve of resolvers.values()) resolve(undefined);
  await regrades;
  if (signal.aborted) ending = 'cancelled';
  else if (budgetStopped) ending = 'budget';
  const notRun = queue.length - progress.done;
  return { ending, notRun, grading, overheadMs: newUnits ? overheadMs / newUnits : 0, newUnits };
}

/**
 * From a judged run's trace: per proposer model, answers given and kept ("which models earn their seat"), and how
 * often the judge's first pick was the candidate it was shown first, read from the order each ballot records.
 */
export function judgeFigures(trace: Trace): Pick<AnswerRecord, 'seats' | 'judgeFirst'> {
  const judged = trace.layers.filter((l) => l.judge && l.kept);
  if (judged.length === 0) return {};
  const seats = new Map<string, { answered: number; kept: number }>();
  for (const layer of judged) {
    const answered = Object.entries(layer.proposalCalls)
      .filter(([, callId]) => trace.calls.find((c) => c.callId === callId)?.status === 'done')
      .map(([slot]) => Number(slot))
      .sort((a, b) => a - b);
    for (const slot of answered) {
      const modelId = layer.proposers.find((p) => p.slot === slot)?.modelId ?? `slot ${slot + 1}`;
      const seat = seats.get(modelId) ?? { answered: 0, kept: 0 };
      seat.answered++;
      if (layer.kept!.includes(slot)) seat.kept++;
      seats.set(modelId, seat);
    }
  }
  const bias = judgeBias(judged);
  const decisions = bias?.firstShownVotes ?? 0;
  const firstShown = bias?.firstShownTop ?? 0;
  return {
    seats: [...seats].map(([modelId, s]) => ({ modelId, ...s })),
    ...(decisions ? { judgeFirst: { decisions, firstShown } } : {}),
  };
}
