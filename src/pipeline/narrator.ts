import type { SmoaEvent } from './events';
import { formatMs, plural, routeLine } from './format';
import { judgeNoteLines, judgeVotesLine } from './judge/bias';

/**
 * One-line progress messages per stage, shared by the CLI (stderr), the chat participant (stream.progress) and any other
 * surface that narrates a run. It also keeps the outcome of each stage (roles, the judge's picks, the moderator's
 * decision, skipped layers, failures) as a compact record to show once the progress lines are gone.
 */
export class ProgressNarrator {
  private readonly calls = new Map<string, { modelId: string; stage: string; layer?: number; slot?: number }>();
  private proposersBySlot: string[] = [];
  /** Layers adaptive widened: layer -> how many proposers it started with. */
  private readonly widenedFrom = new Map<number, number>();
  private readonly outcomes: string[] = [];
  private skipped: { from: number; to: number; reason: string } | undefined;

  /** Returns a line to show for this event, or undefined when it is not worth a line. */
  describe(event: SmoaEvent): string | undefined {
    const line = this.lineFor(event);
    if (line !== undefined && RECORDED.has(event.type)) this.remember(event, line);
    return line;
  }

  /** What each finished stage decided, in order: "Layer 1: judge kept a and b (2 of 4)", "Moderator: stop, ...". */
  get record(): string[] {
    return this.skipped ? [...this.outcomes, skippedLine(this.skipped)] : [...this.outcomes];
  }

  private lineFor(event: SmoaEvent): string | undefined {
    switch (event.type) {
      case 'route-decision':
        return routeLine(event);
      case 'roles-assigned':
        return `Roles ${event.source === 'cached' ? 'reused from cache' : event.source}: ${plural(event.roles.length, 'role')}${event.note ? ` (${event.note})` : ''}`;
      case 'layer-started':
        this.proposersBySlot = [];
        for (const p of event.proposers) this.proposersBySlot[p.slot] = p.modelId;
        return `Layer ${event.layer}/${event.of}: ${plural(event.proposers.length, 'proposer')} answering`;
      case 'call-started':
        this.calls.set(event.callId, event);
        if (event.note) {
          const who = event.stage === 'proposer' ? `Layer ${event.layer}: proposer` : event.stage === 'judge' ? `Layer ${event.layer}: judge` : 'Aggregator';
          return `${who} ${event.modelId}: ${event.note}`;
        }
        if (event.stage === 'judge') return `Layer ${event.layer}: judge ${event.modelId} is choosing`;
        if (event.stage === 'aggregator') return `Aggregator ${event.modelId} is writing the answer`;
        if (event.stage === 'roles') return `Role writer ${event.modelId} is assigning roles`;
        return undefined;
      case 'call-retry': {
        const call = this.calls.get(event.callId);
        return `${call?.modelId ?? event.callId}: retry ${event.attempt} in ${formatMs(event.delayMs)} (${event.reason})`;
      }
      case 'answer-reset':
        return `The aggregator's stream broke off (${event.reason}); the answer restarts`;
      case 'call-failed': {
        const call = this.calls.get(event.callId);
        if (event.error.kind === 'cancelled') return undefined;
        const where =
          call?.stage === 'proposer'
            ? `Layer ${call.layer}: proposer ${call.modelId} (slot ${(call.slot ?? 0) + 1})`
            : `${call?.stage === 'roles' ? 'role writer' : (call?.stage ?? 'call')} ${call?.modelId ?? ''}`;
        return `${where} failed: ${event.error.message}`;
      }
      case 'judge-fallback':
        return `Layer ${event.layer}: judge reply unusable (${event.problem}); rule: ${event.rule}`;
      case 'judge-picks': {
        // Each kept model by name (with its score when the judge scored), so a widened layer's late joiners read too.
        const names = event.picks.map((slot) => `${this.proposerName(slot)}${event.scores?.[slot] !== undefined ? ` (${event.scores[slot]})` : ''}`);
        const votes = judgeVotesLine(event.ballots);
        const notes = judgeNoteLines(event.notes);
        const widened = this.widenedFrom.get(event.layer);
        const of = `${event.picks.length} of ${this.proposersBySlot.length}${widened !== undefined ? `, widened from ${widened}` : ''}`;
        return [
          `Layer ${event.layer}: judge kept ${joinNames(names)} (${of})${event.reason ? `: ${event.reason}` : ''}`,
          ...(votes ? [`(${votes})`] : []),
          ...(notes.length ? [`Notes: ${notes.map(asSentence).join(' ')}`] : []),
        ].join(' ');
      }
      case 'moderator-decision':
        return `Moderator: ${event.stop ? 'stop' : 'continue'}${event.reason ? `, ${lowerFirst(event.reason)}` : ''}`;
      case 'layer-skipped':
        // A budget stop says which layers it skipped, once.
        return event.reason === 'over budget' ? undefined : `Layer ${event.layer} skipped: ${event.reason}`;
      case 'budget-stop':
        return `Budget: ${event.skipped.join(', ')} not started (${event.reason}); ${event.outcome}`;
      case 'adaptive-decision': {
        const first = `Layer ${event.layer}: the first ${event.asked} of ${event.of} proposers`;
        if (event.agree) return `${first} agree${event.reason ? ` (${lowerFirst(event.reason)})` : ''}; no more proposers${event.callsSaved ? `, ${plural(event.callsSaved, 'call')} saved` : ''}`;
        return `${first} disagree${event.reason ? ` (${lowerFirst(event.reason)})` : ''}; the rest of the layer joins`;
      }
      case 'layer-widened':
        this.widenedFrom.set(event.layer, this.proposersBySlot.filter((id) => id !== undefined).length);
        for (const p of event.proposers) this.proposersBySlot[p.slot] = p.modelId;
        return `Layer ${event.layer}: ${plural(event.proposers.length, 'more proposer')} answering`;
      default:
        return undefined;
    }
  }

