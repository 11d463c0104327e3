import type { SmoaConfig, Strategy } from '../config';
import type { ModelEstimate, RouteDecision } from '../events';
import { Bm25Index, terms } from './bm25';
import { DEFAULT_ROUTE_SETTINGS } from './defaults';
import type { ModelStat, RouterFile, RouterGroup } from './router-file';

/**
 * The `route` strategy's decision, made locally with no model call: find the evaluated tasks most like the prompt
 * (BM25 over their text, the category name a term of each task), estimate each configured model's score from those
 * tasks (shrunk towards its score on their category), weigh it against the model's cost, and choose
 *
 * - `single:<model>` when one model is clearly best for its cost and steady on such tasks,
 * - `self` (Self-MoA, the best model sampled several times) when it is clearly best but its scores vary,
 * - `smoa` over the top models, or `adaptive` when there are three or more (ask two, widen only on disagreement),
 *   when no model is clearly ahead.
 *
 * A prompt like no evaluated task (or a router that knows none of the configured models) falls back to the configured
 * strategy, and the decision says why. Pure and synchronous: the engine, the estimate and tests call it alike.
 */

export interface RouteSettings {
  costWeight: number;
  maxProposers: number;
  minSimilarity: number;
  fallback?: Exclude<Strategy, 'route'>;
}


/** How many similar tasks the estimate looks at. */
const NEIGHBOURS = 5;
/** Weight (in neighbours) of the category's score in each estimate: one similar task moves it halfway. */
const PRIOR_WEIGHT = 1;
/** A model "varies" when its per-task scores on similar tasks spread more than this (0..1 scores). */
const VARIES_SD = 0.25;
/** The least lead that counts as "clearly best", whatever the uncertainty. */
const MIN_LEAD = 0.1;

export interface RoutePlan {
  decision: RouteDecision;
  /** The config the run uses: the routed proposers, aggregator, selfModel, ... */
  config: SmoaConfig;
  strategy: Exclude<Strategy, 'route'>;
}

const indexes = new WeakMap<RouterFile, Bm25Index>();

function indexOf(router: RouterFile): Bm25Index {
  let index = indexes.get(router);
  if (!index) {
    index = new Bm25Index(router.tasks.map((t) => [...terms(t.text), ...(t.category ? terms(t.category).map((c) => `cat:${c}`) : [])]));
    indexes.set(router, index);
  }
  return index;
}

/** The strategy a prompt the router cannot place runs with. */
export function fallbackStrategy(config: SmoaConfig, settings: RouteSettings): Exclude<Strategy, 'route'> {
  if (settings.fallback) return settings.fallback;
  return config.strategy === 'route' ? 'smoa' : config.strategy;
}

export function routeSettingsOf(config: SmoaConfig): RouteSettings {
  const { file: _file, ...settings } = config.route ?? {};
  return { ...DEFAULT_ROUTE_SETTINGS, ...settings };
}

