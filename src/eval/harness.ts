import { callCost } from '../pipeline/accounting';
import { formatUsd } from '../pipeline/format';
import type { ChatClient, ChatMessage } from '../pipeline/client';
import { modelById, type ModelConfig, type SmoaConfig } from '../pipeline/config';
import { startRun } from '../pipeline/start-run';
import { BudgetPool, MIN_USEFUL_COMPLETION } from '../pipeline/budget-pool';
import { CallError } from '../pipeline/client';
import { estimateRun } from '../pipeline/estimate';
import type { SmoaEvent } from '../pipeline/events';
import { promptBound } from '../pipeline/tokens';
import { judgeBias } from '../pipeline/judge/bias';
import type { RoleCache } from '../pipeline/roles/prompt';
import type { RouterFile } from '../pipeline/route/router-file';
import { applyStrategySpec, type StrategySpec } from '../pipeline/strategy/spec';
import type { RunTotals } from '../pipeline/events';
import { emptyTrace, type Trace } from '../pipeline/trace';
import { GradeError, gradeExact, gradePairwise, gradeRubric, REFERENCE_BASELINE, type GraderCall, type GraderKind, type GraderUsage } from './graders';
import { gradeByTests } from './code-grader';
import { graderUsesModel } from './kinds';
import { juryRecord } from './jury';
import { gradeKey, hashText, unitKey, type AnswerRecord, type GradeRecord, type ResultStore } from './records';
import { turnTaskId, type EvalTask } from './tasks';

export interface EvalPlan {
  tasks: EvalTask[];
  specs: StrategySpec[];
  grader: GraderKind;
  /** Model id that grades (rubric, pairwise). */
  graderModel?: string;
  /** Label of the baseline strategy (pairwise); it is one of `specs`, or REFERENCE_BASELINE: each task's reference output. */
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
  /** Each finished (or cancelled) run's config and call events, for the usage ledger. */
  onRunFinished?(config: SmoaConfig, events: SmoaEvent[]): void | Promise<void>;
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
  /** How the run ended: everything done, stopped by the budget, interrupted, or stopped because results could not be saved. */
  ending: 'done' | 'budget' | 'cancelled' | 'write-failed';
  notRun: number;
  grading: GraderUsage;
  /** Harness time (ms) spent outside model calls, per unit, for the overhead figure. */
  overheadMs: number;
  newUnits: number;
  /** The answers and grades that belong to this plan now (stale stored records left out): what the report counts. */
  answers: AnswerRecord[];
  grades: GradeRecord[];
  /** ending 'write-failed': what the store said. */
  writeError?: string;
}

interface Unit {
  task: EvalTask;
  spec: StrategySpec;
  repeat: number;
  key: string;
  /** False for an earlier turn asked only so a later one has its history (`--turn 2`). */
  graded: boolean;
  /** Multi-turn: the key of the previous turn's unit (same strategy, same repeat), whose answer is in this one's history. */
  previous?: string;
}

interface Waiter {
  promise: Promise<AnswerRecord | undefined>;
  resolve(answer: AnswerRecord | undefined): void;
}

/** Everything one evaluation run changes, in one place; the steps below read and update it. */
interface EvalState {
  readonly plan: EvalPlan;
  readonly deps: EvalDeps;
  /** The caller's signal, or the harness's own stop when results can no longer be saved. */
  readonly signal: AbortSignal;
  readonly stop: AbortController;
  readonly units: Unit[];
  /** Current answers and grades by key: stored ones that still match their task, and new ones. */
  readonly answers: Map<string, AnswerRecord>;
  readonly grades: Map<string, GradeRecord>;
  /** Answers other units wait for (pairwise baselines, earlier turns), by unit key. */
  readonly waiters: Map<string, Waiter>;
  /** Units to ask, in order; `next` is the first not started. */
  readonly queue: Unit[];
  next: number;
  readonly progress: EvalProgress;
  readonly grading: GraderUsage;
  readonly graderCall?: GraderCall;
  readonly budget: BudgetState;
  readonly started: number;
  overheadMs: number;
  newUnits: number;
  writeError?: string;
}

