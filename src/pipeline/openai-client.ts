import OpenAI from 'openai';
import type { ChatCompletionCreateParamsStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import {
  CallError,
  estimateUsage,
  type CallErrorKind,
  type ChatClient,
  type ChatMessage,
  type ChatRequest,
  type ChatResponse,
  type FinishReason,
  type TokenUsage,
  type ToolCall,
} from './client';
import type { EndpointConfig } from './config';
import { backoffDelay, DEFAULT_BACKOFF, parseRetryAfter, sleep, type BackoffOptions } from './retry';
import { Semaphore } from './semaphore';
import { addUsage } from './tokens';
import { SilenceTimer } from './silence-timer';
import { ToolCallAssembler } from './tool-calls';
import { maskUrl, redactSecrets, secrets } from './secrets';

/**
 * The one OpenAI-compatible transport (the only module that imports the `openai` package). The engine's calls and the
 * model picker's pass-through both go through it, so both get the same retries, silence timeout, per-endpoint
 * concurrency cap, learned endpoint quirks, error classification and key redaction.
 */

/** Finds an endpoint's key. Environment variables here; the extension adds SecretStorage in front. */
export type ApiKeyResolver = (endpoint: EndpointConfig) => string | undefined | Promise<string | undefined>;

export const envApiKey: ApiKeyResolver = (endpoint) =>
  endpoint.apiKeyEnv ? process.env[endpoint.apiKeyEnv] || undefined : undefined;

export interface EndpointPoolOptions {
  apiKey?: ApiKeyResolver;
  backoff?: BackoffOptions;
  random?: () => number;
}

/**
 * Per-endpoint state shared by every call to it: the concurrency cap and what we learned about the server
 * (some reject `response_format` or `stream_options`; we stop sending them after the first refusal).
 */
class EndpointState {
  readonly semaphore: Semaphore;
  acceptsResponseFormat: boolean;
  acceptsStreamOptions = true;
  /** Models that refuse `temperature` (reasoning models) or want `max_completion_tokens` instead of `max_tokens`. */
  readonly modelQuirks = new Map<string, { noTemperature?: boolean; maxCompletionTokens?: boolean }>();
  private sdk?: { key: string; client: OpenAI };

  constructor(readonly config: EndpointConfig) {
    this.semaphore = new Semaphore(config.maxConcurrency);
    this.acceptsResponseFormat = config.structuredOutputs !== 'prompt';
  }

  client(key: string): OpenAI {
    if (this.sdk?.key !== key) {
      // Retries and timeouts are ours (to report them as events and tell timeouts from cancels), so the SDK's are off.
      this.sdk = { key, client: new OpenAI({ baseURL: this.config.baseURL, apiKey: key, maxRetries: 0, timeout: 24 * 3600_000 }) };
    }
    return this.sdk.client;
  }
}

/**
 * Holds the state of every configured endpoint; hands out one ChatClient per (endpoint, model). The extension keeps
 * one pool per window, so caps and learned quirks hold across chat, panel and model-picker requests.
 */
export class EndpointPool {
  private readonly states = new Map<string, EndpointState>();

  constructor(private readonly options: EndpointPoolOptions = {}) {}

  clientFor(endpoint: EndpointConfig, model: string): ChatClient {
    const key = JSON.stringify(endpoint);
    let state = this.states.get(key);
    if (!state) {
      state = new EndpointState(endpoint);
      this.states.set(key, state);
    }
    return new OpenAICompatibleClient(state, model, this.options);
  }
}

class OpenAICompatibleClient implements ChatClient {
  constructor(
    private readonly endpoint: EndpointState,
    private readonly model: string,
    private readonly options: EndpointPoolOptions,
  ) {}

  async complete(request: ChatRequest): Promise<ChatResponse> {
    const { config } = this.endpoint;
    const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
    const apiKey = await (this.options.apiKey ?? envApiKey)(config);
    // Registered before its first use: from here on no output of the process can show it.
    secrets.register(apiKey);
    secrets.registerUrl(config.baseURL);
    if (config.apiKeyEnv && !apiKey) {
      throw new CallError(
        `endpoint "${config.id}": no API key (environment variable ${config.apiKeyEnv} is not set)`,
        'auth',
      );
    }
    // Every attempt the server started generating for is billed, also one cut, retried or cancelled: its usage
    // (reported, or counted from what streamed with the token rule) joins the call's.
    let billed: TokenUsage | undefined;
    let maxTokens = request.maxTokens;
    for (let attempt = 1; ; attempt++) {
      let release: () => void;
      try {
        release = await this.endpoint.semaphore.acquire(request.signal);
      } catch {
        throw new CallError('cancelled', 'cancelled', undefined, attempt, billed);
      }
      let failure: CallError;
      let retryAfterMs: number | undefined;
      let lastBilled: TokenUsage | undefined;
      const progress: AttemptProgress = { output: false, opened: false, text: '' };
      try {
        const response = await this.attempt(apiKey ?? 'not-needed', { ...request, maxTokens }, progress);
        return { ...response, usage: addUsage(billed, response.usage)!, attempts: attempt };
      } catch (error) {
        lastBilled = progress.opened ? (progress.usage ?? estimateUsage(request.messages, progress.text, maxTokens)) : undefined;
        billed = addUsage(billed, lastBilled);
        if (request.signal.aborted) throw new CallError('cancelled', 'cancelled', undefined, attempt, billed);
        if (this.learnQuirk(error)) {
          attempt--; // not the server's fault: retry at once without the refused parameter
          continue;
        }
        failure = this.classify(error, attempt, billed);
        retryAfterMs = error instanceof OpenAI.APIError ? parseRetryAfter((n) => error.headers?.get(n)) : undefined;
      } finally {
        release();
      }
      const retryable = ['rate-limit', 'server', 'connection'].includes(failure.kind);
      const mayRestart = request.retry !== 'before-output' || !progress.output;
      if (!retryable || !mayRestart || attempt > config.maxRetries) throw failure;
      if (retryAfterMs !== undefined && retryAfterMs > backoff.maxRetryAfterMs) {
        throw new CallError(
          `${failure.message}; the server asks to retry after ${Math.round(retryAfterMs / 1000)} s`,
          failure.kind,
          failure.status,
          attempt,
          billed,
        );
      }
      const delayMs = retryAfterMs ?? backoffDelay(attempt, backoff, this.options.random);
      const decision = request.onRetry?.({ attempt: attempt + 1, delayMs, reason: failure.message, ...(lastBilled ? { billed: lastBilled } : {}) });
      if (decision && 'stop' in decision) throw new CallError(`${failure.message}; not retried: ${decision.stop}`, failure.kind, failure.status, attempt, billed);
      if (decision && decision.maxTokens !== undefined) maxTokens = decision.maxTokens;
      try {
        await sleep(delayMs, request.signal);
      } catch {
        throw new CallError('cancelled', 'cancelled', undefined, attempt, billed);
      }
    }
  }

  private async attempt(apiKey: string, request: ChatRequest, progress: AttemptProgress): Promise<Omit<ChatResponse, 'attempts'>> {
    const { config } = this.endpoint;
    const structured = request.responseFormat !== undefined && this.endpoint.acceptsResponseFormat;
    const quirks = this.endpoint.modelQuirks.get(this.model) ?? {};
    const body: ChatCompletionCreateParamsStreaming = {
      model: this.model,
      messages: toWireMessages(request.messages),
      stream: true,
      ...(this.endpoint.acceptsStreamOptions ? { stream_options: { include_usage: true } } : {}),
      ...(request.temperature !== undefined && !quirks.noTemperature ? { temperature: request.temperature } : {}),
      ...(request.maxTokens !== undefined
        ? quirks.maxCompletionTokens
          ? { max_completion_tokens: request.maxTokens }
          : { max_tokens: request.maxTokens }
        : {}),
      ...(structured && request.responseFormat
        ? {
            response_format: {
              type: 'json_schema',
              json_schema: { name: request.responseFormat.name, schema: request.responseFormat.schema, strict: true },
            },
          }
        : {}),
      ...(request.tools?.length
        ? {
            tools: request.tools.map((t) => ({
              type: 'function' as const,
              function: { name: t.name, description: t.description, parameters: t.parameters ?? NO_INPUT },
            })),
            tool_choice: request.toolChoice ?? 'auto',
          }
        : {}),
    };
    // The timeout counts silence, not total time: a slow model that keeps streaming is not cut off mid-answer,
    // a hung one is abandoned after timeoutMs without a byte, also once the headers have arrived.
    const silence = new SilenceTimer(config.timeoutMs);
    const signal = AbortSignal.any([request.signal, silence.signal]);
    const assembler = new ToolCallAssembler(`endpoint "${config.id}" (model "${this.model}")`);
    const toolCalls: ToolCall[] = [];
    const flushCalls = () => {
      for (const call of assembler.take()) {
        toolCalls.push(call);
        progress.output = true;
        request.onToolCall?.(call);
      }
    };
    let text = '';
    let usage: TokenUsage | undefined;
    let finishReason: FinishReason | undefined;
    try {
      const headers = request.stage ? { 'x-smoa-stage': request.stage } : undefined;
      const stream = await this.endpoint.client(apiKey).chat.completions.create(body, { signal, ...(headers ? { headers } : {}) });
      // The server accepted the request and generates: from here on this attempt is billed.
      progress.opened = true;
      for await (const chunk of stream) {
        silence.heard();
        const choice = chunk.choices[0];
        const piece = choice?.delta?.content;
        if (piece) {
          text += piece;
          progress.text = text;
          progress.output = true;
          request.onToken?.(piece);
        }
        assembler.add(choice?.delta?.tool_calls);
        if (choice?.finish_reason) {
          finishReason = knownFinish(choice.finish_reason);
          flushCalls();
        }
        if (chunk.usage) {
          usage = {
            promptTokens: chunk.usage.prompt_tokens,
            completionTokens: chunk.usage.completion_tokens,
            estimated: false,
          };
          progress.usage = usage;
        }
      }
      // The SDK may end an aborted stream quietly instead of throwing: a cut-off text is not an answer.
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      // Some servers end the stream without a finish_reason; the calls gathered are still whole.
      flushCalls();
    } catch (error) {
      if (silence.fired && !request.signal.aborted) {
        throw new CallError(`timed out: no data for ${formatSeconds(config.timeoutMs)} (endpoint "${config.id}" timeoutMs)`, 'timeout');
      }
      throw error;
    } finally {
      silence.stop();
    }
    if (text.trim() === '' && toolCalls.length === 0) throw new CallError('the model returned an empty answer', 'empty');
    return {
      text,
      usage: usage ?? estimateUsage(request.messages, text, request.maxTokens),
      structured,
      ...(toolCalls.length ? { toolCalls } : {}),
      ...(finishReason ? { finishReason } : {}),
    };
  }

  /** True when the error says the endpoint refuses a parameter we can do without; we then stop sending it. */
  private learnQuirk(error: unknown): boolean {
    if (!(error instanceof OpenAI.APIError) || error.status !== 400) return false;
    const text = `${error.message} ${JSON.stringify(error.error ?? '')}`.toLowerCase();
    if (this.endpoint.acceptsResponseFormat && this.endpoint.config.structuredOutputs === 'auto' && /response_format|json_schema|structured output/.test(text)) {
      this.endpoint.acceptsResponseFormat = false;
      return true;
    }
    if (this.endpoint.acceptsStreamOptions && /stream_options/.test(text)) {
      this.endpoint.acceptsStreamOptions = false;
      return true;
    }
    const quirks = this.endpoint.modelQuirks.get(this.model) ?? {};
    if (!quirks.noTemperature && /temperature/.test(text) && /unsupported|not support|only the default/.test(text)) {
      this.endpoint.modelQuirks.set(this.model, { ...quirks, noTemperature: true });
      return true;
    }
    if (!quirks.maxCompletionTokens && /max_tokens/.test(text) && /max_completion_tokens/.test(text)) {
      this.endpoint.modelQuirks.set(this.model, { ...quirks, maxCompletionTokens: true });
      return true;
    }
    return false;
  }

  private classify(error: unknown, attempts: number, usage?: TokenUsage): CallError {
    const where = `endpoint "${this.endpoint.config.id}"`;
    if (error instanceof CallError) return new CallError(error.message, error.kind, error.status, attempts, usage);
    if (error instanceof OpenAI.APIError && error.status !== undefined) {
      const status = error.status;
      const detail = apiErrorMessage(error);
      const code = (error.code ?? '').toString();
      let kind: CallErrorKind = 'unknown';
      if (status === 429) kind = 'rate-limit';
      else if (status >= 500 || status === 408 || status === 409) kind = 'server';
      else if (status === 401 || status === 403) kind = 'auth';
      else if (status === 404) kind = 'not-found';
      else if (code === 'context_length_exceeded' || /context length|maximum context|too many tokens/i.test(detail)) {
        kind = 'context-overflow';
      } else if (status >= 400) kind = 'bad-request';
      const hint =
        kind === 'auth'
          ? ' (check the API key)'
          : kind === 'not-found'
            ? ` (does ${where} serve model "${this.model}"?)`
            : kind === 'context-overflow'
              ? ' (the prompt is too long for this model: fewer proposers, a smaller topK or shorter context help)'
              : '';
      return new CallError(`HTTP ${status}: ${detail}${hint}`, kind, status, attempts, usage);
    }
    const message = redactSecrets(error instanceof Error ? error.message : String(error));
    if (error instanceof OpenAI.APIConnectionError || error instanceof TypeError || /terminated|socket|ECONN|EPIPE|premature/i.test(message)) {
      return new CallError(`cannot reach ${where} at ${maskUrl(this.endpoint.config.baseURL)} (${rootCause(error) ?? message})`, 'connection', undefined, attempts, usage);
    }
    return new CallError(message, 'unknown', undefined, attempts, usage);
  }
}

/** What one attempt got before it ended: whether the server started answering, the text so far, reported usage. */
interface AttemptProgress {
  output: boolean;
  opened: boolean;
  text: string;
  usage?: TokenUsage;
}

/** An object schema is what OpenAI function parameters must be; a tool without one takes no input. */
const NO_INPUT = { type: 'object', properties: {} };

/** The engine's messages in Chat Completions form: tool calls as `tool_calls`, tool results as `tool` messages. */
function toWireMessages(messages: readonly ChatMessage[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId ?? '', content: m.content };
    if (m.role === 'assistant' && m.toolCalls?.length) {
      return {
        role: 'assistant',
        content: m.content || null,
        tool_calls: m.toolCalls.map((c) => ({
          id: c.callId,
          type: 'function',
          // Arguments go over the wire as a JSON string; the engine holds them as an object.
          function: { name: c.name, arguments: JSON.stringify(c.input ?? {}) },
        })),
      };
    }
    return { role: m.role, content: m.content };
  });
}

/** The innermost system error code (ECONNREFUSED, ENOTFOUND, ...) under the SDK's and fetch's wrappers. */
function rootCause(error: unknown): string | undefined {
  let found: string | undefined;
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 6; depth++) {
    if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) found = e.code;
    else if (!found && typeof e.message === 'string' && e.message !== 'fetch failed' && depth > 0) found = e.message;
    e = typeof e.cause === 'object' && e.cause !== null ? (e.cause as typeof e) : undefined;
  }
  return found;
}

function knownFinish(reason: string): FinishReason {
  return reason === 'stop' || reason === 'length' || reason === 'tool_calls' || reason === 'content_filter' ? reason : 'other';
}

function apiErrorMessage(error: InstanceType<typeof OpenAI.APIError>): string {
  const body = error.error as { message?: string } | undefined;
  return redactSecrets((body?.message ?? error.message).replace(/^\d{3}\s+/, ''));
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
