import * as z from 'zod/mini';
import type { Trace } from '../pipeline/trace';
import { traceSchema } from './event-schema';
import { describe, type Parsed } from './parse';

/**
 * What `smoa mcp` and its MCP App (the consult trace view, src/views/webview/mcp-app) agree on. Browser-safe: the
 * server imports it to build the tool result, the App to read it.
 */

/** The App's resource: a single HTML document, served by `resources/read`. */
export const TRACE_VIEW_URI = 'ui://smoa/consult-trace.html';

/** The MIME type MCP Apps hosts render (the profile marks an App, not any HTML). */
export const MCP_APP_MIME_TYPE = 'text/html;profile=mcp-app';

/**
 * The key of the consult result's `_meta` that carries the run's trace to the App. Hosts hand the App the whole
 * result; the model sees `content` only (VS Code gives the model `structuredContent` instead of the text when a result
 * has it, so the trace must not go there).
 */
export const TRACE_RESULT_META_KEY = 'smoa/trace';

/** A trace larger than this (as JSON) is left out of the result: the App then says so and names the trace file. */
export const MAX_RESULT_TRACE_CHARS = 4_000_000;

/** Set instead of the trace when it was left out, saying why (and where the trace file is, when it was saved). */
export const TRACE_OMITTED_META_KEY = 'smoa/traceOmitted';

/** The App-protocol version this App speaks (MCP Apps, SEP-1865). */
export const MCP_APP_PROTOCOL_VERSION = '2026-01-26';

const toolResultSchema = z.looseObject({
  content: z.optional(z.array(z.looseObject({ type: z.string(), text: z.optional(z.string()) }))),
  isError: z.optional(z.boolean()),
  _meta: z.optional(z.record(z.string(), z.unknown())),
});

/** What the App can show from a tool result: the run's trace, or the result's own text and why there is no trace. */
export type TraceViewContent = { kind: 'trace'; trace: Trace } | { kind: 'text'; text: string; why: string; isError: boolean };

export function readToolResult(result: unknown): Parsed<TraceViewContent> {
  const parsed = toolResultSchema.safeParse(result);
  if (!parsed.success) return { ok: false, error: `the tool result is malformed (${describe(parsed.error)})` };
  const text = (parsed.data.content ?? []).flatMap((c) => (c.type === 'text' && c.text !== undefined ? [c.text] : [])).join('\n');
  const meta = parsed.data._meta ?? {};
  const raw = meta[TRACE_RESULT_META_KEY];
  if (raw === undefined) {
    const omitted = meta[TRACE_OMITTED_META_KEY];
    const why = typeof omitted === 'string' ? omitted : 'the result carries no trace (an older server, or the host left out the result\'s _meta)';
    return { ok: true, message: { kind: 'text', text, why, isError: parsed.data.isError === true } };
  }
  const trace = traceSchema.safeParse(raw);
  if (!trace.success) return { ok: false, error: `the run's trace in the result is malformed (${describe(trace.error)})` };
  // Validation passed: keep the original object, whose fields have the engine's precise types.
  return { ok: true, message: { kind: 'trace', trace: raw as Trace } };
}
