/** The part of vscode.CancellationToken the surfaces use; chat, the model provider and the tool all cancel this way. */
export interface CancellationPort {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

/** Turns VS Code's cancellation token into the engine's AbortSignal; dispose when the request is over. */
export function abortSignalFor(token: CancellationPort): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort(new Error('cancelled'));
  const sub = token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
  return { signal: controller.signal, dispose: () => sub.dispose() };
}
