import type { UserAction } from '../host/user-problem';
import type { VsCodeModelInfo } from '../host/vscode-models';

/**
 * The few pieces of VS Code's chat API the participant logic uses, as plain interfaces. participant.ts adapts the real
 * request, history, stream and token to these; tests pass a recording stream. Keeps src/chat's logic free of vscode.
 */

export interface ChatStreamPort {
  progress(message: string): void;
  markdown(text: string): void;
  /** What a reference is (a Uri or Location in VS Code) is the adapter's business. */
  reference(anchor: unknown): void;
  button(action: UserAction): void;
}

export interface ChatReferencePort {
  id: string;
  value: unknown;
  modelDescription?: string;
  /** Where the reference's text (e.g. `#file:src/a.ts`) sits in the prompt, when VS Code resolved it from there. */
  range?: readonly [number, number];
}

export interface ChatRequestPort {
  prompt: string;
  command?: string;
  references: readonly ChatReferencePort[];
  /** The model picked in the chat's dropdown, when there is one. */
  model?: VsCodeModelInfo;
}

/** Metadata we return in ChatResult; VS Code hands it back in history and to the follow-up provider. */
export interface SmoaChatMetadata {
  command: string;
  prompt: string;
  runId?: string;
  strategy?: string;
  /** The final answer alone (without progress or summary), to rebuild the conversation for later turns. */
  answer?: string;
  /** The run was stopped before it finished: nothing to follow up on. */
  cancelled?: boolean;
}

export type HistoryTurn =
  | { kind: 'request'; prompt: string; command?: string }
  | { kind: 'response'; text: string; metadata?: Partial<SmoaChatMetadata> };

export interface ChatResultPort {
  errorDetails?: { message: string };
  metadata: SmoaChatMetadata;
}

export { abortSignalFor, type CancellationPort } from '../host/cancellation';

/** The active editor's selection, read for the models: which file and lines were sent. */
export interface SelectionReference extends LoadedReference {
  file: string;
  /** 1-based, inclusive. */
  firstLine: number;
  lastLine: number;
}

/** A reference the adapter could read: its text for the models, and the anchor to show with stream.reference. */
export interface LoadedReference {
  label: string;
  content: string;
  /** A Uri or Location for stream.reference; undefined when there is nothing to show (e.g. a plain string). */
  anchor: unknown;
}
