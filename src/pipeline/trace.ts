import type { TokenUsage } from './client';
import type { SmoaConfig, Strategy } from './config';
import type { CallFailure, CallInfo, Cost, ExchangeTotals, JudgeBallot, JudgeNotes, RouteDecision, RunStatus, RunTotals, SmoaEvent, ToolResultInfo } from './events';

/**
 * A trace is the fold of a run's events: what the panel shows, what `--trace` saves, what can be loaded again.
 * This file must stay free of Node and VS Code imports: the webview folds events with it too.
 */

const TRACE_VERSION = 1;

export interface TraceCall extends CallInfo {
  /** `cancelled` when a Stop (or a closed chat) cut the call off: not a failure of the model. */
  status: 'running' | 'done' | 'failed' | 'cancelled';
  text: string;
  usage?: TokenUsage;
  cost?: number;
  startedMs: number;
  endedMs?: number;
  latencyMs?: number;
  ttftMs?: number;
  attempts: number;
  retries: { attempt: number; delayMs: number; reason: string }[];
  error?: CallFailure;
  /** Tools the model called (agent turns: only the aggregator gets tools). */
  toolCalls?: { toolCallId: string; name: string; input: object }[];
}

export interface TraceLayer {
  layer: number;
  /** A finished run has no running layer: one cut off by a cancel is `cancelled`, one the run failed in is `failed`. */
  status: 'running' | 'done' | 'skipped' | 'failed' | 'cancelled';
  proposers: { slot: number; modelId: string; role?: string }[];
  /** Call ids of this layer's proposals, by slot. */
  proposalCalls: Record<number, string>;
  judge?: {
    picks: number[];
    reason: string;
    fallback: boolean;
    problem?: string;
    rule?: string;
    raw?: string;
    /** One per judge call: the order shown, its scores, its own top k and their shown positions (bias telemetry). */
    ballots?: JudgeBallot[];
    /** How several ballots were combined. */
    combination?: string;
    /** Characters of each candidate's answer, by proposer slot. */
    lengths?: Record<number, number>;
    notes?: JudgeNotes;
    /** Mean score of each scored answer over the counted votes, by proposer slot. */
    scores?: Record<number, number>;
    /** When the seeded order broke a tie. */
    tieBreak?: string;
  };
  moderator?: { stop: boolean; reason: string; fallback?: boolean };
  /** Adaptive strategy: the decision after the first proposers. */
  adaptive?: { agree: boolean; reason: string; asked: number; of: number; callsSaved?: number; fallback?: boolean };
  kept?: number[];
  failed?: number[];
  skippedReason?: string;
}

export interface Trace {
  version: typeof TRACE_VERSION;
  runId: string;
  startedAt: string;
  strategy: Strategy;
  prompt: string;
  config: SmoaConfig;
  /** A run that only wrote roles. */
  purpose?: 'roles';
  roles?: { roles: string[]; source: string; note?: string };
  /** How many layers the strategy plans (rank: 1), from `layer-started`; absent in older traces. */
  layersPlanned?: number;
  layers: TraceLayer[];
  calls: TraceCall[];
  answer: string;
  answerSource?: string;
  status: RunStatus | 'running';
  error?: string;
  totals?: RunTotals;
  /** Agent turns: the tool results this run was given with the conversation. */
  toolResults?: ToolResultInfo[];
  /** Agent turns: this run's place in its agent task and what the earlier runs cost. */
  exchange?: { turn: number; earlier: ExchangeTotals };
  /** Route runs: what the router chose and why; `strategy` and `config` are then the routed ones. */
  route?: RouteDecision;
  /** Stages the budget did not start, and why (budget-stop events, in order). */
  budgetStops?: { skipped: string[]; reason: string; outcome: string }[];
}

export function emptyTrace(): Trace {
  return {
    version: TRACE_VERSION,
    runId: '',
    startedAt: '',
    strategy: 'smoa',
    prompt: '',
    config: undefined as unknown as SmoaConfig,
    layers: [],
    calls: [],
    answer: '',
    status: 'running',
  };
}

