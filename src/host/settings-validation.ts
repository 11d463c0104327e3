import * as vscode from 'vscode';
import { formatSettingsIssues, settingsProblemSummary, settingToOpen, type SettingsSnapshot } from './settings-input';
import type { ExtensionServices } from './services';

/**
 * Checks the settings on activation and on every change, and says once, clearly, which setting is wrong. Never throws:
 * a broken setting must not break activation (chat then answers with the same message and a button).
 */
export function registerSettingsValidation(context: vscode.ExtensionContext, services: ExtensionServices): void {
  let lastShown = '';
  const check = (snapshot: SettingsSnapshot) => {
    if (snapshot.auto || snapshot.result.ok) {
      if (lastShown) services.log.info('settings are valid again');
      lastShown = '';
      return;
    }
    const { issues } = snapshot.result;
    const full = formatSettingsIssues(issues);
    // Typing in settings.json fires a change per keystroke; repeat a message only when the problem changed.
    if (full === lastShown) return;
    lastShown = full;
    services.log.warn(`invalid settings:\n${full}`);
    void vscode.window.showErrorMessage(settingsProblemSummary(issues), 'Open Settings').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', settingToOpen(issues[0]));
    });
  };
  check(services.settings.current);
  context.subscriptions.push(services.settings.onDidChange(check));
}
