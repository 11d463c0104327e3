import { z } from 'zod';
import type { SmoaEvent } from '../pipeline/events';
import type { Trace } from '../pipeline/trace';

/**
 * Runtime schemas for what crosses the webview boundary: the engine's events and a whole trace. They mirror the
 * TypeScript types in src/pipeline (the source of truth); the assignability checks at the bottom fail the build
 * when the two drift apart. Unknown extra fields pass (and are kept: callers use the original object) so an older
 * panel can show a newer run; wrong types do not pass.
 */

const usage = z.object({ promptTokens: z.number(), completionTokens: z.number(), estimated: z.boolean() });
const failure = z.object({ message: z.string(), kind: z.string(), status: z.number().optional(), attempts: z.number() });
const totals = z.object({
  calls: z.number(),
  failedCalls: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  estimated: z.boolean(),
  cost: z.object({ usd: z.number(), complete: z.boolean() }).optional(),
  wallMs: z.number(),
  firstAnswerTokenMs: z.number().optional(),
  layersRun: z.number(),
});
const stage = z.enum(['roles', 'proposer', 'judge', 'moderator', 'aggregator']);
const strategy = z.enum(['smoa', 'moa', 'single', 'rank']);
const runStatus = z.enum(['ok', 'failed', 'cancelled']);
const proposerSlot = z.object({ slot: z.number(), modelId: z.string(), role: z.string().optional() });
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
  layer: z.number().optional(),
  slot: z.number().optional(),
  modelId: z.string(),
  model: z.string(),
  role: z.string().optional(),
  note: z.string().optional(),
};

const ev = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ t: z.number(), type: z.literal(type), ...shape });

export const smoaEventSchema = z.discriminatedUnion('type', [
  ev('run-started', { runId: z.string(), startedAt: z.string(), strategy, prompt: z.string(), config }),
  ev('roles-assigned', { roles: z.array(z.string()), source: z.enum(['generated', 'cached', 'configured', 'fallback']), note: z.string().optional() }),
  ev('layer-started', { layer: z.number(), of: z.number(), proposers: z.array(proposerSlot) }),
  ev('call-started', callInfo),
  ev('call-token', { callId: z.string(), text: z.string() }),
  ev('call-retry', { callId: z.string(), attempt: z.number(), delayMs: z.number(), reason: z.string() }),
  ev('call-done', {
    callId: z.string(),
    text: z.string(),
    usage,
    cost: z.number().optional(),
    latencyMs: z.number(),
    ttftMs: z.number().optional(),
    attempts: z.number(),
  }),
  ev('call-failed', { callId: z.string(), error: failure, latencyMs: z.number(), partialText: z.string().optional() }),
  ev('judge-picks', { layer: z.number(), picks: z.array(z.number()), reason: z.string(), fallback: z.boolean() }),
  ev('judge-fallback', { layer: z.number(), problem: z.string(), rule: z.string(), raw: z.string().optional() }),
  ev('moderator-decision', { layer: z.number(), stop: z.boolean(), reason: z.string(), fallback: z.boolean().optional() }),
  ev('layer-done', { layer: z.number(), kept: z.array(z.number()), failed: z.array(z.number()) }),
  ev('layer-skipped', { layer: z.number(), reason: z.string() }),
  ev('answer-token', { text: z.string() }),
  ev('run-finished', {
    status: runStatus,
    answer: z.string(),
    answerSource: z.string().optional(),
    error: z.string().optional(),
    totals,
  }),
]);

const traceCall = z.object({
  ...callInfo,
  status: z.enum(['running', 'done', 'failed']),
  text: z.string(),
  usage: usage.optional(),
  cost: z.number().optional(),
  startedMs: z.number(),
  endedMs: z.number().optional(),
  latencyMs: z.number().optional(),
  ttftMs: z.number().optional(),
  attempts: z.number(),
  retries: z.array(z.object({ attempt: z.number(), delayMs: z.number(), reason: z.string() })),
  error: failure.optional(),
});

const traceLayer = z.object({
  layer: z.number(),
  status: z.enum(['running', 'done', 'skipped']),
  proposers: z.array(proposerSlot),
  proposalCalls: z.record(z.string(), z.string()),
  judge: z
    .looseObject({
      picks: z.array(z.number()),
      reason: z.string(),
      fallback: z.boolean(),
      problem: z.string().optional(),
      rule: z.string().optional(),
      raw: z.string().optional(),
    })
    .optional(),
  moderator: z.object({ stop: z.boolean(), reason: z.string(), fallback: z.boolean().optional() }).optional(),
  kept: z.array(z.number()).optional(),
  failed: z.array(z.number()).optional(),
  skippedReason: z.string().optional(),
});

export const traceSchema = z.object({
  version: z.literal(1),
  runId: z.string(),
  startedAt: z.string(),
  strategy,
  prompt: z.string(),
  config,
  roles: z.object({ roles: z.array(z.string()), source: z.string(), note: z.string().optional() }).optional(),
  layers: z.array(traceLayer),
  calls: z.array(traceCall),
  answer: z.string(),
  answerSource: z.string().optional(),
  status: z.enum(['ok', 'failed', 'cancelled', 'running']),
  error: z.string().optional(),
  totals: totals.optional(),
});

// Compile-time drift checks: every real event and trace must satisfy the schemas.
type Assignable<T, U extends T> = U;
export type _EventsFit = Assignable<z.input<typeof smoaEventSchema>, SmoaEvent>;
export type _TraceFits = Assignable<z.input<typeof traceSchema>, Trace>;
