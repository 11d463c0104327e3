import { Bm25Index, terms } from '../pipeline/route/bm25';
import { ROUTER_FORMAT, ROUTER_VERSION, type ModelStat, type RouterFile, type RouterGroup, type RouterTask } from '../pipeline/route/router-file';
import { SCORE_RANGE, type GraderKind } from './kinds';
import type { AnswerRecord, GradeRecord } from './records';
import { gradeFinder } from './report';
import type { EvalTask } from './tasks';

/**
 * Builds the router file from evaluation results (`smoa route build`): per
 * task, each model's score from its `single:<model>` runs; per category, per group of similar tasks and overall, each
 * model's mean score, spread, cost, tokens and latency, and the same for the ensemble strategies that were evaluated.
 * Pure: the CLI and the extension read the folders and hand the records in.
 */

export interface RouterSource {
  /** Where the results came from (a folder), for the file's `sources`. */
  name: string;
  tasks: EvalTask[];
  answers: readonly AnswerRecord[];
  grades: readonly GradeRecord[];
  grader: GraderKind;
  graderModel?: string;
  baseline?: string;
}

export interface BuildOptions {
  /** Only these tasks (by id) are learned from: the training split of an evaluation. */
  onlyTasks?: ReadonlySet<string>;
  /** Tasks at least this similar (BM25, 0..1) to a group's first task join it. */
  groupSimilarity?: number;
  now?: Date;
}

/** How much of a task's text the router keeps to compare prompts with. */
const TEXT_CHARS = 600;
const SINGLE = /^single:(.+)$/;

interface Measured {
  taskId: string;
  /** Normalised 0..1. */
  score?: number;
  costUsd?: number;
  tokens: number;
  latencyMs: number;
}

export type BuildResult = { ok: true; router: RouterFile; notes: string[] } | { ok: false; message: string };

export function buildRouter(sources: readonly RouterSource[], options: BuildOptions = {}): BuildResult {
  if (sources.length === 0) return { ok: false, message: 'no evaluation results given' };
  const graders = new Set(sources.map((s) => s.grader));
  if (graders.size > 1) {
    return { ok: false, message: `the results were graded differently (${[...graders].join(', ')}): build a router from results of one grader` };
  }
  const grader = sources[0].grader;
  const [lo, hi] = SCORE_RANGE[grader];
  const notes: string[] = [];

  const tasks = new Map<string, EvalTask>();
  /** Per model (or strategy) label, per task: measurements over repeats and sources. */
  const byModel = new Map<string, Measured[]>();
  const byStrategy = new Map<string, Measured[]>();
  for (const source of sources) {
    const gradeOf = gradeFinder(source.grades, source);
    const known = new Map(source.tasks.map((t) => [t.id, t]));
    for (const answer of source.answers) {
      const task = known.get(answer.taskId);
      if (!task || (options.onlyTasks && !options.onlyTasks.has(task.id))) continue;
      if (answer.strategy === 'route') continue; // a router does not learn from another router's choices
      tasks.set(task.id, task);
      const raw = gradeOf(answer)?.score;
      const measured: Measured = {
        taskId: task.id,
        ...(raw !== undefined ? { score: clamp01((raw - lo) / (hi - lo)) } : {}),
        ...(answer.totals.cost ? { costUsd: answer.totals.cost.usd } : {}),
        tokens: answer.totals.promptTokens + answer.totals.completionTokens,
        latencyMs: answer.totals.wallMs,
      };
      const single = SINGLE.exec(answer.strategy);
      const into = single ? byModel : byStrategy;
      const key = single ? single[1] : answer.strategy;
      into.set(key, [...(into.get(key) ?? []), measured]);
    }
  }
  if (byModel.size === 0) {
    return {
      ok: false,
      message: 'the results have no single:<model> runs, so no model can be scored on its own: evaluate with --strategies single:<id>,single:<id>,... (one per model)',
    };
  }
  const models = [...byModel.keys()].sort();
  for (const m of models) {
    if (!byModel.get(m)!.some((x) => x.score !== undefined)) notes.push(`single:${m} has no grades: its scores are unknown`);
  }

  // Per task, each model's mean score over repeats.
  const ordered = [...tasks.values()];
  const routerTasks: RouterTask[] = ordered.map((task) => {
    const scores: Record<string, number> = {};
    for (const m of models) {
      const s = byModel.get(m)!.filter((x) => x.taskId === task.id && x.score !== undefined).map((x) => x.score!);
      if (s.length) scores[m] = round(mean(s));
    }
    return { id: task.id, ...(task.category ? { category: task.category } : {}), text: task.prompt.slice(0, TEXT_CHARS), scores };
  });

  const groupOf = groupTasks(routerTasks, options.groupSimilarity ?? 0.3);
  routerTasks.forEach((t, i) => (t.group = groupOf[i].id));

  const groupStats = (id: string, ids: Set<string>, extra: Partial<RouterGroup> = {}): RouterGroup => ({
    id,
    ...extra,
    tasks: [...ids],
    models: statsOf(byModel, ids),
    ...(byStrategy.size ? { strategies: statsOf(byStrategy, ids) } : {}),
  });

  const categories = [...new Set(routerTasks.map((t) => t.category).filter((c): c is string => !!c))].sort();
  const router: RouterFile = {
    format: ROUTER_FORMAT,
    version: ROUTER_VERSION,
    builtAt: (options.now ?? new Date()).toISOString(),
    sources: sources.map((s) => s.name),
    grader,
    scoreRange: [lo, hi],
    models,
    overall: groupStats('all', new Set(routerTasks.map((t) => t.id))),
    categories: categories.map((c) => groupStats(c, new Set(routerTasks.filter((t) => t.category === c).map((t) => t.id)), { category: c })),
    groups: uniqueGroups(groupOf).map((g) => groupStats(g.id, new Set(routerTasks.filter((t) => t.group === g.id).map((t) => t.id)), { ...(g.category ? { category: g.category } : {}), terms: g.terms })),
    tasks: routerTasks,
  };
  return { ok: true, router, notes };
}

