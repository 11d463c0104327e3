import { en } from 'zod/locales';
import { STRATEGIES } from '../pipeline/strategy/traits';
import * as z from 'zod/mini';

import type { SmoaEvent } from '../pipeline/events';
import type { Trace } from '../pipeline/trace';

/**
 * Runtime schemas for what crosses the webview boundary: the engine's events and a whole trace. They mirror the
 * TypeScript types in src/pipeline (the source of truth); the assignability checks at the bottom fail the build
 * when the two drift apart. Unknown extra fields pass (and are kept: callers use the original object) so an older
 * panel can show a newer run; wrong types do not pass.
 */

// zod/mini keeps the webview bundle small (the classic API pulls in every locale); English messages are loaded once
// here so a rejected message still says what was wrong.
z.config(en());

const usage = z.object({ promptTokens: z.number(), completionTokens: z.number(), estimated: z.boolean() });
const failure = z.object({ message: z.string(), kind: z.string(), status: z.optional(z.number()), attempts: z.number() });
const totals = z.object({
  calls: z.number(),
  failedCalls: z.number(),
  cancelledCalls: z.optional(z.number()),
  promptTokens: z.number(),
  completionTokens: z.number(),
  estimated: z.boolean(),
  cost: z.optional(z.object({ usd: z.number(), complete: z.boolean() })),
  wallMs: z.number(),
  firstAnswerTokenMs: z.optional(z.number()),
  layersRun: z.number(),
});
const exchangeTotals = z.object({
  runs: z.number(),
  calls: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  cost: z.optional(z.object({ usd: z.number(), complete: z.boolean() })),
});
const stage = z.enum(['roles', 'proposer', 'judge', 'moderator', 'synthesis', 'aggregator']);
const strategy = z.enum(STRATEGIES);
const runStatus = z.enum(['ok', 'failed', 'cancelled']);
const notes = z.object({ agreements: z.array(z.string()), contradictions: z.array(z.string()), droppedInsights: z.array(z.string()) });
const ballot = z.object({
  modelId: z.string(),
  callId: z.optional(z.string()),
  reversed: z.boolean(),
  order: z.array(z.number()),
  excluded: z.optional(z.array(z.number())),
  scores: z.optional(z.record(z.string(), z.number())),
  picks: z.array(z.number()),
  positions: z.array(z.number()),
  problems: z.optional(z.string()),
  skipped: z.optional(z.string()),
  raw: z.optional(z.string()),
});
const proposerSlot = z.object({ slot: z.number(), modelId: z.string(), role: z.optional(z.string()) });
// The config is only displayed (model names, prices); its full validation belongs to parseConfig on the host.
const config = z.object({
  models: z.array(z.object({ id: z.string(), model: z.string() })),
  proposers: z.array(z.string()),
  aggregator: z.string(),
  layers: z.number(),
  topK: z.number(),
});
const callInfo = {
  callId: z.string(),
  stage,
  layer: z.optional(z.number()),
  slot: z.optional(z.number()),
  modelId: z.string(),
  model: z.string(),
  role: z.optional(z.string()),
  note: z.optional(z.string()),
};

const routeDecision = z.object({
  chosen: z.string(),
  strategy: z.enum(STRATEGIES.filter((s) => s !== 'route') as Exclude<(typeof STRATEGIES)[number], 'route'>[]),
  models: z.array(z.string()),
  reason: z.string(),
  fallback: z.boolean(),
  category: z.optional(z.string()),
  nearest: z.array(z.object({ id: z.string(), category: z.optional(z.string()), similarity: z.number() })),
  expected: z.array(
    z.object({
      modelId: z.string(),
      score: z.number(),
      sd: z.number(),
      se: z.number(),
      n: z.number(),
      costUsd: z.optional(z.number()),
      tokens: z.number(),
      latencyMs: z.number(),
      relativeCost: z.number(),
      value: z.number(),
    }),
  ),
  costWeight: z.number(),
});
const toolResult = z.object({ toolCallId: z.string(), name: z.optional(z.string()), text: z.string() });
const toolCall = z.object({ toolCallId: z.string(), name: z.string(), input: z.custom<object>((v) => typeof v === 'object' && v !== null && !Array.isArray(v)) });

const ev = <T extends string, S extends z.core.$ZodShape>(type: T, shape: S) =>
  z.object({ t: z.number(), type: z.literal(type), ...shape });

const adaptiveDecision = z.object({
  agree: z.boolean(),
  reason: z.string(),
  asked: z.number(),
  of: z.number(),
  callsSaved: z.optional(z.number()),
  fallback: z.optional(z.boolean()),
});