  private remember(event: SmoaEvent, line: string): void {
    // Consecutive layers skipped for the same reason make one line: "Layers 2-3 skipped: ...".
    if (event.type === 'layer-skipped') {
      if (this.skipped && this.skipped.reason === event.reason && this.skipped.to === event.layer - 1) this.skipped.to = event.layer;
      else {
        if (this.skipped) this.outcomes.push(skippedLine(this.skipped));
        this.skipped = { from: event.layer, to: event.layer, reason: event.reason };
      }
      return;
    }
    if (this.skipped) this.outcomes.push(skippedLine(this.skipped));
    this.skipped = undefined;
    this.outcomes.push(line);
  }

  /** A model id, plus its slot when the same model fills several slots: "claude (slot 1) and claude (slot 4)". */
  private proposerName(slot: number): string {
    const id = this.proposersBySlot[slot];
    if (id === undefined) return `slot ${slot + 1}`;
    return this.proposersBySlot.filter((p) => p === id).length > 1 ? `${id} (slot ${slot + 1})` : id;
  }
}

/** Events whose line is an outcome worth keeping after the run (the rest say what is under way). */
const RECORDED = new Set<SmoaEvent['type']>([
  'route-decision',
  'roles-assigned',
  'call-failed',
  'judge-fallback',
  'judge-picks',
  'moderator-decision',
  'adaptive-decision',
  'layer-skipped',
  'answer-reset',
  'budget-stop',
]);

function skippedLine(s: { from: number; to: number; reason: string }): string {
  return s.from === s.to ? `Layer ${s.from} skipped: ${s.reason}` : `Layers ${s.from}-${s.to} skipped: ${s.reason}`;
}

function joinNames(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** A note as a sentence: ends with one full stop (or its own ! or ?), so notes read one after another. */
function asSentence(text: string): string {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}
