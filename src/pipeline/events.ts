import type { CallErrorKind, TokenUsage } from './client';
import type { SmoaConfig, Strategy } from './config';

/**
 * Everything a run does, as one typed stream. Chat, the trace panel, the CLI and saved traces all consume it;
 * a trace is the fold of these events (see trace.ts). `t` is milliseconds since the run started.
 */

/** `synthesis`: a step of Self-MoA-Seq's windowed aggregation before the final aggregator call. */
export type CallStage = 'roles' | 'proposer' | 'judge' | 'moderator' | 'synthesis' | 'aggregator';

export interface CallInfo {
  callId: string;
  stage: CallStage;
  /** 1-based layer for proposer, judge and moderator calls. */
  layer?: number;
  /** Proposer slot (0-based) within the layer. */
  slot?: number;
  modelId: string;
  model: string;
  role?: string;
  /** Set when the call is not a plain one, e.g. a second try with shortened candidates. */
  note?: string;
}

export interface CallFailure {
  message: string;
  kind: CallErrorKind;
  status?: number;
  attempts: number;
}

export interface Cost {
  usd: number;
  /** False when some model in the sum had no price configured. */
  complete: boolean;
}

export interface RunTotals {
  calls: number;
  /** Failed calls, not counting cancelled ones. */
  failedCalls: number;
  /** Calls stopped by a cancel (absent when none, and in traces older than this field). */
  cancelledCalls?: number;
  promptTokens: number;
  completionTokens: number;
  /** True when some call's usage was estimated. */
  estimated: boolean;
  cost?: Cost;
  wallMs: number;
  /** From run start to the first token of the final answer. */
  firstAnswerTokenMs?: number;
  layersRun: number;
}

export interface ToolResultInfo {
  toolCallId: string;
  /** The tool's name when the conversation still holds the call. */
  name?: string;
  text: string;
}

/** What the earlier runs of one agent task added up to (each agent turn is a run of its own). */
export interface ExchangeTotals {
  runs: number;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  cost?: Cost;
}

export type RunStatus = 'ok' | 'failed' | 'cancelled';

/** The route strategy's estimate of one model on a prompt, from the evaluated tasks most like it. */
export interface ModelEstimate {
  modelId: string;
  /** Expected normalised score (0..1). */
  score: number;
  /** Spread of the model's scores on the similar tasks. */
  sd: number;
  /** Standard error of `score`. */
  se: number;
  /** Similar tasks that had a score for this model. */
  n: number;
  costUsd?: number;
  tokens: number;
  latencyMs: number;
  /** Cost relative to the dearest model considered (0..1): by USD when every model has a price, else by tokens. */
  relativeCost: number;
  /** score - costWeight x relativeCost: what the choice ranks by. */
  value: number;
}

/** What the route strategy chose for a prompt, and why (see route/choose.ts). */
export interface RouteDecision {
  /** What runs: "single:<model>", "self:<model>", "smoa:<m1>,<m2>", "adaptive:<m1>,...", or the fallback strategy. */
  chosen: string;
  /** The strategy the run uses. */
  strategy: Exclude<Strategy, 'route'>;
  /** The models the plan asks (proposers, or the one model); empty for a fallback (the configured panel). */
  models: string[];
  reason: string;
  /** True when the router could not decide and the fallback strategy runs. */
  fallback: boolean;
  /** The category most of the similar tasks belong to. */
  category?: string;
  /** The evaluated tasks most like the prompt, most similar first (BM25, 0..1). */
  nearest: { id: string; category?: string; similarity: number }[];
  /** Per model, best value first. */
  expected: ModelEstimate[];
  costWeight: number;
}

export interface JudgeNotes {
  agreements: string[];
  contradictions: string[];
  droppedInsights: string[];
}

/** The judge's score range (integers): wide enough to separate six answers, small enough that each value means something. */
export const SCORE_MIN = 1;
export const SCORE_MAX = 10;

/** One judge call's vote: what it was shown, in which order, how it scored each answer, and its own top k. */
export interface JudgeBallot {
  /** The judge's model id. */
  modelId: string;
  callId?: string;
  /** True for the second order of `judgeOrders: 2` (the first order reversed). */
  reversed: boolean;
  /** Proposer slots in the order shown: `order[0]` was "Response 1". */
  order: number[];
  /** Slots the judge could see but not pick (recusal). */
  excluded?: number[];
  /**
   * The score it gave each answer it scored (SCORE_MIN..SCORE_MAX), by proposer slot; recused answers are absent.
   * Absent in traces written before the judge scored (those have only `picks`).
   */
  scores?: Record<number, number>;
  /** Its own top k by those scores, best first (ties: the order shown). */
  picks: number[];
  /** 1-based shown position of each pick. */
  positions: number[];
  /** What in a counted reply could not be used (e.g. a missing score); the rest counted. */
  problems?: string;
  /** Why this ballot was not counted: the call failed, the reply was unusable, or the judge abstained. */
  skipped?: string;
  /** The raw reply of a ballot that was not counted. */
  raw?: string;
}

