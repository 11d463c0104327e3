import { parseStrategySpec, type StrategySpec } from '../pipeline/strategy/spec';
import { runEvaluation, type EvalDeps, type EvalOutcome, type EvalPlan } from './harness';
import type { AnswerRecord, GradeRecord } from './records';
import { gradeFinder } from './report';
import { buildRouter } from './route-build';
import type { RouteComparison } from './route-report';
import type { EvalTask } from './tasks';

/**
 * `route` in an evaluation, graded honestly: it must never be graded on a task its router learned from. The fixed
 * strategies run on every task first; then the tasks are split into `folds` (each category spread evenly), and each
 * fold is routed by a router built from the other folds' results only. With 2 folds: a router built from one half
 * routes the other half, and the other way round.
 */

export const ROUTE = 'route';

export interface RouteEvalResult {
  outcome: EvalOutcome;
  /** Per fold: the task ids routed and what the router was built from (or why none could be). */
  folds: { test: string[]; train: number; problem?: string }[];
  /** single:<model> rows added because the router needs each model's own scores. */
  added: string[];
}

/** The single:<model> strategies a router needs (one per proposer), added to the plan when missing. */
export function withModelRows(specs: StrategySpec[], config: EvalDeps['config']): { specs: StrategySpec[]; added: string[] } {
  if (!specs.some((s) => s.label === ROUTE)) return { specs, added: [] };
  const added: string[] = [];
  const out = [...specs];
  for (const id of config.proposers) {
    if (out.some((s) => s.label === `single:${id}`)) continue;
    const parsed = parseStrategySpec(`single:${id}`, config);
    if (parsed.ok) {
      out.splice(out.findIndex((s) => s.label === ROUTE), 0, parsed.spec);
      added.push(parsed.spec.label);
    }
  }
  return { specs: out, added };
}

/** Fold of each task: round-robin within each category, so every fold sees every kind of task. */
export function assignFolds(tasks: readonly EvalTask[], folds: number): number[] {
  const seen = new Map<string, number>();
  return tasks.map((t) => {
    const key = t.category ?? '';
    const i = seen.get(key) ?? 0;
    seen.set(key, i + 1);
    return i % folds;
  });
}

export async function runEvaluationWithRoute(plan: EvalPlan, deps: EvalDeps, folds: number): Promise<RouteEvalResult> {
  const { specs, added } = withModelRows(plan.specs, deps.config);
  const route = specs.find((s) => s.label === ROUTE);
  const fixed = specs.filter((s) => s.label !== ROUTE);
  if (added.length) deps.onNotice?.(`route learns from each model's own answers: added ${added.join(', ')} to the strategies`);
  const first = await runEvaluation({ ...plan, specs: fixed }, deps);
  if (!route || first.ending !== 'done') return { outcome: first, folds: [], added };
  const learned = { answers: first.answers, grades: first.grades };

  const foldOf = assignFolds(plan.tasks, folds);
  const outcomes: EvalOutcome[] = [first];
  const report: RouteEvalResult['folds'] = [];
  for (let fold = 0; fold < folds; fold++) {
    const test = plan.tasks.filter((_, i) => foldOf[i] === fold);
    if (test.length === 0) continue;
    const train = new Set(plan.tasks.filter((_, i) => foldOf[i] !== fold).map((t) => t.id));
    const built = buildRouter(
      [{ name: `fold ${fold + 1} of ${folds}`, tasks: plan.tasks, answers: learned.answers, grades: learned.grades, grader: plan.grader, ...(plan.graderModel ? { graderModel: plan.graderModel } : {}), ...(plan.baseline ? { baseline: plan.baseline } : {}) }],
      { onlyTasks: train },
    );
    if (!built.ok) deps.onNotice?.(`route, fold ${fold + 1}: no router (${built.message}); its tasks run the fallback strategy`);
    report.push({ test: test.map((t) => t.id), train: train.size, ...(built.ok ? {} : { problem: built.message }) });
    const outcome = await runEvaluation({ ...plan, tasks: test, specs: [route] }, { ...deps, ...(built.ok ? { router: built.router } : {}) });
    outcomes.push(outcome);
    if (outcome.ending !== 'done') break;
  }
  const worst = (['write-failed', 'cancelled', 'budget'] as const).find((e) => outcomes.some((o) => o.ending === e));
  const ending = worst ?? 'done';
  const writeError = outcomes.find((o) => o.writeError !== undefined)?.writeError;
  const answers = new Map(outcomes.flatMap((o) => o.answers).map((a) => [a.key, a]));
  const grades = outcomes.flatMap((o) => o.grades);
  const newUnits = outcomes.reduce((s, o) => s + o.newUnits, 0);
  const sum = (pick: (o: EvalOutcome) => number | undefined) => outcomes.reduce((s, o) => s + (pick(o) ?? 0), 0);
  const priced = outcomes.some((o) => o.grading.costUsd !== undefined);
  return {
    outcome: {
      ending,
      notRun: sum((o) => o.notRun),
      grading: { calls: sum((o) => o.grading.calls), promptTokens: sum((o) => o.grading.promptTokens), completionTokens: sum((o) => o.grading.completionTokens), ...(priced ? { costUsd: sum((o) => o.grading.costUsd) } : {}) },
      overheadMs: newUnits ? sum((o) => o.overheadMs * o.newUnits) / newUnits : 0,
      newUnits,
      answers: [...answers.values()],
      grades,
      ...(writeError !== undefined ? { writeError } : {}),
    },
    folds: report,
    added,
  };
}