/**
 * --max-usd: one pool for the whole evaluation (budget-pool.ts). Each run holds its bound before it starts and its calls
 * reserve from that hold; grading calls reserve from the pool. So the limit holds at any concurrency.
 */
interface BudgetState {
  spentUsd: number;
  anyPrice: boolean;
  stopped: boolean;
  readonly pool?: BudgetPool;
  /** The hold of each run going, by unit key. */
  readonly holds: Map<string, { pool: BudgetPool; release(): void }>;
}

/**
 * Runs every task under every strategy (and repeat) through the engine, `concurrency` at a time, grades the answers
 * and hands each finished result to the store at once, so an interruption loses only what was running. Results the
 * store already holds for the same task (same conversation, references and tests), strategy and repeat are reused,
 * not asked again; missing grades are made from stored answers. A multi-turn task's later turn is asked with the
 * strategy's own earlier answers in the history.
 */
export async function runEvaluation(plan: EvalPlan, deps: EvalDeps): Promise<EvalOutcome> {
  const state = startState(plan, deps);
  report(state);
  const regrades = regradeStored(state);
  await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.concurrency, state.queue.length || 1)) }, () => askWorker(state)));
  // Answers that never came (budget, cancel, a write failure) release whoever waits for them.
  for (const waiter of state.waiters.values()) waiter.resolve(undefined);
  await regrades;
  return finish(state);
}

// ---------------------------------------------------------------------------------------------------------------
// Steps

function startState(plan: EvalPlan, deps: EvalDeps): EvalState {
  const stop = new AbortController();
  const signal = AbortSignal.any([deps.signal, stop.signal]);
  const units = planUnits(plan);
  const { answers, grades } = loadCurrent(plan, units, deps.store);
  const queue = units.filter((u) => !answers.has(u.key));
  const waiters = new Map<string, Waiter>();
  for (const u of queue) {
    let resolve!: (a: AnswerRecord | undefined) => void;
    const promise = new Promise<AnswerRecord | undefined>((r) => (resolve = r));
    waiters.set(u.key, { promise, resolve });
  }
  const graderModel = plan.graderModel ? modelById(deps.config, plan.graderModel) : undefined;
  const pool = deps.maxUsd !== undefined ? new BudgetPool({ maxUsd: deps.maxUsd }) : undefined;
  const budget: BudgetState = { spentUsd: 0, anyPrice: false, stopped: false, ...(pool ? { pool } : {}), holds: new Map() };
  for (const a of answers.values()) noteCost(budget, a.strategy, a.totals.cost?.usd);
  return {
    plan,
    deps,
    signal,
    stop,
    units,
    answers,
    grades,
    waiters,
    queue,
    next: 0,
    progress: { total: units.length, reused: units.length - queue.length, done: 0, failed: 0, running: 0 },
    grading: { calls: 0, promptTokens: 0, completionTokens: 0 },
    ...(graderModel
      ? { graderCall: { client: pool ? reservingClient(deps.clientFor(graderModel), graderModel, pool) : deps.clientFor(graderModel), signal, cost: (usage) => callCost(graderModel, usage) } }
      : {}),
    budget,
    started: performance.now(),
    overheadMs: 0,
    newUnits: 0,
  };
}

/**
 * Task by task, the baseline first: a candidate waiting for its baseline's answer never waits on one not started.
 * A later turn comes after the turns before it (asked, ungraded, when only the later turn is graded).
 */
