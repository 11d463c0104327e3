import type { ChatMessage } from './client';
import { BYTES_PER_TOKEN_BOUND, promptBound, READ_BACK_TOKENS, tokenBound } from './tokens';
import { formatUsd } from './format';
import { adaptiveStartOf, judgeModels, modelById, proposerSlots, type ModelConfig, type SmoaConfig, type Strategy } from './config';
import type { CallStage, RouteDecision } from './events';
import { planRoute } from './route/choose';
import type { RouterFile } from './route/router-file';
import { buildJudgeRequest, buildModeratorRequest } from './judge/prompt';
import { buildMessages, debateSystemPart, synthesisSystemPart, type ContextItem } from './prompts';
import { buildRolesRequest } from './roles/prompt';
import { layerCap, STRATEGY_TRAITS } from './strategy/traits';

/**
 * What a run would do at most, before it sends anything: per stage, the calls, prompt and completion tokens and cost.
 *
 * How the bounds are made:
 * It is the sum of the reservations the run would make (budget-pool.ts), so it is an upper bound by construction:
 * - Completion tokens: the `max_tokens` the engine sends (proposerMaxTokens for proposers, else the model's maxTokens,
 *   cut to a budget's cap when `cap` is given). A call with no cap has no bound: "unbounded" (null), never guessed.
 * - Prompt tokens: the engine's own prompt builders are run on the real prompt, history and context with empty
 *   answers; that text is counted with the project's one token rule (tokens.ts), and every answer a stage can see adds
 *   READ_BACK_TOKENS per completion token of the call that wrote it (the engine clips a longer text where it is read)
 *   plus a few tokens for its label. An answer already written counts as its text under the same rule.
 * - Every call a stage may make counts (a judge that is skipped because too few answers survive, a cached role list),
 *   and every proposer is assumed to survive. A retry after a cut stream reserves again: the estimate covers one
 *   attempt per call, the budget every attempt.
 */

/** Room for the seams where an answer joins its label, and for clip()'s "[... N more characters]" note. */
const TOKENS_PER_ANSWER_SEEN = 16;
/** prompts.ts clips the judge's notes to this many characters (of up to three bytes). */
const JUDGE_NOTES_CHARS = 2000;

/**
 * One stage of a run, as data. `sees` is how many earlier answers each call of the stage gets in its prompt; of those,
 * `fromAggregator` were written by the aggregator (Self-MoA-Seq's running synthesis), the rest by proposers.
 */
export type StagePlan =
  | { stage: 'roles'; count: number }
  | { stage: 'proposer'; layer: number; sees: number; roles: boolean; peers: 'kept' | 'others' }
  | { stage: 'judge'; layer: number; candidates: number; k: number; askStop: boolean }
  | { stage: 'moderator'; layer: number; candidates: number }
  | { stage: 'synthesis'; step: number; sees: number; fromAggregator: number }
  | { stage: 'aggregator'; sees: number; fromAggregator?: number; judgeNotes?: boolean };

/**
 * The stages a strategy may run, in order, read from its traits (strategy/traits.ts) the way the engine's loop reads them:
 * a new strategy gets its estimate and its budget checks from its traits row.
 */
