import type { ChatMessage } from '../pipeline/client';
import type { HistoryTurn } from './chat-port';

/** Earlier turns cost tokens in every proposer call; the last few are what a follow-up question leans on. */
const MAX_HISTORY_TURNS = 10;

/** Commands whose turns are not part of the conversation (they talk about SMoA, not the user's question). */
const META_COMMANDS = new Set(['roles']);

/**
 * Rebuilds the conversation from the chat's history of @smoa turns. A response's answer comes from our metadata when
 * present, so progress lines and the run summary never reach the models as if the assistant had said them.
 */
export function historyMessages(turns: readonly HistoryTurn[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  let skipNextResponse = false;
  for (const turn of turns) {
    if (turn.kind === 'request') {
      skipNextResponse = turn.command !== undefined && META_COMMANDS.has(turn.command);
      if (!skipNextResponse && turn.prompt.trim()) messages.push({ role: 'user', content: turn.prompt });
      continue;
    }
    if (skipNextResponse) {
      skipNextResponse = false;
      continue;
    }
    const text = (turn.metadata?.answer ?? turn.text).trim();
    if (text) messages.push({ role: 'assistant', content: text });
  }
  return messages.slice(-MAX_HISTORY_TURNS * 2);
}