function planUnits(plan: EvalPlan): Unit[] {
  const ordered = plan.baseline ? [...plan.specs].sort((a, b) => Number(b.label === plan.baseline) - Number(a.label === plan.baseline)) : plan.specs;
  const planned = new Set(plan.tasks.map((t) => t.id));
  const units: Unit[] = [];
  for (let repeat = 0; repeat < plan.repeat; repeat++) {
    const added = new Set<string>();
    for (const task of plan.tasks) {
      const chain = [...earlierTurns(task).filter((t) => !planned.has(t.id) && !added.has(t.id)), task];
      for (const t of chain) {
        added.add(t.id);
        const conversation = t.conversation;
        for (const spec of ordered) {
          units.push({
            task: t,
            spec,
            repeat,
            key: unitKey(t.id, spec.label, repeat),
            graded: t === task,
            ...(conversation && conversation.turn > 1 ? { previous: unitKey(turnTaskId(conversation.id, conversation.turn - 1), spec.label, repeat) } : {}),
          });
        }
      }
    }
  }
  return units;
}

/** The turns a multi-turn task's conversation asks before it, as tasks of their own. */
function earlierTurns(task: EvalTask): EvalTask[] {
  const c = task.conversation;
  if (!c) return [];
  return c.turns.slice(0, c.turn - 1).map((prompt, i) => ({ id: turnTaskId(c.id, i + 1), prompt, conversation: { ...c, turn: i + 1 }, source: task.source, ...(task.category ? { category: task.category } : {}) }));
}

/**
 * Stored answers that still answer what the plan asks (same conversation, same earlier answers), and grades made
 * for those answers under the task's current references and tests. Anything else is stale: asked or graded again.
 */
function loadCurrent(plan: EvalPlan, units: Unit[], store: ResultStore): { answers: Map<string, AnswerRecord>; grades: Map<string, GradeRecord> } {
  const stored = new Map<string, AnswerRecord>();
  for (const a of store.answers()) stored.set(a.key, a);
  const answers = new Map<string, AnswerRecord>();
  // Units are in conversation order, so an earlier turn is settled before the turns that depend on it.
  for (const u of units) {
    const a = stored.get(u.key);
    if (a && a.promptHash === askedHash(u, answers)) answers.set(u.key, a);
  }
  const byKey = new Map(units.map((u) => [u.key, u]));
  const grades = new Map<string, GradeRecord>();
  for (const g of store.grades()) {
    const u = byKey.get(g.key);
    // A grade that could not be made (grader failed, no baseline answer) is tried again on the next run.
    if (!u || g.score === undefined || !answers.has(g.key) || g.taskHash !== taskHash(u.task)) continue;
    if (g.baseline !== undefined && g.baseline !== REFERENCE_BASELINE && !answers.has(unitKey(u.task.id, g.baseline, u.repeat))) continue;
    grades.set(gradeKey(g), g);
  }
  return { answers, grades };
}

/**
 * What an answer answers: the prompt, and for a later turn the whole conversation before it including the strategy's
 * own earlier answers. A single-turn hash is the prompt's alone, so results stored before multi-turn tasks still match.
 */
function askedHash(unit: Unit, answers: Map<string, AnswerRecord>): string | undefined {
  if (!unit.previous) return hashText(unit.task.prompt);
  const earlier = conversationBefore(unit, answers);
  return earlier ? hashText(JSON.stringify([...earlier.map((m) => m.content), unit.task.prompt])) : undefined;
}

/** The messages before a later turn: each earlier turn and the strategy's answer to it; undefined if one is missing. */
function conversationBefore(unit: Unit, answers: Map<string, AnswerRecord>): ChatMessage[] | undefined {
  const c = unit.task.conversation;
  if (!c || !unit.previous) return [];
  const history: ChatMessage[] = [];
  for (let turn = 1; turn < c.turn; turn++) {
    const a = answers.get(unitKey(turnTaskId(c.id, turn), unit.spec.label, unit.repeat));
    if (!a || a.status !== 'ok') return undefined;
    history.push({ role: 'user', content: c.turns[turn - 1] }, { role: 'assistant', content: a.answer });
  }
  return history;
}

/** What a grade depends on besides the answer: the task's text and everything a grader compares with. */
function taskHash(task: EvalTask): string {
  const { id: _id, source: _source, category: _category, ...graded } = task;
  return hashText(JSON.stringify(graded));
}

