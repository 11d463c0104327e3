import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../host/command-ids';
import type { ExtensionServices } from '../host/services';
import { buildRouterCommand, type BuildRouterArgs, type BuildRouterPort } from './build-router-flow';
import { evaluationsRoot } from './evaluation-flow';

/** "SMoA: Build Router from Evaluations": pickers and messages around src/commands/build-router-flow.ts. */
export function registerBuildRouter(context: vscode.ExtensionContext, services: ExtensionServices): void {
  const port: BuildRouterPort = {
    evaluationsRoot: evaluationsRoot(context.globalStorageUri.fsPath),
    pickFolders: async (stored) => {
      type Item = vscode.QuickPickItem & { dir?: string; browse?: boolean };
      const items: Item[] = stored.map((f) => ({ label: f.name, description: new Date(f.modifiedMs).toLocaleString(), dir: f.dir, picked: true }));
      items.push({ label: 'Browse for results folders…', description: 'e.g. written by smoa eval --out', browse: true });
      const picked = await vscode.window.showQuickPick(items, {
        title: 'SMoA router: evaluations to learn from',
        placeHolder: stored.length ? 'Each needs single:<model> rows (the router learns each model’s score per task)' : 'No evaluation run in VS Code yet: browse for results folders',
        canPickMany: true,
      });
      if (!picked?.length) return undefined;
      const dirs = picked.flatMap((p) => (p.dir ? [p.dir] : []));
      if (picked.some((p) => p.browse)) {
        const uris = await vscode.window.showOpenDialog({ title: 'Evaluation results folders', openLabel: 'Learn from these', canSelectFiles: false, canSelectFolders: true, canSelectMany: true });
        if (!uris?.length && dirs.length === 0) return undefined;
        dirs.push(...(uris ?? []).map((u) => u.fsPath));
      }
      return dirs;
    },
    pickTarget: async () => {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const uri = await vscode.window.showSaveDialog({
        title: 'Save the router file',
        ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, 'router.json') } : {}),
        filters: { JSON: ['json'] },
      });
      return uri?.fsPath;
    },
    writeFile: async (path, text) => {
      await vscode.workspace.fs.createDirectory(vscode.Uri.file(dirname(path)));
      await vscode.workspace.fs.writeFile(vscode.Uri.file(path), new TextEncoder().encode(text));
    },
    offerToUse: async (path, summary) =>
      (await vscode.window.showInformationMessage(`SMoA router written to ${path}: ${summary}.`, { detail: 'Use it for the route strategy (smoa.route.file)?' }, 'Use for route')) === 'Use for route',
    useRouterFile: async (path) => {
      // An absolute path: the extension host does not resolve a relative one against the workspace.
      const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await vscode.workspace.getConfiguration('smoa').update('route.file', path, target);
      void vscode.window.showInformationMessage(`smoa.route.file is now ${path}. Choose the strategy "route" (chat: /route, or the trace panel) to use it.`);
    },
    showError: (message) => void vscode.window.showErrorMessage(message),
    log: (message) => services.log.info(message),
  };
  context.subscriptions.push(vscode.commands.registerCommand(COMMANDS.buildRouter.id, (args?: BuildRouterArgs) => buildRouterCommand(port, args)));
}