export function stagePlans(config: SmoaConfig, strategy: Strategy): StagePlan[] {
  const traits = STRATEGY_TRAITS[strategy];
  const n = proposerSlots(config, strategy).length;
  const maxLayers = layerCap(strategy, config.layers);
  const k = traits.judge === 'one' ? 1 : Math.min(config.topK, n);
  const wantsRoles = traits.roles === 'yes' || (traits.roles === 'list-only' && Array.isArray(config.roles));
  const roles = maxLayers > 0 && wantsRoles && config.roles !== 'off';
  const plans: StagePlan[] = roles && config.roles === 'auto' ? [{ stage: 'roles', count: n }] : [];
  const adaptiveStart = traits.adaptive ? adaptiveStartOf(config) : n;
  for (let layer = 1; layer <= maxLayers; layer++) {
    // From layer 2 a proposer sees the kept answers: all of them without a judge (a debater: the others' and its own).
    plans.push({ stage: 'proposer', layer, sees: layer === 1 ? 0 : traits.judge === 'none' ? n : k, roles, peers: traits.peers });
    if (layer === 1 && adaptiveStart < n) plans.push({ stage: 'moderator', layer, candidates: adaptiveStart });
    const askStop = traits.earlyStop && config.earlyStop && layer < maxLayers;
    if (traits.judge !== 'none') {
      const combined = askStop && config.moderator === undefined;
      if (n > k || combined) plans.push({ stage: 'judge', layer, candidates: n, k, askStop: combined });
      if (askStop && config.moderator !== undefined) plans.push({ stage: 'moderator', layer, candidates: n });
    } else if (askStop && n > 1) plans.push({ stage: 'moderator', layer, candidates: n });
  }
  if (traits.finish !== 'aggregate') return plans;
  // Adaptive may end after its first proposers agree: the aggregator then sees all of them.
  const seen = traits.judge === 'none' ? n : Math.max(k, adaptiveStart < n ? adaptiveStart : 0);
  const window = traits.proposers === 'self' ? config.selfWindow : undefined;
  // A judged run hands the judge's notes to the aggregator (not after Self-MoA-Seq's windows).
  const judgeNotes = plans.some((p) => p.stage === 'judge');
  if (!window || seen <= window) return [...plans, { stage: 'aggregator', sees: seen, ...(judgeNotes ? { judgeNotes } : {}) }];
  const steps = Math.ceil(seen / window);
  for (let step = 1; step < steps; step++) plans.push({ stage: 'synthesis', step, sees: step === 1 ? window : window + 1, fromAggregator: step === 1 ? 0 : 1 });
  return [...plans, { stage: 'aggregator', sees: seen - (steps - 1) * window + 1, fromAggregator: 1 }];
}

export interface EstimateInput {
  prompt: string;
  history?: ChatMessage[];
  context?: ContextItem[];
}

export interface StageEstimate {
  /** e.g. "roles", "layer 2 proposers", "layer 1 judge", "aggregator". */
  label: string;
  stage: CallStage;
  layer?: number;
  calls: number;
  promptTokens: number;
  /** null: some call of the stage has no maxTokens, so nothing bounds it. */
  completionTokens: number | null;
  /** The prompt reads answers of a call without a cap: `promptTokens` leaves them out. */
  promptUnbounded?: boolean;
  /** null when unbounded or when a model of the stage has no price. */
  costUsd: number | null;
  /** Models of the stage without maxTokens / without a price. */
  unbounded: string[];
  unpriced: string[];
}

export interface RunEstimate {
  strategy: Strategy;
  /** A `route` run: what the router chose; the stages are those of the routed plan. */
  route?: Pick<RouteDecision, 'chosen' | 'reason' | 'fallback'>;
  stages: StageEstimate[];
  calls: number;
  promptTokens: number;
  promptUnbounded?: boolean;
  completionTokens: number | null;
  costUsd: number | null;
  unbounded: string[];
  unpriced: string[];
}

export interface EstimateOptions {
  /** A budget's completion cap for every call (budget.ts finds the largest that fits). */
  cap?: number;
  strategy?: Strategy;
  /** For `route`: the router the run would use (the estimate is that of the plan it chooses). */
  router?: RouterFile;
  /**
   * Texts already known (the engine asks during a run): the answers a stage will see, instead of their completion
   * bound, and the roles once they are assigned.
   */
  seen?: string[];
  roles?: string[];
  /** The judge's notes the aggregator will get, once known (prompts.ts judgeNotesSystemPart). */
  judgeNotes?: string;
}

