import type { ChatMessage } from './client';
import { modelById, type ModelConfig, type SmoaConfig, type Strategy } from './config';
import type { CallStage } from './events';
import { buildJudgeRequest, buildModeratorRequest } from './judge';
import { buildMessages, synthesisSystemPart, type ContextItem } from './prompts';
import { buildRolesRequest } from './roles';

/**
 * What a run would do at most, before it sends anything: per stage, the calls, prompt and completion tokens and cost.
 *
 * How the bounds are made:
 * - Completion tokens: the `max_tokens` the engine sends (proposerMaxTokens for proposers, else the model's maxTokens).
 *   A model without maxTokens has no bound; its stage is "unbounded" (null), never guessed.
 * - Prompt tokens: the engine's own prompt builders are run on the real prompt, history and context with empty
 *   answers; that text is counted with the rule below, and every answer a stage can see adds the completion bound of
 *   the call that wrote it (the same text, sent back) plus a few tokens for its label.
 * - The chars-per-token rule: at most one token per two UTF-8 bytes (two characters of ASCII), plus 4 tokens of chat
 *   format per message and 3 per reply. Tokenizers average about four characters a token for English and three for
 *   code; only strings built of single punctuation marks or digits come near one byte a token, so the bound holds for
 *   prose, code and data, not for adversarial strings.
 * - Every call a stage may make counts (a judge that is skipped because too few answers survive, a cached role list),
 *   and every proposer is assumed to survive. A retry after an error adds a call but no billed usage; it is not counted.
 */

/** Bytes per token the bound assumes (see above). */
export const BYTES_PER_TOKEN_BOUND = 2;
/** Chat-format tokens per message and per reply, as OpenAI's counting guidance gives them. */
export const TOKENS_PER_MESSAGE = 4;
export const TOKENS_PER_REPLY = 3;
/** Room for the seams where an answer joins its label, and for clip()'s "[... N more characters]" note. */
const TOKENS_PER_ANSWER_SEEN = 16;

/** Upper bound of the tokens a text takes, under the rule above. */
export function tokenBound(text: string): number {
  return Math.ceil(utf8Bytes(text) / BYTES_PER_TOKEN_BOUND);
}

export function promptBound(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + tokenBound(m.content) + TOKENS_PER_MESSAGE, TOKENS_PER_REPLY);
}

/**
 * One stage of a strategy, as data. `sees` is how many earlier answers each call of the stage gets in its prompt;
 * `from` is the stage that wrote them (their completion bound is what they can cost here).
 */
export type StagePlan =
  | { stage: 'roles' }
  | { stage: 'proposer'; layer: number; sees: number; roles?: boolean }
  | { stage: 'judge'; layer: number; candidates: number; k: number; askStop: boolean }
  | { stage: 'moderator'; layer: number; candidates: number }
  | { stage: 'aggregator'; sees: number };

/**
 * The stages each strategy may run, in order. A new strategy adds its entry here (the type makes it required), and
 * the estimate, the budget and their tests follow.
 */
export const STAGE_PLANS: Record<Strategy, (config: SmoaConfig) => StagePlan[]> = {
  single: () => [{ stage: 'aggregator', sees: 0 }],
  moa: (config) => {
    const n = config.proposers.length;
    const plans: StagePlan[] = [];
    for (let layer = 1; layer <= config.layers; layer++) plans.push({ stage: 'proposer', layer, sees: layer === 1 ? 0 : n });
    return [...plans, { stage: 'aggregator', sees: n }];
  },
  rank: (config) => [
    { stage: 'proposer', layer: 1, sees: 0 },
    { stage: 'judge', layer: 1, candidates: config.proposers.length, k: 1, askStop: false },
  ],
  smoa: (config) => {
    const n = config.proposers.length;
    const k = Math.min(config.topK, n);
    const plans: StagePlan[] = config.roles === 'auto' ? [{ stage: 'roles' }] : [];
    for (let layer = 1; layer <= config.layers; layer++) {
      const askStop = config.earlyStop && layer < config.layers;
      plans.push({ stage: 'proposer', layer, sees: layer === 1 ? 0 : k, roles: config.roles !== 'off' });
      const combined = askStop && config.moderator === undefined;
      if (n > k || combined) plans.push({ stage: 'judge', layer, candidates: n, k, askStop: combined });
      if (askStop && config.moderator !== undefined) plans.push({ stage: 'moderator', layer, candidates: n });
    }
    return [...plans, { stage: 'aggregator', sees: k }];
  },
};

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
  /** null when unbounded or when a model of the stage has no price. */
  costUsd: number | null;
  /** Models of the stage without maxTokens / without a price. */
  unbounded: string[];
  unpriced: string[];
}

