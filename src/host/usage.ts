import * as vscode from 'vscode';
import type { SmoaConfig } from '../pipeline/config';
import type { SmoaEvent } from '../pipeline/events';
import { formatUsd, plural } from '../pipeline/format';
import { COMMANDS } from './command-ids';
import { DailyBudgetGate } from './daily-budget';
import { join } from 'node:path';
import { KeyValueLedgerStorage, Ledger, type DayTotal } from './ledger';
import { FileLedgerStorage } from './ledger-file';
import type { RunService } from './run-service';
import { SETTINGS_SECTION } from './settings-input';

export const SHOW_USAGE_COMMAND = COMMANDS.showUsage.id;

/**
 * The extension's ledger (a JSON Lines file in the extension's global storage, shared by every window: each run is one
 * atomic append, so windows never overwrite each other), the daily budget, and the status-bar item with today's total.
 * Every finished run of the window is added, whoever started it, and every evaluation run (recordRun).
 */
export class UsageService implements vscode.Disposable {
  readonly ledger: Ledger;
  readonly gate: DailyBudgetGate;
  readonly statusItem = vscode.window.createStatusBarItem('smoa.usage', vscode.StatusBarAlignment.Right, 100);
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after the ledger changed (a run was added, or it was reset). */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    context: vscode.ExtensionContext,
    runs: RunService,
  ) {
    const file = new FileLedgerStorage(join(context.globalStorageUri.fsPath, 'usage-ledger.jsonl'));
    this.ledger = new Ledger(file);
    // Before the file store the ledger lived in global state (read-modify-write, which lost writes across windows).
    const legacy = new KeyValueLedgerStorage(context.globalState);
    const old = legacy.load();
    if (old.length) {
      file.append(old);
      void legacy.clear();
    }
    this.gate = new DailyBudgetGate({
      todayUsd: async () => (await this.ledger.today()).costUsd,
      limit: () => vscode.workspace.getConfiguration(SETTINGS_SECTION).get<number | null>('dailyBudgetUsd') ?? undefined,
      warn: (message) => {
        void vscode.window.showWarningMessage(message, 'Show Usage').then((pick) => pick && vscode.commands.executeCommand(SHOW_USAGE_COMMAND));
      },
      confirm: async (message) => (await vscode.window.showWarningMessage(message, { modal: true }, 'Run anyway')) === 'Run anyway',
    });
    this.statusItem.name = 'SMoA Usage';
    this.statusItem.command = SHOW_USAGE_COMMAND;
    const stop = runs.onDidStartRun((run) => {
      void run.result
        .catch(() => undefined)
        .then(async () => {
          if (!run.trace.config) return;
          await this.ledger.recordRun(run.trace.config, run.events);
          await this.refresh();
          this.changed.fire();
        });
    });
    this.disposables.push({ dispose: stop }, this.statusItem, this.changed);
    void this.refresh();
  }

  /** Adds a run that no RunService started (an evaluation's), then refreshes the status bar and Show Usage. */
  async recordRun(config: SmoaConfig, events: readonly SmoaEvent[]): Promise<void> {
    await this.ledger.recordRun(config, events);
    await this.refresh();
    this.changed.fire();
  }

  async reset(): Promise<void> {
    await this.ledger.reset();
    await this.refresh();
    this.changed.fire();
  }

  async refresh(): Promise<void> {
    const today = await this.ledger.today();
    this.statusItem.text = `$(graph) ${statusText(today)}`;
    this.statusItem.tooltip = tooltip(today);
    this.statusItem.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** "SMoA $0.12" when something was priced today, else "SMoA 12.3k tok". */
function statusText(today: DayTotal): string {
  // Under a cent, enough digits to be non-zero ("$0.0035", not "$0.00").
  if (today.costUsd > 0) return `SMoA ${today.costUsd < 0.01 ? formatUsd(today.costUsd) : `$${today.costUsd.toFixed(2)}`}`;
  const t = today.tokens;
  return `SMoA ${t >= 1000 ? `${(t / 1000).toFixed(1)}k` : t} tok`;
}

function tooltip(today: DayTotal): string {
  const est = today.estimatedTokens ? ` (${today.estimatedTokens.toLocaleString('en-US')} estimated)` : '';
  const unpriced = today.unpricedCalls ? `; ${plural(today.unpricedCalls, 'call')} without a price` : '';
  return `SMoA today: ${plural(today.calls, 'call')}, ${today.tokens.toLocaleString('en-US')} tokens${est}, ${formatUsd(today.costUsd)}${unpriced}. Click for the last 30 days.`;
}