/** The estimate of a whole run. Sends nothing. */
export function estimateRun(config: SmoaConfig, input: EstimateInput, options: EstimateOptions = {}): RunEstimate {
  const strategy = options.strategy ?? config.strategy;
  if (strategy === 'route') {
    const plan = planRoute(config, input.prompt, options.router);
    const { chosen, reason, fallback } = plan.decision;
    return { ...estimateRun(plan.config, input, { ...options, strategy: plan.strategy }), route: { chosen, reason, fallback } };
  }
  return sumStages(strategy, stagePlans(config, strategy).map((plan) => estimateStage(config, input, plan, { ...options, strategy })));
}

export function sumStages(strategy: Strategy, stages: StageEstimate[]): RunEstimate {
  const unbounded = unique(stages.flatMap((s) => s.unbounded));
  const unpriced = unique(stages.flatMap((s) => s.unpriced));
  const sum = (pick: (s: StageEstimate) => number | null) =>
    stages.reduce<number | null>((acc, s) => (acc === null || pick(s) === null ? null : acc + pick(s)!), 0);
  return {
    strategy,
    stages,
    calls: stages.reduce((a, s) => a + s.calls, 0),
    promptTokens: stages.reduce((a, s) => a + s.promptTokens, 0),
    ...(stages.some((s) => s.promptUnbounded) ? { promptUnbounded: true } : {}),
    completionTokens: sum((s) => s.completionTokens),
    costUsd: sum((s) => s.costUsd),
    unbounded,
    unpriced,
  };
}

interface CallBound {
  model: ModelConfig;
  promptTokens: number;
  maxTokens: number | undefined;
}

