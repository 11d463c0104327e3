import * as vscode from 'vscode';
import { COMMANDS } from '../host/command-ids';
import { byModelAndStage, LEDGER_DAYS } from '../host/ledger';
import type { ExtensionServices } from '../host/services';
import { renderUsageHtml } from './usage-html';
import { WebviewHost } from './webview-host';

const VIEW_TYPE = 'smoa.usage';

/** Show Usage: a static page (no script; its two actions are command links), redrawn when the ledger changes. */
export function showUsage(context: vscode.ExtensionContext, services: ExtensionServices): void {
  const { host, created } = WebviewHost.show(context, {
    viewType: VIEW_TYPE,
    title: 'SMoA Usage',
    column: vscode.ViewColumn.Active,
    page: { kind: 'static', commandLinks: [COMMANDS.exportUsageCsv.id, COMMANDS.resetUsage.id] },
  });
  const render = async () => {
    const days = await services.usage.ledger.days(LEDGER_DAYS);
    const rows = byModelAndStage(await services.usage.ledger.entries(), days[0].day);
    host.render((nonce) => renderUsageHtml(days, rows, nonce));
  };
  if (created) host.own(services.usage.onDidChange(() => void render()));
  void render();
}
