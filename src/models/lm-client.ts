import * as vscode from 'vscode';
import { CallError, estimateUsage, type ChatClient, type ChatMessage, type ChatRequest, type ChatResponse, type TokenUsage, type ToolCall } from '../pipeline/client';
import type { ModelConfig } from '../pipeline/config';
import { DEFAULT_SILENCE_MS, SilenceTimer } from '../pipeline/silence-timer';
import { matchesSelector, parseSelector } from '../host/vscode-models';
import { infoOf } from '../host/vscode-lm';
import { classifyLmError, toLmTurns } from './lm-messages';

/** Finds the model a config entry on the "vscode" endpoint names ("vendor/family" or an id). */
async function findModel(config: ModelConfig): Promise<vscode.LanguageModelChat> {
  const selector = parseSelector(config.model);
  const direct = await vscode.lm.selectChatModels(selector);
  // An id that is really a family name ("gpt-4o") is matched too: it is what users type.
  const found = direct[0] ?? (await vscode.lm.selectChatModels()).find((m) => matchesSelector(infoOf(m), selector));
  if (!found) {
    throw new CallError(
      `VS Code offers no model "${config.model}" (smoa.models entry "${config.id}"); is its extension (e.g. GitHub Copilot) installed and signed in?`,
      'not-found',
    );
  }
  return found;
}

/**
 * The engine's ChatClient for a model VS Code offers (Copilot's and others'). Streams through `sendRequest`,
 * cancels through a CancellationToken tied to the engine's AbortSignal, counts tokens with the model's tokenizer.
 */
export class LanguageModelClient implements ChatClient {
  constructor(private readonly config: ModelConfig) {}

  async complete(request: ChatRequest): Promise<ChatResponse> {
    const cts = new vscode.CancellationTokenSource();
    const onAbort = () => cts.cancel();
    request.signal.addEventListener('abort', onAbort, { once: true });
    const name = this.config.label ?? this.config.model;
    let silence: SilenceTimer | undefined;
    try {
      if (request.signal.aborted) throw new CallError('cancelled', 'cancelled');
      const model = await findModel(this.config);
      const tools = request.tools?.length ? request.tools : undefined;
      const messages = tools
        ? withToolParts(request.messages)
        : toLmTurns(request.messages).map((t) =>
            t.role === 'user' ? vscode.LanguageModelChatMessage.User(t.content) : vscode.LanguageModelChatMessage.Assistant(t.content),
          );
      const response = await model.sendRequest(
        messages,
        {
          justification: 'SMoA asks several models the same question and combines their answers.',
          // Agent turns: the aggregator may call the chat's tools (see pipeline/agent-turn.ts).
          ...(tools
            ? {
                tools: tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.parameters })),
                toolMode: request.toolChoice === 'required' ? vscode.LanguageModelChatToolMode.Required : vscode.LanguageModelChatToolMode.Auto,
              }
            : {}),
        },
        cts.token,
      );
      // VS Code's models have no timeout of their own: a silent one is cancelled like a hung endpoint. The clock
      // starts once the request is accepted, so time spent in VS Code's consent dialog does not count.
      silence = new SilenceTimer(DEFAULT_SILENCE_MS);
      silence.signal.addEventListener('abort', onAbort, { once: true });
      let text = '';
      const toolCalls: ToolCall[] = [];
      // Errors can surface mid-stream; they land in the catch below like any other.
      for await (const part of response.stream) {
        silence.heard();
        if (part instanceof vscode.LanguageModelTextPart) {
          text += part.value;
          request.onToken?.(part.value);
        } else if (part instanceof vscode.LanguageModelToolCallPart && tools) {
          const call = { callId: part.callId, name: part.name, input: part.input };
          toolCalls.push(call);
          request.onToolCall?.(call);
        }
      }
      // A cancelled stream may end quietly: cut-off text is not an answer.
      if (request.signal.aborted || silence.fired) throw new CallError('cancelled', 'cancelled');
      if (text.trim() === '' && toolCalls.length === 0) throw new CallError('the model returned an empty answer', 'empty');
      if (toolCalls.length) return { text, usage: await usageOf(model, request, text, cts.token), attempts: 1, structured: false, toolCalls, finishReason: 'tool_calls' };
      // JSON is asked for in the prompt only: the Language Model API has no response_format.
      return { text, usage: await usageOf(model, request, text, cts.token), attempts: 1, structured: false };
    } catch (error) {
      if (silence?.fired && !request.signal.aborted) {
        throw new CallError(`timed out: ${name} sent nothing for ${DEFAULT_SILENCE_MS / 1000} s`, 'timeout');
      }
      throw classifyLmError(error, name, request.signal.aborted);
    } finally {
      silence?.stop();
      request.signal.removeEventListener('abort', onAbort);
      cts.dispose();
    }
  }
}

/**
 * VS Code reports no usage for a request: the counts are the model's own tokenizer run over what was sent and received
 * (or the engine's rough estimate when that fails), never billed figures, so they are always marked estimated.
 */
async function usageOf(model: vscode.LanguageModelChat, request: ChatRequest, text: string, token: vscode.CancellationToken): Promise<TokenUsage> {
  try {
    const counts = await Promise.all(request.messages.map((m) => model.countTokens(m.content, token)));
    const completionTokens = await model.countTokens(text, token);
    return { promptTokens: counts.reduce((a, b) => a + b, 0), completionTokens, estimated: true };
  } catch {
    return estimateUsage(request.messages, text);
  }
}

/**
 * The conversation with its tool traffic as Language Model API parts, for a model given tools: calls stay calls and
 * results stay results, so it can pair them. System text leads the first user message, as in toLmTurns; consecutive
 * messages of one role are joined (several tool results make one user message).
 */
function withToolParts(messages: readonly ChatMessage[]): vscode.LanguageModelChatMessage[] {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content.trim()).filter(Boolean).join('\n\n');
  const turns: { role: 'user' | 'assistant'; parts: (vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart | vscode.LanguageModelToolResultPart)[] }[] = [];
  if (system) turns.push({ role: 'user', parts: [new vscode.LanguageModelTextPart(`<instructions>\n${system}\n</instructions>`)] });
  for (const m of messages) {
    if (m.role === 'system') continue;
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const parts =
      m.role === 'tool'
        ? [new vscode.LanguageModelToolResultPart(m.toolCallId ?? '', [new vscode.LanguageModelTextPart(m.content)])]
        : [
            ...(m.content ? [new vscode.LanguageModelTextPart(m.content)] : []),
            ...(m.toolCalls ?? []).map((c) => new vscode.LanguageModelToolCallPart(c.callId, c.name, c.input)),
          ];
    const last = turns.at(-1);
    if (last && last.role === role) last.parts.push(...parts);
    else turns.push({ role, parts });
  }
  // Each role only ever holds its own kinds of part (results in user turns, calls in assistant turns).
  return turns.map((t) =>
    t.role === 'user'
      ? vscode.LanguageModelChatMessage.User(t.parts as (vscode.LanguageModelTextPart | vscode.LanguageModelToolResultPart)[])
      : vscode.LanguageModelChatMessage.Assistant(t.parts as (vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart)[]),
  );
}
