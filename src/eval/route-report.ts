import type { GraderKind } from './kinds';

/**
 * How the `route` strategy did against the best fixed strategy of the same evaluation, on the same tasks: the figure
 * `smoa eval` prints when `route` is among the strategies. Browser-safe, like report.ts.
 */
export interface RouteComparison {
  /** k of the k-fold split: each task was routed by a router built from the other folds' results. */
  folds: number;
  tasks: number;
  route: RouteSide & {
    /** How often each plan was chosen ("single:arith": 10, ...); fallbacks are counted under `fallback:<strategy>`. */
    chosen: Record<string, number>;
  };
  bestFixed: RouteSide & { strategy: string };
  /** route's calls per task / the best fixed strategy's. */
  callsRatio: number | null;
  costRatio: number | null;
}

interface RouteSide {
  score: number | null;
  callsPerTask: number;
  costUsd?: number;
}

export function routeComparisonLines(c: RouteComparison, grader: GraderKind): string[] {
  const score = (s: number | null) => (s === null ? '-' : grader === 'rubric' ? s.toFixed(2) : `${(s * 100).toFixed(1)}%`);
  const ratio = (r: number | null) => (r === null ? '-' : `${(r * 100).toFixed(0)}%`);
  const chosen = Object.entries(c.route.chosen)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([plan, n]) => `${plan} x${n}`)
    .join(', ');
  return [
    `route (${c.folds}-fold: each task routed by a router built from the other folds) vs the best fixed strategy, ${c.bestFixed.strategy}, on the same ${c.tasks} tasks:`,
    `  score ${score(c.route.score)} vs ${score(c.bestFixed.score)}; calls per task ${c.route.callsPerTask.toFixed(2)} vs ${c.bestFixed.callsPerTask.toFixed(2)} (${ratio(c.callsRatio)})` +
      (c.costRatio !== null ? `; cost ${ratio(c.costRatio)} of it` : ''),
    `  chosen: ${chosen || 'nothing'}`,
  ];
}
