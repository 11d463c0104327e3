import * as vscode from 'vscode';
import { INTERNAL_COMMANDS } from './command-ids';
import { formatSettingsIssues, settingsWarnings, settingToOpen, type SettingsSnapshot } from './settings-input';
import { revealSetting, SettingsNotice, WarningMemory } from './settings-notice';
import type { ExtensionServices } from './services';

/**
 * Checks the settings on activation and on every change, and says once, clearly, which setting is wrong. Never throws:
 * a broken setting must not break activation (chat then answers with the same message and a button).
 *
 * The notice is a notification VS Code lets us close (a progress notification): it goes away by itself once the
 * settings are valid again, where an error message would stay until dismissed by hand.
 */
export function registerSettingsValidation(context: vscode.ExtensionContext, services: ExtensionServices): void {
  const notice = new SettingsNotice();
  let close: (() => void) | undefined;
  const check = (snapshot: Parameters<SettingsNotice['next']>[0]) => {
    warnIfQuestionable(snapshot);
    const step = notice.next(snapshot);
    if (step.kind === 'none') return;
    close?.();
    close = undefined;
    if (step.kind === 'dismiss') {
      services.log.info('settings are valid again');
      return;
    }
    services.log.warn(`invalid settings:\n${step.details}`);
    const args = encodeURIComponent(JSON.stringify([step.setting]));
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `${step.message} [Open Settings](command:${REVEAL_SETTING}?${args})` },
      (progress) => {
        // A full bar, not an endless animation: nothing is running, the notice only waits to be taken away.
        progress.report({ increment: 100 });
        return new Promise<void>((resolve) => (close = resolve));
      },
    );
  };
  // Valid but questionable settings (a judge that also proposes): a warning once per distinct problem, never blocking.
  const warned = new WarningMemory();
  const warnIfQuestionable = (snapshot: SettingsSnapshot) => {
    const warnings = warned.fresh(settingsWarnings(snapshot));
    if (warnings.length === 0) return;
    services.log.warn(`settings warning:\n${formatSettingsIssues(warnings)}`);
    void vscode.window.showWarningMessage(`SMoA: ${formatSettingsIssues(warnings.slice(0, 1))}`, 'Open Settings').then((choice) => {
      if (!choice) return;
      const target = revealSetting(settingToOpen(warnings[0]), vscode.window.activeTextEditor?.document.uri.path);
      void vscode.commands.executeCommand(target.command, ...target.args);
    });
  };
  context.subscriptions.push(
    vscode.commands.registerCommand(REVEAL_SETTING, (setting: unknown) => {
      // A click in a notification leaves the editor focus where it was: in settings.json if the user was editing it.
      const target = revealSetting(typeof setting === 'string' ? setting : 'smoa', vscode.window.activeTextEditor?.document.uri.path);
      return vscode.commands.executeCommand(target.command, ...target.args);
    }),
    services.settings.onDidChange(check),
    { dispose: () => close?.() },
  );
  check(services.settings.current);
}

const REVEAL_SETTING = INTERNAL_COMMANDS.revealInvalidSetting;