function statsOf(source: Map<string, Measured[]>, ids: Set<string>): Record<string, ModelStat> {
  const out: Record<string, ModelStat> = {};
  for (const [key, list] of [...source].sort(([a], [b]) => a.localeCompare(b))) {
    const stat = statOf(list, ids);
    if (stat) out[key] = stat;
  }
  return out;
}

function statOf(list: Measured[], ids: Set<string>): ModelStat | undefined {
  const here = list.filter((x) => ids.has(x.taskId));
  if (here.length === 0) return undefined;
  // A task's repeats are averaged first, so a task run three times does not count three times.
  const perTask = new Map<string, number[]>();
  for (const x of here) if (x.score !== undefined) perTask.set(x.taskId, [...(perTask.get(x.taskId) ?? []), x.score]);
  const scores = [...perTask.values()].map(mean);
  const priced = here.filter((x) => x.costUsd !== undefined);
  const m = scores.length ? mean(scores) : 0;
  return {
    score: round(m),
    sd: round(scores.length ? Math.sqrt(mean(scores.map((s) => (s - m) ** 2))) : 0),
    n: scores.length,
    ...(priced.length === here.length ? { costUsd: roundUsd(mean(priced.map((x) => x.costUsd!))) } : {}),
    tokens: Math.round(mean(here.map((x) => x.tokens))),
    latencyMs: Math.round(mean(here.map((x) => x.latencyMs))),
  };
}

interface Group {
  id: string;
  category?: string;
  terms: string[];
}

/**
 * Groups similar tasks of a category: in task order, a task joins the group of the most similar earlier task when that
 * one is at least `threshold` alike, else it starts a group. Deterministic, and good enough to show a reader which
 * tasks the router treats as one kind.
 */
function groupTasks(tasks: RouterTask[], threshold: number): Group[] {
  const docs = tasks.map((t) => terms(t.text));
  const index = new Bm25Index(docs);
  const groups: Group[] = [];
  let next = 1;
  tasks.forEach((task, i) => {
    const hit = index
      .search(docs[i], tasks.length)
      .find((h) => h.index < i && h.similarity >= threshold && tasks[h.index].category === task.category);
    if (hit) {
      groups[i] = groups[hit.index];
      return;
    }
    groups[i] = { id: `g${next++}`, ...(task.category ? { category: task.category } : {}), terms: [] };
  });
  for (const g of uniqueGroups(groups)) {
    const counts = new Map<string, number>();
    tasks.forEach((_, i) => {
      if (groups[i] !== g) return;
      for (const t of new Set(docs[i])) if (!t.startsWith('#') && t.length > 1) counts.set(t, (counts.get(t) ?? 0) + 1);
    });
    g.terms = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 4).map(([t]) => t);
  }
  return groups;
}

function uniqueGroups(groups: Group[]): Group[] {
  return [...new Set(groups)];
}

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function roundUsd(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}
