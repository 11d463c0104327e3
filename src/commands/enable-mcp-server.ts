import * as vscode from 'vscode';
import { COMMANDS } from '../host/command-ids';
import type { ExtensionServices } from '../host/services';
import { SETTINGS_SECTION } from '../host/settings-input';
import { MCP_ENABLED_SETTING, mcpOffer } from '../host/mcp-offer';

/**
 * "SMoA: Enable MCP Server": the opt-in to offering `smoa mcp` to VS Code's MCP support (off by default, so nobody meets
 * VS Code's "start the MCP server?" prompt without having asked for it). Turns the setting on and says what follows.
 */
export function registerEnableMcpServer(context: vscode.ExtensionContext, services: ExtensionServices): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.enableMcpServer.id, async () => {
      await vscode.workspace.getConfiguration(SETTINGS_SECTION).update(MCP_ENABLED_SETTING, true, vscode.ConfigurationTarget.Global);
      const snapshot = services.settings.current;
      const offer = mcpOffer(true, !snapshot.auto && snapshot.result.ok ? snapshot.result.config : undefined);
      const off = `Turn it off with the setting smoa.${MCP_ENABLED_SETTING}.`;
      if (!offer.offer) {
        const choice = await vscode.window.showWarningMessage(
          `SMoA's MCP server is enabled but not offered yet: ${offer.problem} ${off}`,
          COMMANDS.configureModels.title,
        );
        if (choice) await vscode.commands.executeCommand(COMMANDS.configureModels.id);
        return;
      }
      void vscode.window.showInformationMessage(
        'SMoA\'s MCP server is now offered to VS Code as "SMoA" (tool "consult"): agents in this window can ask the panel ' +
          'over MCP. VS Code asks before it starts the server; each consultation makes several model calls, billed by ' +
          `your endpoints. ${off}`,
      );
    }),
  );
}
