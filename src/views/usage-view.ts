import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { RUN_OVER_DAILY_BUDGET_COMMAND } from '../host/daily-budget';
import { byModelAndStage, LEDGER_DAYS, toCsv } from '../host/ledger';
import type { ExtensionServices } from '../host/services';
import { SHOW_USAGE_COMMAND } from '../host/usage';
import { makeNonce } from './html';
import { EXPORT_USAGE_COMMAND, renderUsageHtml, RESET_USAGE_COMMAND, USAGE_CSV_NAME, usageCsvDefaultPath } from './usage-html';

/** Show Usage (a static page, redrawn when the ledger changes), CSV export, reset, and chat's "Run anyway". */
class UsagePanel {
  static readonly viewType = 'smoa.usage';
  private static current: UsagePanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  static createOrShow(services: ExtensionServices): void {
    if (UsagePanel.current) {
      UsagePanel.current.panel.reveal();
      void UsagePanel.current.render();
      return;
    }
    const panel = vscode.window.createWebviewPanel(UsagePanel.viewType, 'SMoA Usage', vscode.ViewColumn.Active, {
      enableScripts: false,
      enableCommandUris: [EXPORT_USAGE_COMMAND, RESET_USAGE_COMMAND],
      localResourceRoots: [],
    });
    UsagePanel.current = new UsagePanel(panel, services);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly services: ExtensionServices,
  ) {
    this.disposables.push(services.usage.onDidChange(() => void this.render()));
    panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
    void this.render();
  }

  private async render(): Promise<void> {
    const days = await this.services.usage.ledger.days(LEDGER_DAYS);
    const rows = byModelAndStage(await this.services.usage.ledger.entries(), days[0].day);
    this.panel.webview.html = renderUsageHtml(days, rows, makeNonce());
  }

  private dispose(): void {
    UsagePanel.current = undefined;
    for (const d of this.disposables) d.dispose();
  }
}

export function registerUsageView(context: vscode.ExtensionContext, services: ExtensionServices): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(SHOW_USAGE_COMMAND, () => UsagePanel.createOrShow(services)),
    vscode.commands.registerCommand(EXPORT_USAGE_COMMAND, async (target?: vscode.Uri) => {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const defaultUri = folder ? vscode.Uri.joinPath(folder, USAGE_CSV_NAME) : vscode.Uri.file(usageCsvDefaultPath(undefined, homedir()));
      const uri = target ?? (await vscode.window.showSaveDialog({ filters: { CSV: ['csv'] }, saveLabel: 'Export usage', defaultUri }));
      if (!uri) return;
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(toCsv(await services.usage.ledger.entries())));
      void vscode.window.showInformationMessage(`SMoA usage exported to ${uri.fsPath}`);
    }),
    vscode.commands.registerCommand(RESET_USAGE_COMMAND, async () => {
      const ok = await vscode.window.showWarningMessage('Forget all recorded SMoA usage?', { modal: true }, 'Reset');
      if (ok === 'Reset') await services.usage.reset();
    }),
    vscode.commands.registerCommand(RUN_OVER_DAILY_BUDGET_COMMAND, async (prompt?: string, command?: string) => {
      services.usage.gate.allowOnce();
      const query = `@smoa ${command ? `/${command} ` : ''}${prompt ?? ''}`;
      await vscode.commands.executeCommand('workbench.action.chat.open', { query });
    }),
  );
}