/** Applies one event to a trace in place (the panel folds thousands of token events; copying would be waste). */
export function applyEvent(trace: Trace, event: SmoaEvent): Trace {
  switch (event.type) {
    case 'run-started':
      Object.assign(trace, emptyTrace(), {
        runId: event.runId,
        startedAt: event.startedAt,
        strategy: event.strategy,
        prompt: event.prompt,
        config: event.config,
        ...(event.purpose ? { purpose: event.purpose } : {}),
      });
      break;
    case 'route-decision': {
      const { type: _type, t: _t, config, ...decision } = event;
      trace.route = decision;
      trace.strategy = decision.strategy;
      trace.config = config;
      break;
    }
    case 'roles-assigned':
      trace.roles = { roles: event.roles, source: event.source, ...(event.note ? { note: event.note } : {}) };
      break;
    case 'layer-started':
      trace.layersPlanned = event.of;
      layerOf(trace, event.layer).status = 'running';
      layerOf(trace, event.layer).proposers = event.proposers;
      break;
    case 'call-started': {
      const { type: _type, t, ...info } = event;
      trace.calls.push({ ...info, status: 'running', text: '', startedMs: t, attempts: 1, retries: [] });
      if (info.stage === 'proposer' && info.layer !== undefined && info.slot !== undefined) {
        layerOf(trace, info.layer).proposalCalls[info.slot] = info.callId;
      }
      break;
    }
    case 'call-token': {
      const call = callOf(trace, event.callId);
      if (call) call.text += event.text;
      break;
    }
    case 'call-retry': {
      const call = callOf(trace, event.callId);
      if (call) {
        call.text = '';
        call.retries.push({ attempt: event.attempt, delayMs: event.delayMs, reason: event.reason });
      }
      break;
    }
    case 'adaptive-decision': {
      const { type: _type, t: _t, layer, ...decision } = event;
      layerOf(trace, layer).adaptive = decision;
      break;
    }
    case 'layer-widened': {
      const layer = layerOf(trace, event.layer);
      layer.proposers = [...layer.proposers, ...event.proposers].sort((a, b) => a.slot - b.slot);
      break;
    }
    case 'answer-reset':
      trace.answer = '';
      break;
    case 'tool-results':
      trace.toolResults = event.results;
      break;
    case 'agent-exchange':
      trace.exchange = { turn: event.turn, earlier: event.earlier };
      break;
    case 'tool-call': {
      const call = callOf(trace, event.callId);
      if (call) (call.toolCalls ??= []).push({ toolCallId: event.toolCallId, name: event.name, input: event.input });
      break;
    }
    case 'call-done': {
      const call = callOf(trace, event.callId);
      if (call) {
        Object.assign(call, {
          status: 'done',
          text: event.text,
          usage: event.usage,
          latencyMs: event.latencyMs,
          endedMs: event.t,
          attempts: event.attempts,
          ...(event.cost !== undefined ? { cost: event.cost } : {}),
          ...(event.ttftMs !== undefined ? { ttftMs: event.ttftMs } : {}),
        });
      }
      break;
    }
    case 'call-failed': {
      const call = callOf(trace, event.callId);
      if (call) {
        Object.assign(call, {
          status: event.error.kind === 'cancelled' ? 'cancelled' : 'failed',
          error: event.error,
          latencyMs: event.latencyMs,
          endedMs: event.t,
          attempts: event.error.attempts,
          ...(event.usage ? { usage: event.usage } : {}),
          ...(event.cost !== undefined ? { cost: event.cost } : {}),
        });
        if (event.partialText !== undefined) call.text = event.partialText;
      }
      break;
    }
    case 'judge-fallback': {
      const layer = layerOf(trace, event.layer);
      layer.judge = { ...(layer.judge ?? { picks: [], reason: '', fallback: true }), problem: event.problem, rule: event.rule, ...(event.raw !== undefined ? { raw: event.raw } : {}) };
      break;
    }
    case 'judge-picks': {
      const layer = layerOf(trace, event.layer);
      layer.judge = {
        ...layer.judge,
        picks: event.picks,
        reason: event.reason,
        fallback: event.fallback,
        ...(event.ballots ? { ballots: event.ballots } : {}),
        ...(event.rule ? { combination: event.rule } : {}),
        ...(event.lengths ? { lengths: event.lengths } : {}),
        ...(event.notes ? { notes: event.notes } : {}),
        ...(event.scores ? { scores: event.scores } : {}),
        ...(event.tieBreak ? { tieBreak: event.tieBreak } : {}),
      };
      break;
    }
    case 'moderator-decision':
      layerOf(trace, event.layer).moderator = { stop: event.stop, reason: event.reason, ...(event.fallback ? { fallback: true } : {}) };
      break;
    case 'layer-done':
      Object.assign(layerOf(trace, event.layer), { status: 'done', kept: event.kept, failed: event.failed });
      break;
    case 'layer-skipped':
      Object.assign(layerOf(trace, event.layer), { status: 'skipped', skippedReason: event.reason });
      break;
    case 'answer-token':
      trace.answer += event.text;
      break;
    case 'budget-stop':
      (trace.budgetStops ??= []).push({ skipped: event.skipped, reason: event.reason, outcome: event.outcome });
      break;
    case 'run-finished':
      Object.assign(trace, {
        status: event.status,
        answer: event.answer,
        totals: event.totals,
        ...(event.answerSource ? { answerSource: event.answerSource } : {}),
        ...(event.error ? { error: event.error } : {}),
      });
      closeRun(trace, event.status);
      break;
  }
  return trace;
}

