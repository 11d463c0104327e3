import { createHash } from 'node:crypto';
import { addToExchange } from '../pipeline/trace';
import type { ChatMessage } from '../pipeline/client';
import type { ExchangeTotals, RunTotals } from '../pipeline/events';

/**
 * Agent mode asks the ensemble once per step of a task: each tool round trip is a request, and each request a run of
 * its own. The requests of one task share the conversation up to the user's last message; that prefix names the task,
 * so the runs of one task can say what the task has cost so far. Kept in memory for the recent tasks only.
 */
export class AgentExchanges {
  private readonly tasks = new Map<string, ExchangeTotals>();

  constructor(private readonly keep = 32) {}

  /** This request's task and what its earlier runs cost (runs: 0 for a new task). */
  begin(conversation: readonly ChatMessage[]): { key: string; turn: number; earlier: ExchangeTotals } {
    const key = taskKey(conversation);
    const earlier = this.tasks.get(key) ?? { runs: 0, calls: 0, promptTokens: 0, completionTokens: 0 };
    return { key, turn: earlier.runs + 1, earlier };
  }

  /** A run of the task finished (whatever its status: a cancelled run cost what it used). */
  add(key: string, totals: RunTotals): void {
    const sum = addToExchange(this.tasks.get(key), totals);
    this.tasks.delete(key); // re-insert: the Map's order is then least recently used first
    this.tasks.set(key, sum);
    while (this.tasks.size > this.keep) this.tasks.delete(this.tasks.keys().next().value as string);
  }
}

/** The conversation through the last user message with text: the same for every step of one agent task. */
function taskKey(conversation: readonly ChatMessage[]): string {
  let end = conversation.length;
  for (let i = conversation.length - 1; i >= 0; i--) {
    if (conversation[i].role === 'user' && conversation[i].content.trim()) {
      end = i + 1;
      break;
    }
  }
  const prefix = conversation.slice(0, end).map((m) => [m.role, m.content, m.toolCallId ?? '', (m.toolCalls ?? []).map((c) => c.callId)]);
  return createHash('sha256').update(JSON.stringify(prefix)).digest('hex');
}