export interface RunEstimate {
  strategy: Strategy;
  stages: StageEstimate[];
  calls: number;
  promptTokens: number;
  completionTokens: number | null;
  costUsd: number | null;
  unbounded: string[];
  unpriced: string[];
}

export interface EstimateOptions {
  strategy?: Strategy;
  /**
   * Texts already known (the engine asks during a run): answers a stage will see, instead of their completion bound,
   * and the roles once they are assigned.
   */
  seen?: string[];
  roles?: string[];
}

/** The estimate of a whole run. Sends nothing. */
export function estimateRun(config: SmoaConfig, input: EstimateInput, options: EstimateOptions = {}): RunEstimate {
  const strategy = options.strategy ?? config.strategy;
  return sumStages(strategy, STAGE_PLANS[strategy](config).map((plan) => estimateStage(config, input, plan, options)));
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
  const judgeId = config.judge ?? config.aggregator;
  const answerBound = (writers: (number | undefined)[]): number =>
    options.seen
      ? options.seen.reduce((a, text) => a + tokenBound(text) + TOKENS_PER_ANSWER_SEEN, 0)
      : writers.reduce<number>((a, max) => a + (max ?? 0) + TOKENS_PER_ANSWER_SEEN, 0);
  // Which completion bound wrote the answers a stage sees: proposers, whichever slots were kept (take the largest).
  const proposerMax = config.proposers.map((id) => config.proposerMaxTokens ?? modelById(config, id).maxTokens);
  const proposersUnbounded = proposerMax.some((m) => m === undefined);
  const largestProposer = (count: number) => Array.from({ length: count }, () => Math.max(...proposerMax.map((m) => m ?? 0)));
  const empties = (count: number) => Array.from({ length: count }, () => ({ text: '', slot: 0 }));
  let calls: CallBound[];
  let label: string;
  let layer: number | undefined;
  // Seen answers without a bound make the prompt unbounded too; the stage is then unbounded as a whole.
  let seesUnbounded = false;
  switch (plan.stage) {
    case 'roles': {
      label = 'roles';
      const model = modelById(config, config.roleModel ?? config.aggregator);
      const messages = buildRolesRequest(config.taskDescription, input.prompt, config.proposers.length);
      calls = [{ model, promptTokens: promptBound(messages), maxTokens: model.maxTokens }];
      break;
    }
    case 'proposer': {
      label = `layer ${plan.layer} proposers`;
      layer = plan.layer;
      seesUnbounded = plan.sees > 0 && !options.seen && proposersUnbounded;
      const seenTokens = plan.sees > 0 ? answerBound(largestProposer(plan.sees)) : 0;
      calls = config.proposers.map((id, slot) => {
        const model = modelById(config, id);
        const messages = buildMessages({
          systemParts: [config.systemPrompt, plan.roles ? (options.roles?.[slot] ?? roleStandIn(config)) : undefined, synthesisSystemPart(plan.sees > 0 ? empties(plan.sees) : [])],
          history: input.history,
          prompt: input.prompt,
          context: input.context,
        });
        return { model, promptTokens: promptBound(messages) + seenTokens, maxTokens: config.proposerMaxTokens ?? model.maxTokens };
      });
      break;
    }
    case 'judge': {
      label = `layer ${plan.layer} judge`;
      layer = plan.layer;
      seesUnbounded = !options.seen && proposersUnbounded;
      const model = modelById(config, judgeId);
      const request = buildJudgeRequest({
        prompt: input.prompt,
        history: input.history,
        candidates: empties(options.seen?.length ?? plan.candidates).map((c, i) => ({ ...c, slot: i })),
        k: plan.k,
        askStop: plan.askStop,
        seed: 0,
      });
      calls = [{ model, promptTokens: promptBound(request.messages) + answerBound(largestProposer(plan.candidates)), maxTokens: model.maxTokens }];
      break;
    }
    case 'moderator': {
      label = `layer ${plan.layer} moderator`;
      layer = plan.layer;
      seesUnbounded = !options.seen && proposersUnbounded;
      const model = modelById(config, config.moderator!);
      const messages = buildModeratorRequest(input.prompt, input.history, Array.from({ length: options.seen?.length ?? plan.candidates }, () => ''));
      calls = [{ model, promptTokens: promptBound(messages) + answerBound(largestProposer(plan.candidates)), maxTokens: model.maxTokens }];
      break;
    }
    case 'aggregator': {
      label = 'aggregator';
      const sees = options.seen?.length ?? plan.sees;
      seesUnbounded = sees > 0 && !options.seen && proposersUnbounded;
      const model = modelById(config, config.aggregator);
      const messages = buildMessages({
        systemParts: [config.systemPrompt, synthesisSystemPart(empties(sees))],
        history: input.history,
        prompt: input.prompt,
        context: input.context,
      });
      calls = [{ model, promptTokens: promptBound(messages) + (sees > 0 ? answerBound(largestProposer(sees)) : 0), maxTokens: model.maxTokens }];
      break;
    }
  }
  const unbounded = unique(calls.filter((c) => c.maxTokens === undefined).map((c) => c.model.id));
  if (seesUnbounded) {
    config.proposers.forEach((id, slot) => {
      if (proposerMax[slot] === undefined && !unbounded.includes(id)) unbounded.push(id);
    });
  }
  const unpriced = unique(calls.filter((c) => !c.model.price).map((c) => c.model.id));
  const bounded = unbounded.length === 0;
  const completionTokens = bounded ? calls.reduce((a, c) => a + c.maxTokens!, 0) : null;
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
    completionTokens,
    costUsd,
    unbounded,
    unpriced,
  };
}

