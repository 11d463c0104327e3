/**
 * The run strategies and what each one does, as data. The engine's loop, chat, the panel's controls, the CLI, the tool
 * and the estimates read this table instead of branching on strategy names. Browser-safe: no zod, no Node.
 */
export const STRATEGIES = ['smoa', 'moa', 'single', 'rank', 'self', 'debate', 'adaptive', 'route'] as const;
export type Strategy = (typeof STRATEGIES)[number];
/** Strategies that run one fixed plan; `route` chooses one of these per prompt. */
export const FIXED_STRATEGIES = ['smoa', 'moa', 'single', 'rank', 'self', 'debate', 'adaptive'] as const satisfies readonly Strategy[];

export interface StrategyTraits {
  label: string;
  /** For the settings' enum descriptions (Markdown). */
  description: string;
  /** One line for the chat's slash command and the agent tool's input schema. */
  command: string;
  /** Proposer layers: none (the aggregator alone), exactly one, or `layers` from the config. */
  layers: 'none' | 'one' | 'config';
  /** Who proposes: the configured panel, or `selfModel` sampled `samples` times (Self-MoA). */
  proposers: 'panel' | 'self' | 'none';
  /** Whether a judge selects after each layer, and how many answers it keeps. */
  judge: 'none' | 'topK' | 'one';
  /** What a later layer sees: the kept answers (all of them when there is no judge), or, in a debate, the others'. */
  peers: 'kept' | 'others';
  /** Roles: written for every proposer, only when configured as a list, or never. */
  roles: 'yes' | 'list-only' | 'no';
  /** Whether a moderator may end the run early (with the `earlyStop` setting). */
  earlyStop: boolean;
  /** Start with `adaptiveStart` proposers and widen only when they disagree. */
  adaptive: boolean;
  /** The answer: an aggregator's synthesis, or the judge's pick returned as written. */
  finish: 'aggregate' | 'pick';
  /**
   * Chooses per prompt, from the user's evaluations, which of the other strategies runs and with which models (a
   * `route-decision` event says what and why); its other traits are those of SMoA, what it usually falls back to.
   */
  routes?: true;
}

export const STRATEGY_TRAITS: Record<Strategy, StrategyTraits> = {
  smoa: {
    label: 'SMoA',
    description: 'Sparse MoA: a judge keeps the best `topK` answers of each layer; a moderator may stop early; proposers play roles.',
    command: 'Sparse Mixture-of-Agents: proposers answer, a judge keeps the best, a moderator may stop early (default)',
    layers: 'config',
    proposers: 'panel',
    judge: 'topK',
    peers: 'kept',
    roles: 'yes',
    earlyStop: true,
    adaptive: false,
    finish: 'aggregate',
  },
  moa: {
    label: 'MoA',
    description: 'Dense MoA: every answer of a layer goes to the next layer and to the aggregator.',
    command: 'Dense Mixture-of-Agents: every answer feeds the next layer and the aggregator',
    layers: 'config',
    proposers: 'panel',
    judge: 'none',
    peers: 'kept',
    roles: 'no',
    earlyStop: false,
    adaptive: false,
    finish: 'aggregate',
  },
  single: {
    label: 'Single model',
    description: 'Only the aggregator model answers (a baseline).',
    command: 'Ask only the aggregator model (baseline)',
    layers: 'none',
    proposers: 'none',
    judge: 'none',
    peers: 'kept',
    roles: 'no',
    earlyStop: false,
    adaptive: false,
    finish: 'aggregate',
  },
  rank: {
    label: 'Rank',
    description: 'One layer; the judge picks the single best answer, returned as written.',
    command: 'One layer; the judge picks the best answer, returned as written',
    layers: 'one',
    proposers: 'panel',
    judge: 'one',
    peers: 'kept',
    roles: 'no',
    earlyStop: false,
    adaptive: false,
    finish: 'pick',
  },
  self: {
    label: 'Self-MoA',
    description: 'Self-MoA: `selfModel` answers `samples` times per layer, every answer feeds the next layer, then the aggregator (with `selfWindow`, it folds the answers in windows).',
    command: 'Self-MoA: the first proposer (or smoa.selfModel) answers several times; the aggregator combines the samples',
    layers: 'config',
    proposers: 'self',
    judge: 'none',
    peers: 'kept',
    roles: 'list-only',
    earlyStop: false,
    adaptive: false,
    finish: 'aggregate',
  },
  debate: {
    label: 'Debate',
    description: "Multi-agent debate: `layers` rounds; from round 2 each debater sees the others' previous answers and revises its own; a moderator may end it when they agree; the aggregator answers.",
    command: "Debate: the proposers answer, then revise after reading each other's answers; the aggregator writes the answer",
    layers: 'config',
    proposers: 'panel',
    judge: 'none',
    peers: 'others',
    roles: 'yes',
    earlyStop: true,
    adaptive: false,
    finish: 'aggregate',
  },
  adaptive: {
    label: 'Adaptive',
    description: 'Starts with `adaptiveStart` proposers; if they agree the aggregator answers from them, otherwise the rest join and the run continues as SMoA.',
    command: 'Adaptive: two proposers first; the rest join only if they disagree, then as SMoA',
    layers: 'config',
    proposers: 'panel',
    judge: 'topK',
    peers: 'kept',
    roles: 'yes',
    earlyStop: true,
    adaptive: true,
    finish: 'aggregate',
  },
  route: {
    label: 'Route',
    description:
      'Route: picks per prompt, from your evaluations (`route.file`), one model alone, Self-MoA with the best model, or SMoA/adaptive over the top models, weighing expected score against cost (`route.costWeight`); an unfamiliar prompt runs the configured fallback.',
    command: 'Route: your evaluations pick the models (and the strategy) for this prompt; says why',
    layers: 'config',
    proposers: 'panel',
    judge: 'topK',
    peers: 'kept',
    roles: 'yes',
    earlyStop: true,
    adaptive: false,
    finish: 'aggregate',
    routes: true,
  },
};

export function isStrategy(value: unknown): value is Strategy {
  return typeof value === 'string' && (STRATEGIES as readonly string[]).includes(value);
}

export function strategyLabel(strategy: Strategy): string {
  return STRATEGY_TRAITS[strategy].label;
}

/** The layers a strategy runs at most, given the config's `layers`. */
export function layerCap(strategy: Strategy, configLayers: number): number {
  const { layers } = STRATEGY_TRAITS[strategy];
  return layers === 'none' ? 0 : layers === 'one' ? 1 : configLayers;
}
