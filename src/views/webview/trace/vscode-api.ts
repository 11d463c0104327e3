import type { WebviewMessage } from '../../protocol';

/** The slice of the webview API the panel uses; `acquireVsCodeApi` may be called only once per page. */
export interface VsCodeApi<S> {
  postMessage(message: WebviewMessage): void;
  getState(): S | undefined;
  setState(state: S): void;
}

declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

export function vscodeApi<S>(): VsCodeApi<S> {
  return acquireVsCodeApi<S>();
}