/**
 * Before roles are assigned their text is unknown: configured roles are used as written; generated ones are at most
 * 1500 characters each (roles.ts clips them), cut further by the role writer's own maxTokens.
 */
function roleStandIn(config: SmoaConfig): string | undefined {
  if (config.roles === 'off') return undefined;
  if (Array.isArray(config.roles)) return config.roles.reduce((a, r) => (r.length > a.length ? r : a), '');
  const writerMax = modelById(config, config.roleModel ?? config.aggregator).maxTokens;
  const chars = Math.min(1600, writerMax === undefined ? 1600 : writerMax * BYTES_PER_TOKEN_BOUND);
  return 'x'.repeat(chars);
}

function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4; // a surrogate pair: one astral character
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

/** "12,345" / "unbounded"; "$0.0123" / "unknown": how the CLI, chat and panel state an estimate's figures. */
export function describeEstimate(e: Pick<RunEstimate, 'calls' | 'promptTokens' | 'completionTokens' | 'costUsd' | 'unbounded' | 'unpriced'>): string {
  const completion = e.completionTokens === null ? 'unbounded completion tokens' : `${e.completionTokens.toLocaleString('en-US')} completion tokens`;
  const cost =
    e.costUsd !== null ? `, at most $${e.costUsd.toFixed(4)}` : e.unbounded.length ? '' : e.unpriced.length ? ', cost unknown (no price for ' + e.unpriced.join(', ') + ')' : '';
  const why = e.unbounded.length ? ` (no maxTokens: ${e.unbounded.join(', ')})` : '';
  return `at most ${e.calls} call${e.calls === 1 ? '' : 's'}, ${e.promptTokens.toLocaleString('en-US')} prompt tokens, ${completion}${why}${cost}`;
}