export type SmoaEvent = { t: number } & (
  | {
      type: 'run-started';
      runId: string;
      startedAt: string;
      strategy: Strategy;
      prompt: string;
      config: SmoaConfig;
      /** Set for a run that only writes the proposers' roles (`@smoa /roles`). */
      purpose?: 'roles';
    }
  /** Route: the plan chosen for this prompt; `config` is the config the run goes on with (routed models, strategy). */
  | ({ type: 'route-decision'; config: SmoaConfig } & RouteDecision)
  | { type: 'roles-assigned'; roles: string[]; source: 'generated' | 'cached' | 'configured' | 'fallback'; note?: string }
  | { type: 'layer-started'; layer: number; of: number; proposers: { slot: number; modelId: string; role?: string }[] }
  | ({ type: 'call-started' } & CallInfo)
  | { type: 'call-token'; callId: string; text: string }
  | { type: 'call-retry'; callId: string; attempt: number; delayMs: number; reason: string }
  | { type: 'call-done'; callId: string; text: string; usage: TokenUsage; cost?: number; latencyMs: number; ttftMs?: number; attempts: number }
  | {
      type: 'call-failed';
      callId: string;
      error: CallFailure;
      latencyMs: number;
      partialText?: string;
      /** What the call was billed for before it failed or was cancelled (tokens streamed by cut or retried attempts). */
      usage?: TokenUsage;
      cost?: number;
    }
  | {
      type: 'judge-picks';
      layer: number;
      /** Proposer slots kept, best first. */
      picks: number[];
      reason: string;
      fallback: boolean;
      /** Each judge call of the layer (one per judge and order); absent when nothing needed judging. */
      ballots?: JudgeBallot[];
      /** How the ballots were combined, when there was more than one. */
      rule?: string;
      /** Characters of each candidate's answer, by proposer slot (length-bias telemetry). */
      lengths?: Record<number, number>;
      /** What the judges noted for the aggregator, proposal numbers 1-based as on the cards. */
      notes?: JudgeNotes;
      /** Each scored answer's mean score over the counted votes, by proposer slot (one decimal). */
      scores?: Record<number, number>;
      /** Set when answers tied on points and score and the seeded order decided between them. */
      tieBreak?: string;
    }
  | { type: 'judge-fallback'; layer: number; problem: string; rule: string; raw?: string }
  | { type: 'moderator-decision'; layer: number; stop: boolean; reason: string; fallback?: boolean }
  | { type: 'layer-done'; layer: number; kept: number[]; failed: number[] }
  | { type: 'layer-skipped'; layer: number; reason: string }
  /** Adaptive: whether the first proposers agreed (the run ends narrow) or not (the rest of the layer joins). */
  | { type: 'adaptive-decision'; layer: number; agree: boolean; reason: string; asked: number; of: number; callsSaved?: number; fallback?: boolean }
  /** More proposers join a running layer (adaptive widening). */
  | { type: 'layer-widened'; layer: number; proposers: { slot: number; modelId: string; role?: string }[] }
  | {
      type: 'budget-stop';
      /** What was not started, e.g. ["layer 2", "layer 3"], ["roles"], ["aggregator"]. */
      skipped: string[];
      /** Which stage the check was for, its bound against what was spent and the limit. */
      reason: string;
      /** What the run does instead, e.g. "the aggregator answers from the 2 kept answers". */
      outcome: string;
    }
  | { type: 'answer-token'; text: string }
  /** The answer streamed so far is void: the aggregator's stream broke and its retry writes the answer from the start. */
  | { type: 'answer-reset'; callId: string; reason: string }
  /** Agent turns: the tool results the conversation brought to this run (the aggregator's card shows them). */
  | { type: 'tool-results'; results: ToolResultInfo[] }
  /** Agent turns: this run is run `turn` of one agent task, after runs that cost `earlier` (the panel sums them). */
  | { type: 'agent-exchange'; turn: number; earlier: ExchangeTotals }
  /** The model of `callId` (the aggregator, the only member given tools) called a tool; the host runs it, not the engine. */
  | { type: 'tool-call'; callId: string; toolCallId: string; name: string; input: object }
  | {
      type: 'run-finished';
      status: RunStatus;
      answer: string;
      /** When the answer is not the aggregator's (rank strategy, or aggregator failed): where it came from. */
      answerSource?: string;
      error?: string;
      totals: RunTotals;
    }
);

type SmoaEventType = SmoaEvent['type'];
export type EventOf<T extends SmoaEventType> = Extract<SmoaEvent, { type: T }>;
export type EventListener = (event: SmoaEvent) => void;
