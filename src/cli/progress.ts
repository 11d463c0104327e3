import type { SmoaEvent } from '../pipeline/events';

/** One-line progress messages per stage, shared by the CLI (stderr) and the chat participant (stream.progress). */
export class ProgressNarrator {
  private readonly calls = new Map<string, { modelId: string; stage: string; layer?: number; slot?: number }>();
  private proposersBySlot: string[] = [];

  /** Returns a line to show for this event, or undefined when it is not worth a line. */
  describe(event: SmoaEvent): string | undefined {
    switch (event.type) {
      case 'roles-assigned':
        return `Roles ${event.source === 'cached' ? 'reused from cache' : event.source}: ${event.roles.length} roles${event.note ? ` (${event.note})` : ''}`;
      case 'layer-started':
        this.proposersBySlot = event.proposers.map((p) => p.modelId);
        return `Layer ${event.layer}/${event.of}: ${event.proposers.length} proposers answering`;
      case 'call-started':
        this.calls.set(event.callId, event);
        if (event.note) return `${event.stage === 'proposer' ? `Layer ${event.layer}: proposer` : 'Aggregator'} ${event.modelId}: ${event.note}`;
        if (event.stage === 'judge') return `Layer ${event.layer}: judge ${event.modelId} is choosing`;
        if (event.stage === 'aggregator') return `Aggregator ${event.modelId} is writing the answer`;
        if (event.stage === 'roles') return `Role writer ${event.modelId} is assigning roles`;
        return undefined;
      case 'call-retry': {
        const call = this.calls.get(event.callId);
        return `${call?.modelId ?? event.callId}: retry ${event.attempt} in ${(event.delayMs / 1000).toFixed(1)} s (${event.reason})`;
      }
      case 'answer-reset':
        return `The aggregator's stream broke off (${event.reason}); the answer restarts`;
      case 'call-failed': {
        const call = this.calls.get(event.callId);
        if (event.error.kind === 'cancelled') return undefined;
        const where = call?.stage === 'proposer' ? `Layer ${call.layer}: proposer ${call.modelId} (slot ${(call.slot ?? 0) + 1})` : `${call?.stage ?? 'call'} ${call?.modelId ?? ''}`;
        return `${where} failed: ${event.error.message}`;
      }
      case 'judge-fallback':
        return `Layer ${event.layer}: judge reply unusable (${event.problem}); rule: ${event.rule}`;
      case 'judge-picks': {
        const names = event.picks.map((slot) => this.proposerName(slot));
        return `Judge kept ${joinNames(names)} (${event.picks.length} of ${this.proposersBySlot.length})${event.reason ? `: ${event.reason}` : ''}`;
      }
      case 'moderator-decision':
        return `Moderator: ${event.stop ? 'stop' : 'continue'}${event.reason ? `, ${lowerFirst(event.reason)}` : ''}`;
      case 'layer-skipped':
        return `Layer ${event.layer} skipped: ${event.reason}`;
      default:
        return undefined;
    }
  }

  /** A model id, plus its slot when the same model fills several slots (the single-proposer setting). */
  private proposerName(slot: number): string {
    const id = this.proposersBySlot[slot];
    if (id === undefined) return `proposal ${slot + 1}`;
    return this.proposersBySlot.filter((p) => p === id).length > 1 ? `${id} #${slot + 1}` : id;
  }
}

function joinNames(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
