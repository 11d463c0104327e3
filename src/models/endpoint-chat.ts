import OpenAI from 'openai';
import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import type { EndpointConfig, ModelConfig } from '../pipeline/config';
import type { ApiKeyResolver } from '../pipeline/openai-client';
import { toOpenAIMessages, toOpenAITools, type LmMessage, type LmTool } from './message-mapping';
import { ToolCallAssembler, type CompletedToolCall } from './tool-call-assembler';

/**
 * One chat request from VS Code's model picker straight to an OpenAI-compatible endpoint: no engine, no judge, the
 * user's own model answering with tools. The engine's client is not reused because it neither sends tools nor reads
 * tool calls, and it retries on its own terms; here the SDK's retries (before the first token) are enough.
 */

export interface EndpointChatRequest {
  endpoint: EndpointConfig;
  model: ModelConfig;
  messages: readonly LmMessage[];
  tools?: readonly LmTool[];
  toolMode?: number;
  /** vscode's modelOptions: only `temperature` is understood. */
  modelOptions?: { readonly [name: string]: unknown };
  apiKey: ApiKeyResolver;
  signal: AbortSignal;
  onText(text: string): void;
  onToolCall(call: CompletedToolCall): void;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'cancelled' | 'other';

/** What the user reads when a pass-through request fails: which model, on which endpoint, and what to try. */
export class EndpointChatError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'EndpointChatError';
  }
}

export function describeModel(model: ModelConfig, endpoint: EndpointConfig): string {
  return `SMoA model "${model.id}" (${model.model} on endpoint "${endpoint.id}", ${endpoint.baseURL})`;
}

export async function streamEndpointChat(req: EndpointChatRequest): Promise<FinishReason> {
  const { endpoint, model } = req;
  const where = describeModel(model, req.endpoint);
  const key = await req.apiKey(endpoint);
  if (endpoint.apiKeyEnv && !key) {
    throw new EndpointChatError(
      `${where}: no API key. Run "SMoA: Set API Key" for endpoint "${endpoint.id}", or set the environment variable ${endpoint.apiKeyEnv}.`,
    );
  }
  const client = new OpenAI({ baseURL: endpoint.baseURL, apiKey: key ?? 'not-needed', maxRetries: endpoint.maxRetries, timeout: endpoint.timeoutMs });
  const temperature = typeof req.modelOptions?.temperature === 'number' ? req.modelOptions.temperature : model.temperature;
  const body: ChatCompletionCreateParamsStreaming = {
    model: model.model,
    messages: toOpenAIMessages(req.messages),
    stream: true,
    ...toOpenAITools(req.tools, req.toolMode),
    ...(temperature !== undefined ? { temperature } : {}),
    ...(model.maxTokens !== undefined ? { max_tokens: model.maxTokens } : {}),
  };
  const calls = new ToolCallAssembler(where);
  const flushCalls = () => {
    for (const call of calls.take()) req.onToolCall(call);
  };
  let finish: FinishReason = 'other';
  try {
    const stream = await client.chat.completions.create(body, { signal: req.signal });
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (!choice) continue;
      if (choice.delta?.content) req.onText(choice.delta.content);
      calls.add(choice.delta?.tool_calls);
      if (choice.finish_reason) {
        finish = knownFinish(choice.finish_reason);
        flushCalls();
      }
    }
  } catch (error) {
    if (req.signal.aborted) return 'cancelled';
    throw explain(error, where);
  }
  // The SDK ends the iteration without an error when the signal aborts; half a tool call must not be reported then.
  if (req.signal.aborted) return 'cancelled';
  // Some servers end the stream without a finish_reason; the calls gathered are still whole.
  flushCalls();
  return finish;
}

function knownFinish(reason: string): FinishReason {
  return reason === 'stop' || reason === 'length' || reason === 'tool_calls' || reason === 'content_filter' ? reason : 'other';
}

function explain(error: unknown, where: string): Error {
  if (error instanceof EndpointChatError) return error;
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    const body = error.error as { message?: string } | undefined;
    const detail = (body?.message ?? error.message).replace(/^\d{3}\s+/, '');
    const hint =
      error.status === 401 || error.status === 403
        ? ' Check the API key ("SMoA: Set API Key").'
        : error.status === 404
          ? ` Does the endpoint serve this model? Check "model" in the setting smoa.models.`
          : '';
    return new EndpointChatError(`${where}: HTTP ${error.status}: ${detail}.${hint}`, error.status);
  }
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new EndpointChatError(`${where}: timed out (the endpoint's timeoutMs in smoa.endpoints).`);
  }
  if (error instanceof OpenAI.APIConnectionError) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return new EndpointChatError(`${where}: cannot reach the endpoint (${cause?.code ?? cause?.message ?? error.message}).`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new EndpointChatError(`${where}: ${message}`);
}