export function planRoute(config: SmoaConfig, prompt: string, router: RouterFile | undefined): RoutePlan {
  const settings = routeSettingsOf(config);
  const fallback = fallbackStrategy(config, settings);
  const fallBack = (reason: string, partial: Partial<RouteDecision> = {}): RoutePlan => ({
    decision: { chosen: fallback, strategy: fallback, models: [], reason, fallback: true, nearest: [], expected: [], costWeight: settings.costWeight, ...partial },
    config: { ...config, strategy: fallback },
    strategy: fallback,
  });
  if (!router) return fallBack(`no router file is loaded (build one with "smoa route build" and set route.file): running ${fallback}`);
  const known = config.models.map((m) => m.id).filter((id) => router.models.includes(id));
  if (known.length === 0) {
    return fallBack(`the router has scores for none of the configured models (it knows ${router.models.join(', ') || 'none'}): running ${fallback}`);
  }

  // Category terms are prefixed so a task about "code" matches a prompt saying "code" through its text, not twice.
  const query = terms(prompt);
  const queryWithCategories = [...query, ...query.map((t) => `cat:${t}`)];
  const hits = indexOf(router).search(queryWithCategories, router.tasks.length);
  const best = hits[0]?.similarity ?? 0;
  // The NEIGHBOURS most similar tasks, and every task tied with the last of them, so task order never decides.
  const close = hits.filter((h) => h.similarity >= settings.minSimilarity);
  const cut = close[Math.min(NEIGHBOURS, close.length) - 1]?.similarity ?? 1;
  const similar = close.filter((h) => h.similarity >= cut - 1e-9);
  const nearest = similar.slice(0, 10).map((h) => ({ id: router.tasks[h.index].id, ...(router.tasks[h.index].category ? { category: router.tasks[h.index].category } : {}), similarity: round(h.similarity) }));
  if (similar.length === 0) {
    const closest = hits[0] ? ` (closest: ${router.tasks[hits[0].index].id} at ${best.toFixed(2)})` : '';
    return fallBack(`no evaluated task is like this prompt: best similarity ${best.toFixed(2)} < route.minSimilarity ${settings.minSimilarity}${closest}; running the configured ${fallback}`, {
      nearest: hits.slice(0, 3).map((h) => ({ id: router.tasks[h.index].id, similarity: round(h.similarity) })),
    });
  }

  const votes = new Map<string, number>();
  for (const h of similar) {
    const c = router.tasks[h.index].category;
    if (c) votes.set(c, (votes.get(c) ?? 0) + h.similarity);
  }
  const category = [...votes].sort((a, b) => b[1] - a[1])[0]?.[0];
  const categoryGroup = router.categories.find((g) => g.id === category);

  const stats = known.map((modelId) => estimateModel(modelId, similar, router, categoryGroup));
  const priced = stats.every((s) => s.stat.costUsd !== undefined);
  const costOf = (s: (typeof stats)[number]) => (priced ? (s.stat.costUsd ?? 0) : s.stat.tokens);
  const dearest = Math.max(0, ...stats.map(costOf));
  const expected: ModelEstimate[] = stats
    .map((s) => {
      const relativeCost = dearest > 0 ? costOf(s) / dearest : 0;
      return {
        modelId: s.modelId,
        score: round(s.score),
        sd: round(s.sd),
        se: round(s.se),
        n: s.n,
        ...(s.stat.costUsd !== undefined ? { costUsd: s.stat.costUsd } : {}),
        tokens: s.stat.tokens,
        latencyMs: s.stat.latencyMs,
        relativeCost: round(relativeCost),
        value: round(s.score - settings.costWeight * relativeCost),
      };
    })
    .sort((a, b) => b.value - a.value || b.score - a.score || a.modelId.localeCompare(b.modelId));

  const where = `${similar.length} similar task${similar.length === 1 ? '' : 's'}${category ? ` (${category})` : ''}`;
  const top = expected[0];
  const runnerUp = expected[1];
  const lead = runnerUp ? top.value - runnerUp.value : Infinity;
  const needed = runnerUp ? Math.max(MIN_LEAD, 2 * Math.hypot(top.se, runnerUp.se)) : 0;
  const base = { nearest, expected, costWeight: settings.costWeight, ...(category ? { category } : {}), fallback: false };
  const describe = (e: ModelEstimate) => `${e.modelId} ${e.score.toFixed(2)}±${e.se.toFixed(2)}`;

  if (lead >= needed) {
    const ahead = runnerUp ? `; next ${describe(runnerUp)}, a lead of ${lead.toFixed(2)} in value (needed ${needed.toFixed(2)})` : ' (the only model the router knows)';
    if (top.sd <= VARIES_SD) {
      return {
        decision: { ...base, chosen: `single:${top.modelId}`, strategy: 'single', models: [top.modelId], reason: `on ${where}, ${describe(top)} is clearly best for its cost${ahead}` },
        config: { ...config, strategy: 'single', aggregator: top.modelId },
        strategy: 'single',
      };
    }
    const samples = Math.max(2, settings.maxProposers);
    return {
      decision: {
        ...base,
        chosen: `self:${top.modelId}`,
        strategy: 'self',
        models: [top.modelId],
        reason: `on ${where}, ${describe(top)} is clearly best${ahead}, but it varies (sd ${top.sd.toFixed(2)} > ${VARIES_SD}): Self-MoA samples it ${samples} times`,
      },
      config: { ...config, strategy: 'self', selfModel: top.modelId, aggregator: top.modelId, samples, selfWindow: undefined, roles: Array.isArray(config.roles) ? 'off' : config.roles },
      strategy: 'self',
    };
  }

  // No clear winner: the models whose value is within reach of the best, up to maxProposers.
  const panel = expected.filter((e) => top.value - e.value < Math.max(needed, MIN_LEAD) * 2).slice(0, Math.max(2, settings.maxProposers));
  const models = panel.map((e) => e.modelId);
  const strategy = models.length >= 3 ? 'adaptive' : 'smoa';
  const roles = Array.isArray(config.roles) ? models.map((_, i) => (config.roles as string[])[i % (config.roles as string[]).length]) : config.roles;
  const reason =
    `on ${where}, no model is clearly best (${panel.map(describe).join(', ')}; lead ${lead.toFixed(2)} < ${needed.toFixed(2)}): ` +
    (strategy === 'adaptive' ? `adaptive over the top ${models.length}, widening only if the first two disagree` : `SMoA over the top ${models.length}`);
  return {
    decision: { ...base, chosen: `${strategy}:${models.join(',')}`, strategy, models, reason },
    config: {
      ...config,
      strategy,
      proposers: models,
      topK: Math.min(config.topK, models.length),
      roles,
      ...(config.adaptiveStart !== undefined ? { adaptiveStart: Math.min(config.adaptiveStart, models.length) } : {}),
    },
    strategy,
  };
}

function estimateModel(modelId: string, similar: { index: number; similarity: number }[], router: RouterFile, category: RouterGroup | undefined) {
  const prior: ModelStat | undefined = category?.models[modelId] ?? router.overall.models[modelId];
  const stat: ModelStat = prior ?? { score: 0, sd: 0, n: 0, tokens: 0, latencyMs: 0 };
  const top = similar[0]?.similarity || 1;
  let w = 0;
  let sum = 0;
  let n = 0;
  const points: { w: number; s: number }[] = [];
  for (const h of similar) {
    const s = router.tasks[h.index].scores[modelId];
    if (s === undefined) continue;
    const weight = h.similarity / top;
    points.push({ w: weight, s });
    w += weight;
    sum += weight * s;
    n++;
  }
  const priorWeight = prior && prior.n > 0 ? PRIOR_WEIGHT : 0;
  const score = w + priorWeight > 0 ? (sum + priorWeight * stat.score) / (w + priorWeight) : 0;
  const mean = w > 0 ? sum / w : score;
  const variance = w > 0 ? points.reduce((v, p) => v + p.w * (p.s - mean) ** 2, 0) / w : (stat.sd ?? 0) ** 2;
  const sd = Math.sqrt(variance);
  // Standard error from the effective number of tasks; with no similar scores, the category's spread, barely known.
  const effective = w + priorWeight;
  const spread = Math.max(sd, prior?.sd ?? 0, 0.05);
  const se = effective > 0 ? spread / Math.sqrt(effective) : 0.5;
  return { modelId, score, sd, se, n, stat: { ...stat } };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