/** The bound of one stage. With `seen`, the answers it gets are those texts, not their bound. */
export function estimateStage(config: SmoaConfig, input: EstimateInput, plan: StagePlan, options: EstimateOptions = {}): StageEstimate {
  const strategy = options.strategy ?? config.strategy;
  const slots = proposerSlots(config, strategy);
  const aggregator = modelById(config, config.aggregator);
  const capped = (max: number | undefined) => (options.cap === undefined ? max : Math.min(max ?? Infinity, options.cap));
  const aggregatorMax = capped(aggregator.maxTokens);
  // Who wrote the answers a stage sees: proposers (any kept slot: take the largest bound), or the aggregator.
  const proposerMax = slots.map((id) => capped(config.proposerMaxTokens ?? modelById(config, id).maxTokens));
  const proposersUnbounded = proposerMax.some((m) => m === undefined);
  const largest = proposersUnbounded ? 0 : Math.max(0, ...(proposerMax as number[]));
  const fromAggregatorOf = (p: StagePlan) => ('fromAggregator' in p ? (p.fromAggregator ?? 0) : 0);
  // A known answer counts as its text; one still to be written as READ_BACK_TOKENS per token of its writer's cap.
  const answerBound = (count: number, fromAggregator = 0): number =>
    options.seen
      ? options.seen.reduce((a, text) => a + tokenBound(text) + TOKENS_PER_ANSWER_SEEN, 0)
      : (count - fromAggregator) * (READ_BACK_TOKENS * largest + TOKENS_PER_ANSWER_SEEN) +
        fromAggregator * (READ_BACK_TOKENS * (aggregatorMax ?? 0) + TOKENS_PER_ANSWER_SEEN);
  const empties = (count: number) => Array.from({ length: count }, (_, slot) => ({ text: '', slot }));
  const seenCount = (planned: number) => options.seen?.length ?? planned;
  let calls: CallBound[];
  let label: string;
  let layer: number | undefined;
  // Answers seen without a bound make the prompt unbounded too; the stage is then unbounded as a whole.
  let seesUnbounded = false;
  let seesAggregator = false;
  switch (plan.stage) {
    case 'roles': {
      label = 'roles';
      const model = modelById(config, config.roleModel ?? config.aggregator);
      calls = [{ model, promptTokens: promptBound(buildRolesRequest(config.taskDescription, input.prompt, plan.count)), maxTokens: capped(model.maxTokens) }];
      break;
    }
    case 'proposer': {
      label = `layer ${plan.layer} proposers`;
      layer = plan.layer;
      const sees = plan.sees > 0 ? seenCount(plan.sees) : 0;
      seesUnbounded = sees > 0 && !options.seen && proposersUnbounded;
      const seenTokens = sees > 0 ? answerBound(sees) : 0;
      // A debater sees the others' answers and its own under its own heading; the rest see the kept ones.
      const shown = (count: number) =>
        count === 0 ? undefined : plan.peers === 'others' ? debateSystemPart(empties(count - 1), '') : synthesisSystemPart(empties(count));
      calls = slots.map((id, slot) => {
        const model = modelById(config, id);
        const messages = buildMessages({
          systemParts: [config.systemPrompt, plan.roles ? (options.roles?.[slot % options.roles.length] ?? roleStandIn(config)) : undefined, shown(sees)],
          history: input.history,
          prompt: input.prompt,
          context: input.context,
        });
        return { model, promptTokens: promptBound(messages) + seenTokens, maxTokens: capped(config.proposerMaxTokens ?? model.maxTokens) };
      });
      break;
    }
    case 'judge': {
      label = `layer ${plan.layer} judge`;
      layer = plan.layer;
      seesUnbounded = !options.seen && proposersUnbounded;
      const count = seenCount(plan.candidates);
      // One call per judge of the jury and per order (judgeOrders: 2 asks each judge twice); with recusal the prompt
      // also lists the answers it may not pick (bounded here by listing all of them).
      const excluded = config.judgeRecusal ? empties(count).map((c) => c.slot) : [];
      calls = judgeModels(config).flatMap((id) =>
        Array.from({ length: config.judgeOrders }, (_, order) => {
          const model = modelById(config, id);
          const request = buildJudgeRequest({ prompt: input.prompt, history: input.history, candidates: empties(count), k: plan.k, askStop: plan.askStop, seed: 0, reversed: order === 1, excluded, reasons: config.judgeReasons, notes: config.judgeNotes });
          return { model, promptTokens: promptBound(request.messages) + answerBound(count), maxTokens: capped(model.maxTokens) };
        }),
      );
      break;
    }
    case 'moderator': {
      label = `layer ${plan.layer} moderator`;
      layer = plan.layer;
      seesUnbounded = !options.seen && proposersUnbounded;
      const model = modelById(config, config.moderator ?? judgeModels(config)[0]);
      const count = seenCount(plan.candidates);
      const messages = buildModeratorRequest(input.prompt, input.history, Array.from({ length: count }, () => ''));
      calls = [{ model, promptTokens: promptBound(messages) + answerBound(count), maxTokens: capped(model.maxTokens) }];
      break;
    }
    case 'synthesis':
    case 'aggregator': {
      label = plan.stage === 'synthesis' ? `synthesis step ${plan.step}` : 'aggregator';
      const sees = seenCount(plan.sees);
      const fromAggregator = options.seen ? 0 : fromAggregatorOf(plan);
      seesUnbounded = sees > fromAggregator && !options.seen && proposersUnbounded;
      seesAggregator = fromAggregator > 0 && aggregatorMax === undefined;
      const messages = buildMessages({
        systemParts: [config.systemPrompt, synthesisSystemPart(empties(sees))],
        history: input.history,
        prompt: input.prompt,
        context: input.context,
      });
      // The judge's notes: their text once known, else at most JUDGE_NOTES_CHARS characters or what the judges'
      // replies may be read back as.
      const judgeCaps = judgeModels(config).reduce((a, id) => a + (capped(modelById(config, id).maxTokens) ?? Infinity), 0) * config.judgeOrders;
      const notes =
        options.judgeNotes !== undefined
          ? tokenBound(options.judgeNotes) + TOKENS_PER_ANSWER_SEEN
          : plan.stage === 'aggregator' && plan.judgeNotes && !options.seen
            ? Math.min(tokenBound("x".repeat(JUDGE_NOTES_CHARS)) * 3, READ_BACK_TOKENS * judgeCaps) + TOKENS_PER_ANSWER_SEEN
            : 0;
      calls = [{ model: aggregator, promptTokens: promptBound(messages) + (sees > 0 ? answerBound(sees, fromAggregator) : 0) + Math.ceil(notes), maxTokens: aggregatorMax }];
      break;
    }
  }
  const unbounded = unique(calls.filter((c) => c.maxTokens === undefined).map((c) => c.model.id));
  if (seesUnbounded) {
    slots.forEach((id, slot) => {
      if (proposerMax[slot] === undefined && !unbounded.includes(id)) unbounded.push(id);
    });
  }
  if (seesAggregator && !unbounded.includes(aggregator.id)) unbounded.push(aggregator.id);
  const unpriced = unique(calls.filter((c) => !c.model.price).map((c) => c.model.id));
  const bounded = unbounded.length === 0;
  // The stage's own completions are bounded when each of its calls has a cap, whatever its prompt reads.
  const completionTokens = calls.every((c) => c.maxTokens !== undefined) ? calls.reduce((a, c) => a + c.maxTokens!, 0) : null;
  const costUsd =
    bounded && unpriced.length === 0
      ? calls.reduce((a, c) => a + (c.promptTokens * c.model.price!.inputPerMTok + c.maxTokens! * c.model.price!.outputPerMTok) / 1e6, 0)
      : null;
  return {
    label,
    stage: plan.stage,
    ...(layer !== undefined ? { layer } : {}),
    calls: calls.length,
    promptTokens: calls.reduce((a, c) => a + c.promptTokens, 0),
    ...(seesUnbounded || seesAggregator ? { promptUnbounded: true } : {}),
    completionTokens,
    costUsd,
    unbounded,
    unpriced,
  };
}

