import * as vscode from 'vscode';
import { revealSetting, SettingsAlerts } from '../host/settings-notice';
import type { ExtensionServices } from '../host/services';

/**
 * Checks the settings on activation and on every change, and says once, clearly, which setting is wrong (an error
 * notification: every run stops until it is fixed) or questionable (a warning). Never throws: a broken setting must not
 * break activation (chat then answers with the same message and a button). What is shown when: SettingsAlerts.
 */
export function registerSettingsValidation(context: vscode.ExtensionContext, services: ExtensionServices): void {
  const alerts = new SettingsAlerts({
    error: (message, ...buttons) => vscode.window.showErrorMessage(message, ...buttons),
    warning: (message, ...buttons) => vscode.window.showWarningMessage(message, ...buttons),
    hideToasts: () => void vscode.commands.executeCommand('notifications.hideToasts'),
    openSetting: (setting) => {
      // A button leaves the editor focus where it was: in settings.json if the user was editing it.
      const target = revealSetting(setting, vscode.window.activeTextEditor?.document.uri.path);
      void vscode.commands.executeCommand(target.command, ...target.args);
    },
    log: (level, message) => services.log[level](message),
  });
  context.subscriptions.push(services.settings.onDidChange((snapshot) => alerts.check(snapshot)));
  alerts.check(services.settings.current);
}
