/**
 * Aborts when nothing has been heard for `ms`: a hung model is abandoned, a slow one that keeps streaming is not.
 * `signal` aborts on silence; call `heard()` on every piece of data and `stop()` when the call ends.
 */
export class SilenceTimer {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout>;

  constructor(private readonly ms: number) {
    this.timer = setTimeout(() => this.controller.abort(), ms);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get fired(): boolean {
    return this.controller.signal.aborted;
  }

  heard(): void {
    if (this.fired) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.controller.abort(), this.ms);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/** Default silence limit for models with no endpoint setting of their own (VS Code's models). */
export const DEFAULT_SILENCE_MS = 120_000;