/**
 * The fold's guarantee: once a run has finished, nothing in its trace is still running. Calls and layers the engine
 * left open (a recording cut short, a consumer that missed events) end the way the run ended.
 */
function closeRun(trace: Trace, status: RunStatus): void {
  const end = status === 'cancelled' ? 'cancelled' : 'failed';
  for (const call of trace.calls) {
    if (call.status !== 'running') continue;
    call.status = end;
    call.error ??= { message: end, kind: end === 'cancelled' ? 'cancelled' : 'unknown', attempts: call.attempts };
  }
  for (const layer of trace.layers) if (layer.status === 'running') layer.status = status === 'ok' ? 'done' : end;
}

export function foldEvents(events: Iterable<SmoaEvent>): Trace {
  const trace = emptyTrace();
  for (const event of events) applyEvent(trace, event);
  return trace;
}

function layerOf(trace: Trace, layer: number): TraceLayer {
  let found = trace.layers.find((l) => l.layer === layer);
  if (!found) {
    found = { layer, status: 'running', proposers: [], proposalCalls: {} };
    trace.layers.push(found);
    trace.layers.sort((a, b) => a.layer - b.layer);
  }
  return found;
}

function callOf(trace: Trace, callId: string): TraceCall | undefined {
  // Newest calls are the likely targets of token events: search from the end.
  for (let i = trace.calls.length - 1; i >= 0; i--) if (trace.calls[i].callId === callId) return trace.calls[i];
  return undefined;
}

/** Checks that a loaded file is a trace this version can show; the message says what is wrong. */
export function validateTrace(data: unknown): { ok: true; trace: Trace } | { ok: false; message: string } {
  if (!data || typeof data !== 'object') return { ok: false, message: 'not a JSON object' };
  const t = data as Partial<Trace>;
  if (t.version !== TRACE_VERSION) return { ok: false, message: `unsupported trace version ${JSON.stringify(t.version)} (expected ${TRACE_VERSION})` };
  if (!Array.isArray(t.layers) || !Array.isArray(t.calls)) return { ok: false, message: 'missing "layers" or "calls"' };
  if (typeof t.answer !== 'string') return { ok: false, message: 'missing "answer"' };
  return { ok: true, trace: t as Trace };
}

/**
 * One agent task is several runs (each tool round trip is a turn of its own); what they cost together is the sum.
 * A cost is complete only when every run's was.
 */
export function addToExchange(earlier: ExchangeTotals | undefined, totals: RunTotals): ExchangeTotals {
  const before: ExchangeTotals = earlier ?? { runs: 0, calls: 0, promptTokens: 0, completionTokens: 0 };
  const cost = before.runs === 0 ? totals.cost : sumCost(before.cost, totals.cost);
  return {
    runs: before.runs + 1,
    calls: before.calls + totals.calls,
    promptTokens: before.promptTokens + totals.promptTokens,
    completionTokens: before.completionTokens + totals.completionTokens,
    ...(cost ? { cost } : {}),
  };
}

/** A side without any cost had no prices at all, so a sum with it is known to be short. */
function sumCost(a: Cost | undefined, b: Cost | undefined): Cost | undefined {
  if (!a && !b) return undefined;
  return { usd: (a?.usd ?? 0) + (b?.usd ?? 0), complete: !!a?.complete && !!b?.complete };
}

/** The whole agent task up to and including this run, when the run is one of its turns (and has finished). */
export function exchangeTotals(trace: Trace): (ExchangeTotals & { turn: number }) | undefined {
  if (!trace.exchange || !trace.totals) return undefined;
  return { turn: trace.exchange.turn, ...addToExchange(trace.exchange.earlier, trace.totals) };
}
