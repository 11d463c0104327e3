import type { ChatMessage, ChatRequest, ToolSpec } from '../pipeline/client';

/**
 * VS Code's Language Model API messages → the engine's chat messages (the transport writes them as OpenAI's). Pure: parts are recognised by their shape,
 * not with `instanceof`, so the real vscode classes and plain test objects go through the same code, in plain Node.
 */

/** vscode.LanguageModelChatMessageRole: User = 1, Assistant = 2; 3 (System) is only sent by newer VS Code builds. */
export const LM_ROLE = { user: 1, assistant: 2, system: 3 } as const;

export interface LmMessage {
  readonly role: number;
  readonly content: readonly unknown[];
  readonly name?: string | undefined;
}

export type LmPart =
  | { kind: 'text'; text: string }
  | { kind: 'tool-call'; callId: string; name: string; input: unknown }
  | { kind: 'tool-result'; callId: string; text: string }
  | { kind: 'other' };

/** vscode.LanguageModelChatTool */
export interface LmTool {
  readonly name: string;
  readonly description: string;
  readonly inputSchema?: object | undefined;
}

/** vscode.LanguageModelChatToolMode: Auto = 1, Required = 2. */
export const LM_TOOL_MODE = { auto: 1, required: 2 } as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Tells a part's kind from its fields: LanguageModelTextPart, LanguageModelToolCallPart, LanguageModelToolResultPart. */
export function classifyPart(part: unknown): LmPart {
  if (typeof part === 'string') return { kind: 'text', text: part };
  if (!isRecord(part)) return { kind: 'other' };
  if (typeof part.callId === 'string' && typeof part.name === 'string' && 'input' in part) {
    return { kind: 'tool-call', callId: part.callId, name: part.name, input: part.input };
  }
  if (typeof part.callId === 'string' && Array.isArray(part.content)) {
    return { kind: 'tool-result', callId: part.callId, text: partsText(part.content) };
  }
  if (typeof part.value === 'string') return { kind: 'text', text: part.value };
  return { kind: 'other' };
}

/**
 * The text of a list of parts. A tool result may also hold prompt-tsx parts (a JSON element tree); those are sent as
 * JSON, which a model can still read, rather than dropped.
 */
function partsText(parts: readonly unknown[]): string {
  return parts
    .map((p) => {
      const part = classifyPart(p);
      if (part.kind === 'text' || part.kind === 'tool-result') return part.text;
      if (isRecord(p) && 'value' in p && p.value !== undefined) return JSON.stringify(p.value);
      return '';
    })
    .join('');
}

export function toChatMessages(messages: readonly LmMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const message of messages) {
    const parts = message.content.map(classifyPart);
    const text = parts.map((p) => (p.kind === 'text' ? p.text : '')).join('');
    if (message.role === LM_ROLE.assistant) {
      const calls = parts.flatMap((p) => (p.kind === 'tool-call' ? [p] : []));
      out.push({
        role: 'assistant',
        content: text,
        ...(calls.length ? { toolCalls: calls.map((c) => ({ callId: c.callId, name: c.name, input: objectInput(c.input) })) } : {}),
      });
    } else if (message.role === LM_ROLE.system) {
      if (text) out.push({ role: 'system', content: text });
    } else {
      // OpenAI wants each tool result as its own `tool` message right after the assistant's tool_calls, so results come
      // first and any text the user message also carries follows as a user message.
      for (const p of parts) if (p.kind === 'tool-result') out.push({ role: 'tool', toolCallId: p.callId, content: p.text });
      const hadResults = parts.some((p) => p.kind === 'tool-result');
      if (text || !hadResults) out.push({ role: 'user', content: text });
    }
  }
  return out;
}

function objectInput(input: unknown): object {
  return typeof input === 'object' && input !== null ? input : {};
}

export function toToolSpecs(
  tools: readonly LmTool[] | undefined,
  toolMode: number | undefined,
): Pick<ChatRequest, 'tools' | 'toolChoice'> {
  if (!tools || tools.length === 0) return {};
  return {
    tools: tools.map(
      (t): ToolSpec => ({
        name: t.name,
        description: t.description,
        ...(t.inputSchema ? { parameters: t.inputSchema as Record<string, unknown> } : {}),
      }),
    ),
    toolChoice: toolMode === LM_TOOL_MODE.required ? 'required' : 'auto',
  };
}
