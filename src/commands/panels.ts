import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { COMMANDS } from '../host/command-ids';
import { RUN_OVER_DAILY_BUDGET_COMMAND } from '../host/daily-budget';
import { toCsv, USAGE_CSV_NAME, usageCsvDefaultPath } from '../host/ledger';
import type { ExtensionServices } from '../host/services';
import { SHOW_USAGE_COMMAND } from '../host/usage';

/** The panels, handed in by extension.ts (commands do not import views). */
export interface PanelViews {
  openTracePanel(runId?: string): void;
  openTraceFile(): Promise<void>;
  showUsage(): void;
}

/** The commands that open the trace panel and the usage page, and the usage page's actions. */
export function registerPanelCommands(context: vscode.ExtensionContext, services: ExtensionServices, views: PanelViews): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.openTracePanel.id, () => views.openTracePanel()),
    vscode.commands.registerCommand(COMMANDS.openTrace.id, async (arg?: unknown) => {
      const requested = runIdArg(arg);
      if (requested && !services.runs.get(requested)) {
        // A chat answer from before a window reload (or a run long gone): say why instead of showing nothing.
        const open = 'Open Trace File…';
        const choice = await vscode.window.showWarningMessage(
          'That SMoA run is no longer in this window: runs are kept in memory, so a window reload forgets them. ' +
            'A trace saved with "Export trace" can be opened again.',
          open,
        );
        if (choice === open) await views.openTraceFile();
        return;
      }
      views.openTracePanel(requested ?? services.runs.list().at(-1)?.runId);
    }),
    vscode.commands.registerCommand(SHOW_USAGE_COMMAND, () => views.showUsage()),
    vscode.commands.registerCommand(COMMANDS.exportUsageCsv.id, async (target?: vscode.Uri) => {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const defaultUri = folder ? vscode.Uri.joinPath(folder, USAGE_CSV_NAME) : vscode.Uri.file(usageCsvDefaultPath(undefined, homedir()));
      const uri = target ?? (await vscode.window.showSaveDialog({ filters: { CSV: ['csv'] }, saveLabel: 'Export usage', defaultUri }));
      if (!uri) return;
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(toCsv(await services.usage.ledger.entries())));
      void vscode.window.showInformationMessage(`SMoA usage exported to ${uri.fsPath}`);
    }),
    vscode.commands.registerCommand(COMMANDS.resetUsage.id, async () => {
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

/** `smoa.openTrace` is called from chat's "Open trace" button with a run id (or `{ runId }`). */
function runIdArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && typeof (arg as { runId?: unknown }).runId === 'string') return (arg as { runId: string }).runId;
  return undefined;
}
