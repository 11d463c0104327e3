import { redactSecrets } from './secrets';
import { ruleUsage, tokenBound } from './tokens';

/**
 * The only way the engine talks to a model. The OpenAI-compatible client implements it here; the extension
 * implements it for VS Code's own models. Every call streams: `onToken` sees each piece as it arrives.
 */

type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** On an assistant message: the tools it called. */
  toolCalls?: ToolCall[];
  /** On a tool message: the call it answers. */
  toolCallId?: string;
}

/** A whole tool call, its arguments parsed (they stream as JSON text). */
export interface ToolCall {
  callId: string;
  name: string;
  input: object;
}

/** A function the model may call: OpenAI function-calling shape, JSON Schema parameters. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters?: Record<string, unknown>;
}

/**
 * When a failed call may be tried again. `restart`: any retryable failure, even mid-stream (the caller hears
 * `onRetry` and voids what streamed). `before-output`: only while nothing was streamed, for callers that cannot take
 * streamed text back (the model picker's pass-through writes straight into VS Code's chat).
 */
export type RetryPolicy = 'restart' | 'before-output';

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** True when the endpoint reported no usage and the counts are our estimate. */
  estimated: boolean;
}

/** A JSON reply the caller wants; clients that support structured outputs enforce `schema`. */
export interface JsonResponseFormat {
  name: string;
  schema: Record<string, unknown>;
}

interface RetryNotice {
  attempt: number;
  delayMs: number;
  reason: string;
  /** What the failed attempt was billed for (undefined: the server refused it before generating anything). */
  billed?: TokenUsage;
}

/** A caller's answer to a retry: go on (optionally with a smaller completion cap), or stop and fail the call. */
type RetryDecision = { stop: string } | { maxTokens?: number } | void;

export interface ChatRequest {
  messages: ChatMessage[];
  /** Which engine stage asks (sent as the `x-smoa-stage` header, so servers and tests can tell calls apart). */
  stage?: string;
  temperature?: number;
  maxTokens?: number;
  responseFormat?: JsonResponseFormat;
  signal: AbortSignal;
  onToken?: (text: string) => void;
  /** Called before a retry; text streamed by the failed attempt is void from then on. */
  onRetry?: (notice: RetryNotice) => RetryDecision;
  /** Functions the model may call; their calls arrive whole through `onToolCall`. */
  tools?: ToolSpec[];
  toolChoice?: 'auto' | 'required';
  onToolCall?: (call: ToolCall) => void;
  /** Default `restart`. */
  retry?: RetryPolicy;
}

export interface ChatResponse {
  text: string;
  usage: TokenUsage;
  /** How many attempts the call took (1 = no retry). */
  attempts: number;
  /** Whether the JSON format was enforced by the endpoint (false = only asked for in the prompt). */
  structured?: boolean;
  toolCalls?: ToolCall[];
  finishReason?: FinishReason;
}

export interface ChatClient {
  complete(request: ChatRequest): Promise<ChatResponse>;
}

export type CallErrorKind =
  | 'rate-limit'
  | 'server'
  | 'connection'
  | 'timeout'
  | 'context-overflow'
  | 'auth'
  | 'bad-request'
  | 'not-found'
  | 'cancelled'
  | 'empty'
  /** Not started: the budget had no room left for even a short answer. */
  | 'over-budget'
  | 'unknown';

/** A failed model call, with what a user needs to act on it. */
export class CallError extends Error {
  constructor(
    message: string,
    readonly kind: CallErrorKind,
    readonly status?: number,
    readonly attempts = 1,
    /** What the failed call's attempts were billed for (tokens streamed before a cut, retry or cancel). */
    readonly usage?: TokenUsage,
  ) {
    // A call's error text reaches chat, logs, traces, eval files and MCP results: no secret may be in it.
    super(redactSecrets(message));
    this.name = 'CallError';
  }
}

/** Tokens of a text under the project's one token rule (tokens.ts): an upper bound, not a tokenizer's count. */
export function estimateTokens(text: string): number {
  return tokenBound(text);
}

/** Usage for endpoints that report none, counted with the token rule (so it errs high, never low). */
export function estimateUsage(messages: readonly ChatMessage[], completion: string, maxTokens?: number): TokenUsage {
  return ruleUsage(messages, completion, maxTokens);
}
