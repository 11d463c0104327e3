import * as vscode from 'vscode';
import { modelSchema, type ModelConfig } from '../pipeline/config';
import { listVsCodeModels } from '../models/lm-client';
import type { ExtensionServices } from '../host/services';
import { SETTINGS_SECTION } from '../host/settings-input';
import { modelChoices, settingsForPick, type ModelChoice } from './model-choices';
import { COMMANDS } from '../host/command-ids';

export const CONFIGURE_MODELS = COMMANDS.configureModels.id;

/**
 * "SMoA: Configure Models": choose proposers, aggregator and judge from everything available (configured models and
 * the models VS Code offers), written to the user settings.
 */
export function registerConfigureModels(context: vscode.ExtensionContext, services: ExtensionServices): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(CONFIGURE_MODELS, async () => {
      const input = services.settings.current.input;
      // Keep only the entries that parse, so one broken entry does not block picking.
      const configured = (Array.isArray(input.models) ? input.models : []).flatMap((m) => {
        const parsed = modelSchema.safeParse(m);
        return parsed.success ? [parsed.data as ModelConfig] : [];
      });
      const offered = await listVsCodeModels().catch(() => []);
      const choices = modelChoices(configured, offered);
      if (choices.length === 0) {
        const choice = await vscode.window.showWarningMessage(
          'No models to choose from: VS Code offers none (is GitHub Copilot or another model provider signed in?) and `smoa.models` is empty.',
          'Open Settings',
        );
        if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', 'smoa.models');
        return;
      }
      const current = new Set(Array.isArray(input.proposers) ? (input.proposers as string[]) : []);
      const item = (c: ModelChoice) => ({ label: c.id, description: c.description, picked: current.has(c.id) });

      const proposers = await vscode.window.showQuickPick(choices.map(item), {
        title: 'SMoA: Configure Models (1/3): proposers',
        placeHolder: 'Models that answer in each layer (pick two or more)',
        canPickMany: true,
        ignoreFocusOut: true,
      });
      if (!proposers || proposers.length === 0) return;
      const aggregator = await vscode.window.showQuickPick(
        choices.map((c) => ({ label: c.id, description: c.description })),
        { title: 'SMoA: Configure Models (2/3): aggregator', placeHolder: 'Model that writes the final answer', ignoreFocusOut: true },
      );
      if (!aggregator) return;
      const sameAsAggregator = { label: '$(arrow-up) Same as the aggregator', description: aggregator.label };
      const judge = await vscode.window.showQuickPick(
        [sameAsAggregator, ...choices.map((c) => ({ label: c.id, description: c.description }))],
        { title: 'SMoA: Configure Models (3/3): judge', placeHolder: 'Model that keeps the best answers of each layer', ignoreFocusOut: true },
      );
      if (!judge) return;

      const topK = typeof input.topK === 'number' ? input.topK : 2;
      const settings = settingsForPick(configured, choices, {
        proposers: proposers.map((p) => p.label),
        aggregator: aggregator.label,
        ...(judge === sameAsAggregator ? {} : { judge: judge.label }),
      }, topK);
      const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
      for (const [key, value] of Object.entries(settings)) {
        await config.update(key, value, vscode.ConfigurationTarget.Global);
      }
      void vscode.window.showInformationMessage(
        `SMoA: ${settings.proposers.length} proposers, aggregator ${settings.aggregator}, judge ${settings.judge || settings.aggregator}.`,
      );
    }),
  );
}
