import { CallError, type ChatMessage } from '../pipeline/client';

/**
 * Pure half of the client for VS Code's models (no vscode import, unit-tested): message shape and error mapping.
 */

export interface LmTurn {
  role: 'user' | 'assistant';
  content: string;
}

/**
 * The Language Model API has no system role: system text goes in front of the first user message, marked so the model
 * reads it as instructions. Consecutive turns of one role are joined, since some providers reject them.
 */
export function toLmTurns(messages: readonly ChatMessage[]): LmTurn[] {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content.trim()).filter(Boolean).join('\n\n');
  const turns: LmTurn[] = [];
  let systemPlaced = !system;
  for (const m of messages) {
    if (m.role === 'system') continue;
    // The Language Model API message helpers used here carry text only: a tool result is told as user text.
    const role = m.role === 'tool' ? 'user' : m.role;
    let content = m.role === 'tool' ? `Tool result (${m.toolCallId ?? 'call'}):\n${m.content}` : m.content;
    if (!systemPlaced && role === 'user') {
      content = withInstructions(system, content);
      systemPlaced = true;
    }
    const last = turns.at(-1);
    if (last && last.role === role) last.content += `\n\n${content}`;
    else turns.push({ role, content });
  }
  if (!systemPlaced) turns.unshift({ role: 'user', content: withInstructions(system, '') });
  return turns;
}

function withInstructions(system: string, content: string): string {
  return `<instructions>\n${system}\n</instructions>${content ? `\n\n${content}` : ''}`;
}

/** The fields of vscode.LanguageModelError we read; matched by shape because errors cross the extension-host boundary. */
interface LmErrorShape {
  name?: string;
  code?: string;
  message?: string;
}

/** Maps a Language Model API failure to the engine's CallError kinds, with what the user can do about it. */
export function classifyLmError(error: unknown, modelName: string, cancelled: boolean): CallError {
  if (cancelled) return new CallError('cancelled', 'cancelled');
  if (error instanceof CallError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as LmErrorShape;
  const detail = e.message || String(error);
  switch (e.code) {
    case 'NoPermissions':
      return new CallError(
        `VS Code did not allow SMoA to use ${modelName} (${detail}); allow it when asked, or under Accounts > Manage Language Model Access`,
        'auth',
      );
    case 'Blocked':
      return new CallError(`${modelName} is blocked for now (${detail}); this is usually a quota or rate limit, try again later`, 'rate-limit');
    case 'NotFound':
      return new CallError(`${modelName} is not available (${detail}); pick another model with "SMoA: Configure Models"`, 'not-found');
    default:
      break;
  }
  if (/context|token limit|too long|too many tokens/i.test(detail)) {
    return new CallError(`${modelName}: the prompt is too long for this model (${detail})`, 'context-overflow');
  }
  if (/cancel/i.test(e.name ?? '') || /cancel/i.test(detail)) return new CallError('cancelled', 'cancelled');
  return new CallError(`${modelName}: ${detail}`, 'unknown');
}
