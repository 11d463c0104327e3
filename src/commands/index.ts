import * as vscode from 'vscode';
import type { ExtensionServices } from '../host/services';
import { registerConfigureModels } from './configure-models';
import { registerEnableMcpServer } from './enable-mcp-server';
import { registerInsertAnswer } from './insert-answer';
import { registerSetApiKey } from './set-api-key';
import { COMMANDS } from '../host/command-ids';

/** The palette commands (those opening a panel: panels.ts, registered by extension.ts with the panels). */
export function registerCommands(context: vscode.ExtensionContext, services: ExtensionServices): void {
  registerSetApiKey(context, services);
  registerConfigureModels(context, services);
  registerInsertAnswer(context, services);
  registerEnableMcpServer(context, services);
  context.subscriptions.push(vscode.commands.registerCommand(COMMANDS.showLog.id, () => services.log.show()));
}