/**
 * Before roles are assigned their text is unknown: configured roles are used as written; generated ones are at most
 * 1500 characters each (roles.ts clips them), and at most what the role writer's reply may be read back as.
 */
function roleStandIn(config: SmoaConfig): string | undefined {
  if (config.roles === 'off') return undefined;
  if (Array.isArray(config.roles)) return config.roles.reduce((a, r) => (r.length > a.length ? r : a), '');
  // 1500 characters of up to three bytes each, or what the writer's reply may be read back as (tokens.ts).
  const writerMax = modelById(config, config.roleModel ?? config.aggregator).maxTokens;
  return 'x'.repeat(Math.min(4600, writerMax === undefined ? 4600 : (READ_BACK_TOKENS * writerMax + 16) * BYTES_PER_TOKEN_BOUND));
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

/** "12,345" / "unbounded"; "$0.0123" / "unknown": how the CLI, chat and panel state an estimate's figures. */
export function describeEstimate(e: Pick<RunEstimate, 'calls' | 'promptTokens' | 'promptUnbounded' | 'completionTokens' | 'costUsd' | 'unbounded' | 'unpriced' | 'route'>): string {
  const completion = e.completionTokens === null ? 'unbounded completion tokens' : `${e.completionTokens.toLocaleString('en-US')} completion tokens`;
  const cost =
    e.costUsd !== null ? `, at most ${formatUsd(e.costUsd)}` : e.unbounded.length ? '' : e.unpriced.length ? ', cost unknown (no price for ' + e.unpriced.join(', ') + ')' : '';
  const why = e.unbounded.length ? ` (no maxTokens: ${e.unbounded.join(', ')})` : '';
  const prompt = e.promptUnbounded ? 'unbounded prompt tokens' : `${e.promptTokens.toLocaleString('en-US')} prompt tokens`;
  const routed = e.route ? ` (routed: ${e.route.chosen})` : '';
  return `at most ${e.calls} call${e.calls === 1 ? '' : 's'}${routed}, ${prompt}, ${completion}${why}${cost}`;
}

