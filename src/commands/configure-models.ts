import { secrets as redactor } from '../pipeline/secrets';
import * as vscode from 'vscode';
import { listVsCodeModels } from '../host/vscode-lm';
import { secretKeyFor } from '../host/api-keys';
import { COMMANDS } from '../host/command-ids';
import { findLocalServers, listEndpointModels } from '../host/endpoint-discovery';
import type { ExtensionServices } from '../host/services';
import { SETTINGS_SECTION } from '../host/settings-input';
import { configureModels, type ConfigureUi, type PickItem } from './configure-flow';

const CONFIGURE_MODELS = COMMANDS.configureModels.id;

/**
 * "SMoA: Configure Models": pick proposers, aggregator and judge from the configured models, the models VS Code offers,
 * local servers found on their usual ports, or a new endpoint; written to the user settings after a confirmation.
 * The steps live in configure-flow.ts; this file only shows them.
 */
export function registerConfigureModels(context: vscode.ExtensionContext, services: ExtensionServices): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(CONFIGURE_MODELS, () =>
      configureModels(quickPickUi, {
        settings: services.settings.current.input,
        vscodeModels: listVsCodeModels,
        findLocalServers: () => findLocalServers(),
        listModels: (baseURL, key) => listEndpointModels(baseURL, key),
        storeKey: (endpointId, key) => {
          redactor.register(key);
          return Promise.resolve(services.secrets.store(secretKeyFor(endpointId), key));
        },
        write: async (changes) => {
          const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
          for (const [key, value] of changes) await config.update(key, value, vscode.ConfigurationTarget.Global);
          services.log.info(`Configure Models wrote ${changes.map(([key]) => `smoa.${key}`).join(', ')}`);
        },
      }),
    ),
  );
}

type Item<T> = vscode.QuickPickItem & { value: T };

const toItem = <T>(item: PickItem<T>): Item<T> => ({
  label: item.label,
  description: item.description,
  detail: item.detail,
  picked: item.picked,
  value: item.value,
});

const quickPickUi: ConfigureUi = {
  async pickOne(title, placeHolder, items) {
    return (await vscode.window.showQuickPick(items.map(toItem), { title, placeHolder, ignoreFocusOut: true }))?.value;
  },
  async pickMany(title, placeHolder, items) {
    const picked = await vscode.window.showQuickPick(items.map(toItem), { title, placeHolder, canPickMany: true, ignoreFocusOut: true });
    return picked?.map((p) => p.value);
  },
  async input({ title, prompt, value, password, validate }) {
    return vscode.window.showInputBox({ title, prompt, value, password, ignoreFocusOut: true, validateInput: validate });
  },
  info: (message) => void vscode.window.showInformationMessage(message),
  warn: (message) => void vscode.window.showWarningMessage(message),
};
