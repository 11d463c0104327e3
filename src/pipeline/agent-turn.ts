import type { ChatMessage, ToolSpec } from './client';
import type { ToolResultInfo } from './events';

/**
 * Agent turns (the ensemble in VS Code's Agent mode): the aggregator is the one member that may call tools. Proposers
 * and the judge advise from the conversation written out as text; the aggregator gets the conversation as it is, with
 * its tool calls and results in OpenAI's shape, plus the tool schemas.
 */
export interface AggregatorTools {
  tools: ToolSpec[];
  toolChoice?: 'auto' | 'required';
  /**
   * The whole conversation, tool traffic included, oldest first. It replaces history + prompt for the aggregator only;
   * its system messages (the agent's instructions) follow the engine's own.
   */
  conversation: ChatMessage[];
}

/** The aggregator's messages: the engine's system text (instructions, candidates), then the agent's conversation. */
export function aggregatorMessages(system: string, conversation: readonly ChatMessage[]): ChatMessage[] {
  return [...(system.trim() ? [{ role: 'system' as const, content: system }] : []), ...conversation];
}

/** The tool results since the last user message with text: what this turn brings (named by their calls). */
export function recentToolResults(conversation: readonly ChatMessage[]): ToolResultInfo[] {
  let start = 0;
  conversation.forEach((m, i) => {
    if (m.role === 'user' && m.content.trim()) start = i + 1;
  });
  const names = new Map<string, string>();
  for (const m of conversation) for (const c of m.toolCalls ?? []) names.set(c.callId, c.name);
  return conversation.slice(start).flatMap((m) => {
    if (m.role !== 'tool' || !m.toolCallId) return [];
    const name = names.get(m.toolCallId);
    return [{ toolCallId: m.toolCallId, ...(name ? { name } : {}), text: m.content }];
  });
}
