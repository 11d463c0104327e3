import type { ChatStreamPort, CancellationPort } from '../../../src/chat/chat-port';
import type { UserAction } from '../../../src/host/user-problem';

export type StreamPart =
  | { kind: 'progress'; text: string }
  | { kind: 'markdown'; text: string }
  | { kind: 'reference'; anchor: unknown }
  | { kind: 'button'; action: UserAction };

/**
 * A chat response stream that records every part in order, as VS Code would render them. Given the request's token,
 * it drops what is streamed after cancellation, as VS Code 1.139's chat service does once the user pressed Stop.
 */
export class RecordingStream implements ChatStreamPort {
  readonly parts: StreamPart[] = [];
  private readonly waiters: { match: (p: StreamPart) => boolean; resolve: () => void }[] = [];

  constructor(private readonly stopToken?: CancellationPort) {}

  progress(text: string) {
    this.push({ kind: 'progress', text });
  }
  markdown(text: string) {
    this.push({ kind: 'markdown', text });
  }
  reference(anchor: unknown) {
    this.push({ kind: 'reference', anchor });
  }
  button(action: UserAction) {
    this.push({ kind: 'button', action });
  }

  get progressLines(): string[] {
    return this.parts.flatMap((p) => (p.kind === 'progress' ? [p.text] : []));
  }
  get markdownText(): string {
    return this.parts.flatMap((p) => (p.kind === 'markdown' ? [p.text] : [])).join('');
  }
  get buttons(): UserAction[] {
    return this.parts.flatMap((p) => (p.kind === 'button' ? [p.action] : []));
  }

  /** Resolves when a part matching `match` has been streamed (no polling, no sleeps). */
  when(match: (p: StreamPart) => boolean): Promise<void> {
    if (this.parts.some(match)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  private push(part: StreamPart) {
    if (this.stopToken?.isCancellationRequested) return;
    this.parts.push(part);
    for (const w of [...this.waiters]) {
      if (w.match(part)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }
}

/** A cancellation token the test can fire, like the chat's stop button. */
export class TestCancellation implements CancellationPort {
  isCancellationRequested = false;
  private listeners = new Set<() => void>();
  onCancellationRequested(listener: () => void) {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  cancel() {
    this.isCancellationRequested = true;
    for (const l of this.listeners) l();
  }
}
