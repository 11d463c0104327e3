import { Coalescer } from '../pipeline/coalesce';
import type { SmoaEvent } from '../pipeline/events';

export { coalesce } from '../pipeline/coalesce';

/**
 * Collects a run's events and hands them on in batches, so 18 streaming proposals cost the webview one message
 * every `intervalMs` rather than one per token, with each call's tokens merged. The end of the run flushes at
 * once so the final state is never held back behind the timer.
 */
export class EventBatcher {
  private pending = new Coalescer();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly send: (events: SmoaEvent[]) => void,
    private readonly intervalMs = 50,
  ) {}

  push(event: SmoaEvent): void {
    this.pending.push(event);
    if (event.type === 'run-finished') this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.events.length) return;
    const batch = this.pending.events;
    this.pending = new Coalescer();
    this.send(batch);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = new Coalescer();
  }
}