export const smoaEventSchema = z.discriminatedUnion('type', [
  ev('run-started', { runId: z.string(), startedAt: z.string(), strategy, prompt: z.string(), config, purpose: z.optional(z.literal('roles')) }),
  ev('roles-assigned', { roles: z.array(z.string()), source: z.enum(['generated', 'cached', 'configured', 'fallback']), note: z.optional(z.string()) }),
  ev('layer-started', { layer: z.number(), of: z.number(), proposers: z.array(proposerSlot) }),
  ev('call-started', callInfo),
  ev('call-token', { callId: z.string(), text: z.string() }),
  ev('call-retry', { callId: z.string(), attempt: z.number(), delayMs: z.number(), reason: z.string() }),
  ev('call-done', {
    callId: z.string(),
    text: z.string(),
    usage,
    cost: z.optional(z.number()),
    latencyMs: z.number(),
    ttftMs: z.optional(z.number()),
    attempts: z.number(),
  }),
  ev('call-failed', { callId: z.string(), error: failure, latencyMs: z.number(), partialText: z.optional(z.string()), usage: z.optional(usage), cost: z.optional(z.number()) }),
  ev('judge-picks', {
    layer: z.number(),
    picks: z.array(z.number()),
    reason: z.string(),
    fallback: z.boolean(),
    ballots: z.optional(z.array(ballot)),
    rule: z.optional(z.string()),
    lengths: z.optional(z.record(z.string(), z.number())),
    notes: z.optional(notes),
    scores: z.optional(z.record(z.string(), z.number())),
    tieBreak: z.optional(z.string()),
  }),
  ev('judge-fallback', { layer: z.number(), problem: z.string(), rule: z.string(), raw: z.optional(z.string()) }),
  ev('moderator-decision', { layer: z.number(), stop: z.boolean(), reason: z.string(), fallback: z.optional(z.boolean()) }),
  ev('layer-done', { layer: z.number(), kept: z.array(z.number()), failed: z.array(z.number()) }),
  ev('layer-skipped', { layer: z.number(), reason: z.string() }),
  ev('route-decision', { ...routeDecision.shape, config }),
  ev('adaptive-decision', { ...adaptiveDecision.shape, layer: z.number() }),
  ev('layer-widened', { layer: z.number(), proposers: z.array(proposerSlot) }),
  ev('answer-token', { text: z.string() }),
  ev('answer-reset', { callId: z.string(), reason: z.string() }),
  ev('tool-results', { results: z.array(toolResult) }),
  ev('agent-exchange', { turn: z.number(), earlier: exchangeTotals }),
  ev('tool-call', { callId: z.string(), toolCallId: z.string(), name: z.string(), input: z.custom<object>((v) => typeof v === 'object' && v !== null && !Array.isArray(v)) }),
  ev('budget-stop', { skipped: z.array(z.string()), reason: z.string(), outcome: z.string() }),
  ev('run-finished', {
    status: runStatus,
    answer: z.string(),
    answerSource: z.optional(z.string()),
    error: z.optional(z.string()),
    totals,
  }),
]);

const traceCall = z.object({
  ...callInfo,
  status: z.enum(['running', 'done', 'failed', 'cancelled']),
  text: z.string(),
  usage: z.optional(usage),
  cost: z.optional(z.number()),
  startedMs: z.number(),
  endedMs: z.optional(z.number()),
  latencyMs: z.optional(z.number()),
  ttftMs: z.optional(z.number()),
  attempts: z.number(),
  retries: z.array(z.object({ attempt: z.number(), delayMs: z.number(), reason: z.string() })),
  error: z.optional(failure),
  toolCalls: z.optional(z.array(toolCall)),
});

const traceLayer = z.object({
  adaptive: z.optional(adaptiveDecision),
  layer: z.number(),
  status: z.enum(['running', 'done', 'skipped', 'failed', 'cancelled']),
  proposers: z.array(proposerSlot),
  proposalCalls: z.record(z.string(), z.string()),
  judge: z.optional(
    z.looseObject({
      picks: z.array(z.number()),
      reason: z.string(),
      fallback: z.boolean(),
      problem: z.optional(z.string()),
      rule: z.optional(z.string()),
      raw: z.optional(z.string()),
      ballots: z.optional(z.array(ballot)),
      combination: z.optional(z.string()),
      lengths: z.optional(z.record(z.string(), z.number())),
      notes: z.optional(notes),
      scores: z.optional(z.record(z.string(), z.number())),
      tieBreak: z.optional(z.string()),
    }),
  ),
  moderator: z.optional(z.object({ stop: z.boolean(), reason: z.string(), fallback: z.optional(z.boolean()) })),
  kept: z.optional(z.array(z.number())),
  failed: z.optional(z.array(z.number())),
  skippedReason: z.optional(z.string()),
});

export const traceSchema = z.object({
  version: z.literal(1),
  runId: z.string(),
  startedAt: z.string(),
  strategy,
  prompt: z.string(),
  config,
  purpose: z.optional(z.literal('roles')),
  roles: z.optional(z.object({ roles: z.array(z.string()), source: z.string(), note: z.optional(z.string()) })),
  layersPlanned: z.optional(z.number()),
  layers: z.array(traceLayer),
  calls: z.array(traceCall),
  answer: z.string(),
  answerSource: z.optional(z.string()),
  status: z.enum(['ok', 'failed', 'cancelled', 'running']),
  error: z.optional(z.string()),
  totals: z.optional(totals),
  toolResults: z.optional(z.array(toolResult)),
  exchange: z.optional(z.object({ turn: z.number(), earlier: exchangeTotals })),
  budgetStops: z.optional(z.array(z.object({ skipped: z.array(z.string()), reason: z.string(), outcome: z.string() }))),
  route: z.optional(routeDecision),
});

// Compile-time drift checks: every real event and trace must satisfy the schemas.
type Assignable<T, U extends T> = U;
type _EventsFit = Assignable<z.input<typeof smoaEventSchema>, SmoaEvent>;
type _TraceFits = Assignable<z.input<typeof traceSchema>, Trace>;