/** One of `concurrency` loops: takes the next unit while the budget allows, asks it, grades it. */
async function askWorker(state: EvalState): Promise<void> {
  while (!state.signal.aborted && !state.budget.stopped && state.next < state.queue.length) {
    const unit = state.queue[state.next];
    if (!budgetAllows(state, unit)) break;
    state.next++;
    state.progress.running++;
    report(state);
    try {
      const answer = await askUnit(state, unit);
      if (answer && unit.graded && !state.signal.aborted) await gradeUnit(state, unit, answer);
    } finally {
      state.budget.holds.get(unit.key)?.release();
      state.budget.holds.delete(unit.key);
      state.progress.running--;
    }
    if (!state.signal.aborted) noteDone(state, unit);
  }
}

/**
 * The --max-usd check before a run starts: the run holds its bound from the pool, or is not started (and is reported
 * as not run). The bound is the run's estimate, an upper bound, so a started run is never cut short; when a model has
 * no maxTokens there is none, and the run holds a fair share of what is left (at least what its stages need with the
 * shortest useful answers), its calls capped within it.
 */
function budgetAllows(state: EvalState, unit: Unit): boolean {
  const { maxUsd } = state.deps;
  const { pool } = state.budget;
  if (maxUsd === undefined || !pool) return true;
  const bound = runBound(state, unit, pool);
  const hold = bound > 0 && Number.isFinite(bound) ? pool.holdFor({ maxUsd: bound }) : undefined;
  if (hold) {
    state.budget.holds.set(unit.key, hold);
    return true;
  }
  state.budget.stopped = true;
  const running = state.progress.running;
  const spent = pool.settled().usd;
  state.deps.onNotice?.(
    `--max-usd ${maxUsd}: not starting ${state.queue.length - state.next} more run(s) (reported as not run): spent ${formatUsd(spent)}` +
      `${running ? `, ${formatUsd(Math.max(0, maxUsd - spent - pool.left().usd))} held by the ${running} run(s) still going` : ''}, ` +
      `the next may cost up to ${formatUsd(bound)}`,
  );
  return false;
}

function runBound(state: EvalState, unit: Unit, pool: BudgetPool): number {
  const { config, strategy } = runPlanOf(state, unit);
  const input = { prompt: unit.task.prompt };
  const bound = estimateRun(config, input, { strategy }).costUsd;
  if (bound !== null) return bound;
  const least = estimateRun(config, input, { strategy, cap: MIN_USEFUL_COMPLETION }).costUsd ?? Infinity;
  return Math.max(least, pool.left().usd / Math.max(1, state.deps.concurrency - state.progress.running));
}

function runPlanOf(state: EvalState, unit: Unit) {
  const { plan, deps } = state;
  return applyStrategySpec({ ...deps.config, seed: (plan.seed ?? deps.config.seed) + unit.repeat }, unit.spec);
}

function noteCost(budget: BudgetState, _strategy: string, usd: number | undefined) {
  if (usd !== undefined) budget.anyPrice = true;
}

