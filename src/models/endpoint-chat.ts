import { maskUrl } from '../pipeline/secrets';
import { CallError, type FinishReason, type ToolCall } from '../pipeline/client';
import type { EndpointConfig, ModelConfig } from '../pipeline/config';
import type { EndpointPool } from '../pipeline/openai-client';
import { toChatMessages, toToolSpecs, type LmMessage, type LmTool } from './message-mapping';

/**
 * One chat request from VS Code's model picker straight to an OpenAI-compatible endpoint: no engine, no judge, the
 * user's own model answering with tools. It goes through the engine's transport and the window's endpoint pool, so it
 * shares their caps, quirks, silence timeout and key redaction; it retries only before the first token, since text
 * already shown in VS Code's chat cannot be taken back.
 */

export interface EndpointChatRequest {
  endpoint: EndpointConfig;
  model: ModelConfig;
  messages: readonly LmMessage[];
  tools?: readonly LmTool[];
  toolMode?: number;
  /** vscode's modelOptions: only `temperature` is understood. */
  modelOptions?: { readonly [name: string]: unknown };
  /** The window's pool (it also resolves keys). */
  pool: EndpointPool;
  signal: AbortSignal;
  onText(text: string): void;
  onToolCall(call: ToolCall): void;
}

export type PassThroughFinish = FinishReason | 'cancelled';

/** What the user reads when a pass-through request fails: which model, on which endpoint, and what to try. */
class EndpointChatError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'EndpointChatError';
  }
}

function describeModel(model: ModelConfig, endpoint: EndpointConfig): string {
  return `SMoA model "${model.id}" (${model.model} on endpoint "${endpoint.id}", ${maskUrl(endpoint.baseURL)})`;
}

export async function streamEndpointChat(req: EndpointChatRequest): Promise<PassThroughFinish> {
  const { endpoint, model } = req;
  const temperature = typeof req.modelOptions?.temperature === 'number' ? req.modelOptions.temperature : model.temperature;
  try {
    const response = await req.pool.clientFor(endpoint, model.model).complete({
      messages: toChatMessages(req.messages),
      ...toToolSpecs(req.tools, req.toolMode),
      ...(temperature !== undefined ? { temperature } : {}),
      ...(model.maxTokens !== undefined ? { maxTokens: model.maxTokens } : {}),
      signal: req.signal,
      retry: 'before-output',
      onToken: req.onText,
      onToolCall: req.onToolCall,
    });
    return response.finishReason ?? 'stop';
  } catch (error) {
    if (req.signal.aborted) return 'cancelled';
    throw explain(error, model, endpoint);
  }
}

function explain(error: unknown, model: ModelConfig, endpoint: EndpointConfig): EndpointChatError {
  const where = describeModel(model, endpoint);
  if (!(error instanceof CallError)) return new EndpointChatError(`${where}: ${error instanceof Error ? error.message : String(error)}`);
  if (error.kind === 'auth' && error.status === undefined) {
    return new EndpointChatError(
      `${where}: no API key. Run "SMoA: Set API Key" for endpoint "${endpoint.id}", or set the environment variable ${endpoint.apiKeyEnv}.`,
    );
  }
  const hint =
    error.kind === 'auth'
      ? ' Check the API key ("SMoA: Set API Key").'
      : error.kind === 'not-found'
        ? ' Check "model" in the setting smoa.models.'
        : error.kind === 'timeout'
          ? ` Raise the endpoint's timeoutMs in smoa.endpoints if the model is just slow.`
          : '';
  return new EndpointChatError(`${where}: ${error.message}.${hint}`, error.status);
}
