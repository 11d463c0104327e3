import * as z from 'zod/mini';
import { describe, type Parsed } from './parse';
import { STRATEGIES } from '../pipeline/strategy/traits';
import type { SmoaEvent } from '../pipeline/events';
import type { Trace } from '../pipeline/trace';
import { smoaEventSchema, traceSchema } from './event-schema';

/**
 * The trace panel's message protocol, imported by the extension host and the webview alike. Each side validates
 * every message it receives with these schemas: the webview's messages are input from a page that renders model
 * output, and the host's are input to code that renders it.
 */

export const VIEW_TYPE = 'smoa.tracePanel';

const runId = z.string().check(z.minLength(1), z.maxLength(200));
const strategy = z.enum(STRATEGIES);

const runSummarySchema = z.object({
  runId,
  origin: z.string(),
  prompt: z.string(),
  strategy,
  startedAt: z.string(),
  status: z.enum(['ok', 'failed', 'cancelled', 'running']),
  /** A trace loaded from a file rather than a run of this window. */
  offline: z.optional(z.boolean()),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

const panelDefaultsSchema = z.object({
  strategy,
  layers: z.int().check(z.minimum(1), z.maximum(10)),
  topK: z.int().check(z.minimum(1)),
  proposers: z.int().check(z.minimum(0)),
  /** Set when the settings are unusable; the panel shows it next to the Run button. */
  configError: z.optional(z.string()),
  /** smoa.budget: what an empty Max $ / Max tokens field means. */
  budget: z.optional(z.object({ maxUsd: z.optional(z.number()), maxTokens: z.optional(z.number()) })),
});
export type PanelDefaults = z.infer<typeof panelDefaultsSchema>;

/** Host → webview. */
const hostMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('config'), defaults: panelDefaultsSchema }),
  z.object({ type: z.literal('runList'), runs: z.array(runSummarySchema) }),
  /** Show this run from the start: `events` replays what happened so far; further events come in batches. */
  z.object({ type: z.literal('runStarted'), runId, origin: z.string(), events: z.array(smoaEventSchema) }),
  z.object({ type: z.literal('events'), runId, events: z.array(smoaEventSchema) }),
  /** A finished trace to show without live events (opened from a file); `runId` is its own entry in the run list. */
  z.object({ type: z.literal('traceLoaded'), runId, trace: traceSchema, source: z.string() }),
  z.object({ type: z.literal('error'), message: z.string() }),
  z.object({ type: z.literal('notice'), message: z.string() }),
  /** What a run of the prompt box's current prompt and controls would use at most (the reply to `estimate`). */
  z.object({ type: z.literal('estimate'), text: z.string() }),
]);

/** The panel's own budget for one run (empty: the setting `smoa.budget`). */
const budgetFields = {
  maxUsd: z.optional(z.number().check(z.positive('Max $ must be more than 0'))),
  maxTokens: z.optional(z.int().check(z.minimum(1, 'Max tokens must be at least 1'))),
};

/** Webview → host. */
const webviewMessageSchema = z.discriminatedUnion('type', [
  /** The webview (re)loaded; `restoredRunId` is the run its saved state showed (the host may show a requested one instead). */
  z.object({ type: z.literal('ready'), restoredRunId: z.optional(runId) }),
  z.object({
    type: z.literal('run'),
    prompt: z.string().check(z.trim(), z.minLength(1, 'type a prompt first'), z.maxLength(200_000)),
    strategy,
    layers: z.int().check(z.minimum(1), z.maximum(10)),
    topK: z.int().check(z.minimum(1), z.maximum(64)),
    ...budgetFields,
  }),
  z.object({ type: z.literal('stop'), runId }),
  z.object({ type: z.literal('insert'), runId }),
  z.object({ type: z.literal('copy'), runId }),
  z.object({ type: z.literal('export'), runId }),
  z.object({ type: z.literal('openTraceFile') }),
  z.object({ type: z.literal('selectRun'), runId }),
  z.object({
    type: z.literal('estimate'),
    prompt: z.string().check(z.maxLength(200_000)),
    strategy,
    layers: z.int().check(z.minimum(1), z.maximum(10)),
    topK: z.int().check(z.minimum(1), z.maximum(64)),
    ...budgetFields,
  }),
]);

// The schemas' output types are looser than the engine's (strings for enums it only displays, loose objects);
// consumers work with the engine's own types once a message has passed validation.
type Precise<M> = M extends { events: unknown[] }
  ? Omit<M, 'events'> & { events: SmoaEvent[] }
  : M extends { trace: unknown }
    ? Omit<M, 'trace'> & { trace: Trace }
    : M;
export type HostMessage = Precise<z.infer<typeof hostMessageSchema>>;
export type WebviewMessage = z.infer<typeof webviewMessageSchema>;


export function parseHostMessage(data: unknown): Parsed<HostMessage> {
  const parsed = hostMessageSchema.safeParse(data);
  if (!parsed.success) return { ok: false, error: describe(parsed.error) };
  // Validation passed: keep the original object, whose fields have the engine's precise types.
  return { ok: true, message: data as HostMessage };
}

export function parseWebviewMessage(data: unknown): Parsed<WebviewMessage> {
  const parsed = webviewMessageSchema.safeParse(data);
  return parsed.success ? { ok: true, message: parsed.data } : { ok: false, error: describe(parsed.error) };
}

/** Validates a loaded trace file's content beyond `validateTrace`'s quick checks. */
export function parseTrace(data: unknown): { ok: true; trace: Trace } | { ok: false; message: string } {
  const parsed = traceSchema.safeParse(data);
  return parsed.success ? { ok: true, trace: data as Trace } : { ok: false, message: describe(parsed.error) };
}
