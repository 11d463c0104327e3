import { mkdirSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { secretsThenEnv } from '../host/api-keys';
import type { ExtensionServices } from '../host/services';
import { SETTINGS_SECTION } from '../host/settings-input';
import { MCP_ENABLED_SETTING, mcpOffer, mcpServerArgs } from '../host/mcp-offer';
import { buildMcpLaunch } from './mcp-launch';

/**
 * Offers `smoa mcp` (dist/cli.js) to VS Code's MCP support, so agents in this window can consult the ensemble as an
 * MCP tool. Only once the user opts in (`smoa.mcp.enabled`, or **SMoA: Enable MCP Server**): until then VS Code is
 * offered no server, so it never asks to start one. Only where the API exists (VS Code 1.101+): elsewhere nothing is
 * registered and nothing fails.
 */

const MCP_PROVIDER_ID = 'smoa.mcp';
const LABEL = 'SMoA';

export function registerMcpServer(context: vscode.ExtensionContext, services: ExtensionServices): void {
  const lm = vscode.lm as Partial<typeof vscode.lm>;
  if (typeof lm.registerMcpServerDefinitionProvider !== 'function' || typeof vscode.McpStdioServerDefinition !== 'function') return;
  const changed = new vscode.EventEmitter<void>();
  const configFile = vscode.Uri.joinPath(context.globalStorageUri, 'smoa-mcp-config.json').fsPath;
  const cli = context.asAbsolutePath('dist/cli.js');
  const provider: vscode.McpServerDefinitionProvider<vscode.McpStdioServerDefinition> = {
    onDidChangeMcpServerDefinitions: changed.event,
    provideMcpServerDefinitions: () => {
      const snapshot = services.settings.current;
      const config = !snapshot.auto && snapshot.result.ok ? snapshot.result.config : undefined;
      if (!mcpOffer(mcpEnabled(), config).offer) return [];
      // VS Code's own Node runs the bundled CLI; the config path is the only argument that varies, and holds no key.
      return [new vscode.McpStdioServerDefinition(LABEL, process.execPath, mcpServerArgs(cli, configFile), { ELECTRON_RUN_AS_NODE: '1' })];
    },
    resolveMcpServerDefinition: async (server) => {
      const snapshot = services.settings.current;
      const launch = await buildMcpLaunch(
        !snapshot.auto && snapshot.result.ok ? snapshot.result.config : undefined,
        secretsThenEnv(services.secrets),
        vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
      );
      if (!launch.ok) throw new Error(launch.problem);
      mkdirSync(context.globalStorageUri.fsPath, { recursive: true });
      writeFileSync(configFile, JSON.stringify(launch.config, null, 2), { mode: 0o600 });
      // Keys go in the child's environment only, just before it starts.
      server.env = { ...server.env, ...launch.env };
      return server;
    },
  };
  context.subscriptions.push(
    changed,
    // Any smoa.* change, smoa.mcp.enabled included.
    services.settings.onDidChange(() => changed.fire()),
    services.secrets.onDidChange((e) => {
      if (e.key.startsWith('smoa.apiKey.')) changed.fire();
    }),
    lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider),
  );
}

function mcpEnabled(): boolean {
  return vscode.workspace.getConfiguration(SETTINGS_SECTION).get<boolean>(MCP_ENABLED_SETTING) === true;
}