/** Asks one unit through the engine (a later turn with its conversation so far) and saves the answer. */
async function askUnit(state: EvalState, unit: Unit): Promise<AnswerRecord | undefined> {
  const { deps, signal } = state;
  const t0 = performance.now();
  let history: ChatMessage[] | undefined = [];
  if (unit.previous) {
    await state.waiters.get(unit.previous)?.promise;
    if (signal.aborted) return settle(state, unit, undefined);
    history = conversationBefore(unit, state.answers);
  }
  let record: AnswerRecord;
  let trace: Trace;
  if (history === undefined) {
    // An earlier turn failed: this turn has no conversation to continue, and counts as failed without a call.
    trace = emptyTrace();
    record = answerRecord(unit, undefined, { status: 'failed', answer: '', error: `turn ${unit.task.conversation!.turn - 1} failed, so this turn was not asked`, totals: NO_TOTALS });
  } else {
    const { config: runConfig, strategy } = runPlanOf(state, unit);
    const calls: SmoaEvent[] = [];
    const hold = state.budget.holds.get(unit.key);
    const run = await startRun(runConfig, { prompt: unit.task.prompt, ...(history.length ? { history } : {}), strategy }, {
      clientFor: deps.clientFor,
      signal,
      ...(deps.roleCache ? { roleCache: deps.roleCache } : {}),
      ...(deps.router ? { router: deps.router } : {}),
      ...(hold ? { budgetPool: hold.pool } : {}),
      onEvent: (event) => {
        if (event.type === 'call-started' || event.type === 'call-done' || event.type === 'call-failed') calls.push(event);
      },
    }).finished;
    const result = run.result;
    trace = run.trace;
    // Every run is billed, a cancelled one too: the ledger and the spend include it.
    await deps.onRunFinished?.(runConfig, calls);
    if (result.status === 'cancelled') {
      if (result.totals.cost) state.budget.spentUsd += result.totals.cost.usd;
      return settle(state, unit, undefined);
    }
    record = answerRecord(unit, askedHash(unit, state.answers), {
      ...result,
      status: result.status,
      ...judgeFigures(trace),
      ...(trace.route ? { routed: { chosen: trace.route.chosen, fallback: trace.route.fallback } } : {}),
    });
    state.overheadMs += Math.max(0, performance.now() - t0 - result.totals.wallMs);
  }
  state.answers.set(record.key, record);
  if (!save(state, () => deps.store.addAnswer(record, trace))) {
    state.answers.delete(record.key);
    return settle(state, unit, undefined);
  }
  noteCost(state.budget, record.strategy, record.totals.cost?.usd);
  if (record.totals.cost) state.budget.spentUsd += record.totals.cost.usd;
  state.newUnits++;
  if (record.status === 'failed') state.progress.failed++;
  return settle(state, unit, record);
}

const NO_TOTALS: RunTotals = { calls: 0, failedCalls: 0, promptTokens: 0, completionTokens: 0, estimated: false, wallMs: 0, layersRun: 0 };

function answerRecord(
  unit: Unit,
  promptHash: string | undefined,
  result: Pick<AnswerRecord, 'status' | 'answer' | 'totals'> & Partial<Pick<AnswerRecord, 'answerSource' | 'error' | 'seats' | 'judgeFirst' | 'jury' | 'routed'>>,
): AnswerRecord {
  return {
    key: unit.key,
    taskId: unit.task.id,
    strategy: unit.spec.label,
    repeat: unit.repeat,
    promptHash: promptHash ?? hashText(unit.task.prompt),
    status: result.status,
    answer: result.answer,
    ...(result.answerSource ? { answerSource: result.answerSource } : {}),
    ...(result.error ? { error: result.error } : {}),
    totals: result.totals,
    ...(result.seats ? { seats: result.seats } : {}),
    ...(result.judgeFirst ? { judgeFirst: result.judgeFirst } : {}),
    ...(result.jury ? { jury: result.jury } : {}),
    ...(result.routed ? { routed: result.routed } : {}),
  };
}

/** Hands an answer (or its absence) to whoever waits for it. */
function settle(state: EvalState, unit: Unit, answer: AnswerRecord | undefined): AnswerRecord | undefined {
  state.waiters.get(unit.key)?.resolve(answer);
  return answer;
}

/**
 * A store write that fails (disk full, folder removed) stops the evaluation: runs already paid for must not be
 * asked for more, and the caller says what was saved.
 */
function save(state: EvalState, write: () => void): boolean {
  if (state.writeError !== undefined) return false;
  try {
    write();
    return true;
  } catch (err) {
    state.writeError = err instanceof Error ? err.message : String(err);
    state.stop.abort(new Error('cannot save results'));
    return false;
  }
}

