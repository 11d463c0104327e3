import { secrets as redactor } from '../pipeline/secrets';
import * as vscode from 'vscode';
import { keySource, secretKeyFor } from '../host/api-keys';
import type { ExtensionServices } from '../host/services';
import { COMMANDS } from '../host/command-ids';

const SET_API_KEY = COMMANDS.setApiKey.id;

/** Endpoint ids in the settings, read leniently: a key can be set even while another setting is invalid. */
function endpointsOf(services: ExtensionServices): { id: string; baseURL: string; apiKeyEnv?: string }[] {
  const raw = services.settings.current.input.endpoints;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((e) =>
    e && typeof e === 'object' && typeof (e as { id?: unknown }).id === 'string'
      ? [
          {
            id: (e as { id: string }).id,
            baseURL: String((e as { baseURL?: unknown }).baseURL ?? ''),
            ...(typeof (e as { apiKeyEnv?: unknown }).apiKeyEnv === 'string' ? { apiKeyEnv: (e as { apiKeyEnv: string }).apiKeyEnv } : {}),
          },
        ]
      : [],
  );
}

/**
 * "SMoA: Set API Key": pick an endpoint, then type its key (password box) or clear it. Keys live only in VS Code's
 * SecretStorage; they are never written to settings, logs or traces, and no message repeats them.
 */
export function registerSetApiKey(context: vscode.ExtensionContext, services: ExtensionServices): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(SET_API_KEY, async (endpointArg?: unknown) => {
      const endpoints = endpointsOf(services);
      if (endpoints.length === 0) {
        const choice = await vscode.window.showWarningMessage('No endpoints configured: add one to `smoa.endpoints` first.', 'Open Settings');
        if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', 'smoa.endpoints');
        return;
      }
      let endpointId = typeof endpointArg === 'string' && endpoints.some((e) => e.id === endpointArg) ? endpointArg : undefined;
      if (!endpointId) {
        const items = await Promise.all(
          endpoints.map(async (e) => ({
            label: e.id,
            description: e.baseURL,
            detail: keySource(e, !!(await services.secrets.get(secretKeyFor(e.id)))),
          })),
        );
        endpointId = (await vscode.window.showQuickPick(items, { title: 'SMoA: Set API Key', placeHolder: 'Endpoint' }))?.label;
        if (!endpointId) return;
      }
      const secretKey = secretKeyFor(endpointId);
      if (await services.secrets.get(secretKey)) {
        const action = await vscode.window.showQuickPick(['Replace the key', 'Clear the key'], { title: `API key of "${endpointId}"` });
        if (!action) return;
        if (action === 'Clear the key') {
          await services.secrets.delete(secretKey);
          services.log.info(`API key of endpoint "${endpointId}" cleared`);
          void vscode.window.showInformationMessage(`The API key of "${endpointId}" was removed.`);
          return;
        }
      }
      const key = await vscode.window.showInputBox({
        title: `API key of "${endpointId}"`,
        prompt: 'Stored in VS Code\u2019s secret storage, never in settings.',
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : 'Enter a key, or press Escape'),
      });
      if (!key) return;
      redactor.register(key.trim());
      await services.secrets.store(secretKey, key.trim());
      services.log.info(`API key of endpoint "${endpointId}" stored`);
      void vscode.window.showInformationMessage(`API key of "${endpointId}" saved.`);
    }),
  );
}
