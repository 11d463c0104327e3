import type { SmoaEvent } from './events';

/**
 * Builds a batch in which each stream's tokens are merged into one event. Tokens of different calls commute, so a
 * token may join an earlier token event of its own call unless something else about that call (a retry, its end)
 * came in between; folding the merged batch gives the same trace as folding the original events.
 */
export class Coalescer {
  readonly events: SmoaEvent[] = [];
  private readonly openToken = new Map<string, number>();

  push(event: SmoaEvent): void {
    const key = event.type === 'call-token' ? event.callId : event.type === 'answer-token' ? '\u0000answer' : undefined;
    if (key !== undefined) {
      const at = this.openToken.get(key);
      const prev = at === undefined ? undefined : this.events[at];
      if (prev && (prev.type === 'call-token' || prev.type === 'answer-token')) {
        this.events[at!] = { ...prev, text: prev.text + (event as { text: string }).text, t: event.t };
        return;
      }
      this.openToken.set(key, this.events.length);
    } else if (event.type === 'answer-reset') {
      // Tokens after a reset must not join the ones it voided.
      this.openToken.delete('\u0000answer');
      this.openToken.delete(event.callId);
    } else if ('callId' in event) {
      this.openToken.delete(event.callId);
    } else if (event.type === 'run-started') {
      this.openToken.clear();
    }
    this.events.push(event);
  }
}

/** A whole recorded run, squeezed the same way (for replaying a long run to a newly opened panel). */
export function coalesce(events: readonly SmoaEvent[]): SmoaEvent[] {
  const c = new Coalescer();
  for (const event of events) c.push(event);
  return c.events;
}