/** Grades one answer with the plan's grader, unless it is graded already or is the pairwise yardstick. */
async function gradeUnit(state: EvalState, unit: Unit, answer: AnswerRecord): Promise<void> {
  const { plan, signal, grading } = state;
  if (plan.grader === 'pairwise' && unit.spec.label === plan.baseline) return;
  const ids = {
    key: unit.key,
    grader: plan.grader,
    ...(plan.graderModel && graderUsesModel(plan.grader) ? { graderModel: plan.graderModel } : {}),
    ...(plan.grader === 'pairwise' ? { baseline: plan.baseline } : {}),
    taskHash: taskHash(unit.task),
  };
  if (state.grades.has(gradeKey(ids))) return;
  const task = unit.task;
  let record: GradeRecord;
  if (plan.grader === 'exact') {
    if (task.reference === undefined) return;
    const g = answer.status === 'ok' ? gradeExact(answer.answer, task.reference, task.match ?? 'exact') : { score: 0, detail: 'the run failed' };
    record = { ...ids, score: g.score, detail: g.detail };
  } else if (plan.grader === 'tests') {
    if (task.tests === undefined) return;
    const g = answer.status === 'ok' ? await gradeByTests(task, answer.answer) : { score: 0, detail: 'the run failed' };
    if (signal.aborted) return;
    record = { ...ids, ...g };
  } else if (answer.status !== 'ok') {
    record = { ...ids, score: plan.grader === 'rubric' ? 1 : 0, detail: 'the run failed: lowest score' };
  } else {
    const request = gradedRequest(unit, state.answers);
    try {
      if (plan.grader === 'rubric') {
        const g = await gradeRubric(state.graderCall!, request, answer.answer, grading, task.referenceAnswer);
        record = { ...ids, score: g.score, detail: g.aspects };
      } else {
        const base =
          plan.baseline === REFERENCE_BASELINE
            ? task.referenceOutput !== undefined
              ? { status: 'ok' as const, answer: task.referenceOutput }
              : undefined
            : (state.answers.get(unitKey(task.id, plan.baseline!, unit.repeat)) ?? (await state.waiters.get(unitKey(task.id, plan.baseline!, unit.repeat))?.promise));
        if (signal.aborted) return;
        if (!base || base.status !== 'ok') {
          record = { ...ids, error: `no baseline answer (${base ? `${plan.baseline} failed` : plan.baseline === REFERENCE_BASELINE ? 'the task has no reference output' : `${plan.baseline} did not run`})` };
        } else {
          const g = await gradePairwise(state.graderCall!, request, answer.answer, base.answer, grading, task.referenceAnswer);
          record = { ...ids, score: g.score, lengthRatio: g.lengthRatio, lengthDiff: g.lengthDiff, detail: { orders: g.orders, reasons: g.reasons } };
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      if (!(err instanceof GradeError)) throw err;
      record = { ...ids, error: err.message };
    }
  }
  if (save(state, () => state.deps.store.addGrade(record))) state.grades.set(gradeKey(record), record);
}

/**
 * What the grader is shown as the request: the prompt, or for a later turn the conversation before it (with this
 * strategy's own earlier answers), as MT-Bench's multi-turn judge sees it.
 */
function gradedRequest(unit: Unit, answers: Map<string, AnswerRecord>): string {
  const history = unit.previous ? conversationBefore(unit, answers) : undefined;
  if (!history?.length) return unit.task.prompt;
  const lines = history.map((m) => (m.role === 'user' ? `### User\n${m.content}` : `### Assistant\n${m.content}`));
  return `${lines.join('\n\n')}\n\n### User (the turn to grade)\n${unit.task.prompt}`;
}

/**
 * Grades missing for stored answers (another grader, an interruption) are made alongside the new runs by
 * `concurrency` loops. A pairwise grade waits for its baseline's answer, which may be a run still queued.
 */
function regradeStored(state: EvalState): Promise<unknown> {
  const pending = state.units.filter((u) => u.graded && state.answers.has(u.key));
  let next = 0;
  const loop = async () => {
    while (!state.signal.aborted && next < pending.length) {
      const unit = pending[next++];
      await gradeUnit(state, unit, state.answers.get(unit.key)!);
    }
  };
  return Promise.all(Array.from({ length: Math.max(1, Math.min(state.deps.concurrency, pending.length)) }, loop));
}

function noteDone(state: EvalState, unit: Unit) {
  const { progress, budget, grading, plan } = state;
  progress.done++;
  const elapsed = performance.now() - state.started;
  const left = state.queue.length - progress.done;
  progress.spentUsd = budget.anyPrice || grading.costUsd !== undefined ? budget.spentUsd + (grading.costUsd ?? 0) : undefined;
  progress.etaMs = progress.done ? (elapsed / progress.done) * left : undefined;
  report(state, `${unit.spec.label} ${unit.task.id}${plan.repeat > 1 ? ` #${unit.repeat + 1}` : ''}`);
}

function report(state: EvalState, last?: string) {
  state.deps.onProgress?.({ ...state.progress, ...(last ? { last } : {}) });
}

function finish(state: EvalState): EvalOutcome {
  const ending: EvalOutcome['ending'] =
    state.writeError !== undefined ? 'write-failed' : state.deps.signal.aborted ? 'cancelled' : state.budget.stopped ? 'budget' : 'done';
  return {
    ending,
    notRun: state.queue.length - state.progress.done,
    grading: state.grading,
    overheadMs: state.newUnits ? state.overheadMs / state.newUnits : 0,
    newUnits: state.newUnits,
    answers: [...state.answers.values()],
    grades: [...state.grades.values()],
    ...(state.writeError !== undefined ? { writeError: state.writeError } : {}),
  };
}

/**
 * From a judged run's trace: per proposer model, answers given and kept ("which models earn their seat") and the judge's
 * scores of them (a richer signal than kept or not), and how often the judge scored highest the candidate it was shown
 * first, read from the order and scores each ballot records.
 */
function judgeFigures(trace: Trace): Pick<AnswerRecord, 'seats' | 'judgeFirst' | 'jury'> {
  const judged = trace.layers.filter((l) => l.judge && l.kept);
  if (judged.length === 0) return {};
  const seats = new Map<string, { answered: number; kept: number; scoreSum: number; scored: number }>();
  for (const layer of judged) {
    const answered = Object.entries(layer.proposalCalls)
      .filter(([, callId]) => trace.calls.find((c) => c.callId === callId)?.status === 'done')
      .map(([slot]) => Number(slot))
      .sort((a, b) => a - b);
    for (const slot of answered) {
      const modelId = layer.proposers.find((p) => p.slot === slot)?.modelId ?? `slot ${slot + 1}`;
      const seat = seats.get(modelId) ?? { answered: 0, kept: 0, scoreSum: 0, scored: 0 };
      seat.answered++;
      if (layer.kept!.includes(slot)) seat.kept++;
      const score = layer.judge!.scores?.[slot];
      if (score !== undefined) {
        seat.scoreSum += score;
        seat.scored++;
      }
      seats.set(modelId, seat);
    }
  }
  const bias = judgeBias(judged);
  const jury = juryRecord(judged);
  const decisions = bias?.firstShownVotes ?? 0;
  const firstShown = bias?.firstShownTop ?? 0;
  return {
    seats: [...seats].map(([modelId, { scoreSum, scored, ...s }]) => ({ modelId, ...s, ...(scored ? { scoreSum, scored } : {}) })),
    ...(decisions ? { judgeFirst: { decisions, firstShown } } : {}),
    ...(jury ? { jury } : {}),
  };
}

/** A client whose every call reserves its bound from `pool` first and settles it with what the call was billed for. */
function reservingClient(client: ChatClient, model: ModelConfig, pool: BudgetPool): ChatClient {
  return {
    async complete(request) {
      const r = pool.reserve(model, promptBound(request.messages), request.maxTokens ?? model.maxTokens);
      if (!r.ok) throw new CallError(`not started: ${r.reason}`, 'over-budget', undefined, 0);
      try {
        const response = await client.complete({ ...request, ...(r.cap !== undefined ? { maxTokens: r.cap } : {}) });
        pool.settle(r, response.usage, callCost(model, response.usage));
        return response;
      } catch (err) {
        const usage = err instanceof CallError ? err.usage : undefined;
        pool.settle(r, usage, usage ? callCost(model, usage) : undefined);
        throw err;
      }
    },
  };
}
