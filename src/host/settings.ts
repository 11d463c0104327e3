import * as vscode from 'vscode';
import { readSettingsInput, SETTINGS_SECTION, snapshotOf, type SettingsSnapshot } from './settings-input';

/** `auto`: the whole answer into Markdown/plain text, only its code into a code file (see commands/insert-text.ts). */
export type InsertMode = 'auto' | 'whole' | 'codeBlocks';

/**
 * The `smoa.*` settings, read once and again on every change. Parsing is settings-input.ts's job (pure); this class only
 * talks to VS Code and tells listeners when something changed.
 */
export class SettingsService implements vscode.Disposable {
  private snapshot: SettingsSnapshot;
  private readonly changed = new vscode.EventEmitter<SettingsSnapshot>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChange = this.changed.event;

  constructor() {
    this.snapshot = read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SETTINGS_SECTION)) return;
      this.snapshot = read();
      this.changed.fire(this.snapshot);
    });
  }

  /** The current settings: VS Code's models with no set-up (`auto`), or the user's config parsed (config or issues). */
  get current(): SettingsSnapshot {
    return this.snapshot;
  }

  get insertMode(): InsertMode {
    const mode = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>('insert.mode');
    return mode === 'whole' || mode === 'codeBlocks' ? mode : 'auto';
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function read(): SettingsSnapshot {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  return snapshotOf(readSettingsInput((key) => config.get(key)));
}