/**
 * Route against the best fixed strategy (highest score; the cheaper on a tie) on the tasks route was graded on, with
 * the calls and cost each spent per task.
 */
export function compareRoute(input: {
  tasks: readonly EvalTask[];
  strategies: readonly string[];
  answers: readonly AnswerRecord[];
  grades: readonly GradeRecord[];
  grader: EvalPlan['grader'];
  graderModel?: string;
  baseline?: string;
  repeat: number;
  folds: number;
}): RouteComparison | undefined {
  const gradeOf = gradeFinder(input.grades, input);
  const ids = new Set(input.tasks.map((t) => t.id));
  const answersOf = (strategy: string) => input.answers.filter((a) => a.strategy === strategy && ids.has(a.taskId) && a.repeat < input.repeat);
  const routed = answersOf(ROUTE);
  if (routed.length === 0) return undefined;
  const routedTasks = new Set(routed.map((a) => a.taskId));
  const side = (strategy: string) => {
    const answers = answersOf(strategy).filter((a) => routedTasks.has(a.taskId));
    const perTask = new Map<string, number[]>();
    for (const a of answers) {
      const s = gradeOf(a)?.score;
      if (s !== undefined) perTask.set(a.taskId, [...(perTask.get(a.taskId) ?? []), s]);
    }
    const scores = [...perTask.values()].map((xs) => xs.reduce((s, x) => s + x, 0) / xs.length);
    const priced = answers.filter((a) => a.totals.cost);
    return {
      score: scores.length ? scores.reduce((s, x) => s + x, 0) / scores.length : null,
      callsPerTask: answers.length ? answers.reduce((s, a) => s + a.totals.calls, 0) / answers.length : 0,
      ...(priced.length === answers.length && answers.length ? { costUsd: priced.reduce((s, a) => s + a.totals.cost!.usd, 0) } : {}),
    };
  };
  const fixed = input.strategies
    .filter((s) => s !== ROUTE && s !== input.baseline)
    .map((strategy) => ({ strategy, ...side(strategy) }))
    .filter((r) => r.score !== null)
    .sort((a, b) => b.score! - a.score! || a.callsPerTask - b.callsPerTask);
  if (fixed.length === 0) return undefined;
  const best = fixed[0];
  const mine = side(ROUTE);
  const chosen: Record<string, number> = {};
  for (const a of routed) {
    const key = a.routed ? (a.routed.fallback ? `fallback:${a.routed.chosen}` : a.routed.chosen) : 'unknown';
    chosen[key] = (chosen[key] ?? 0) + 1;
  }
  return {
    folds: input.folds,
    tasks: routedTasks.size,
    route: { ...mine, chosen },
    bestFixed: best,
    callsRatio: best.callsPerTask > 0 ? mine.callsPerTask / best.callsPerTask : null,
    costRatio: mine.costUsd !== undefined && best.costUsd ? mine.costUsd / best.costUsd : null,
  };
}
