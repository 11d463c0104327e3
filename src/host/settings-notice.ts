import type { ConfigIssue } from '../pipeline/config';
import { formatSettingsIssues, settingsProblemSummary, settingsWarnings, settingToOpen, type SettingsSnapshot } from './settings-input';

/**
 * What the invalid-setting notice does on each settings change (pure, so it is unit-tested): show a problem once, keep
 * quiet while the same problem stays, replace the notice when the problem changes, and take it away once the settings
 * are valid again (a stale notice covered the chat input after the fix).
 */
export type NoticeStep =
  | { kind: 'none' }
  | { kind: 'dismiss' }
  | { kind: 'show'; message: string; details: string; setting: string };

export class SettingsNotice {
  private shown = '';

  next(snapshot: SettingsSnapshot): NoticeStep {
    if (snapshot.auto || snapshot.result.ok) {
      if (!this.shown) return { kind: 'none' };
      this.shown = '';
      return { kind: 'dismiss' };
    }
    const { issues } = snapshot.result;
    const details = formatSettingsIssues(issues);
    // Typing in settings.json fires a change per keystroke; a notice changes only when the problem does.
    if (details === this.shown) return { kind: 'none' };
    this.shown = details;
    return { kind: 'show', message: settingsProblemSummary(issues), details, setting: settingToOpen(issues[0]) };
  }
}

/**
 * Valid but questionable settings (a judge that also proposes) are said once per distinct problem in a session: saving
 * settings.json again, or passing through an invalid state while typing, does not bring the same warning back.
 */
export class WarningMemory {
  private readonly said = new Set<string>();

  /** The warnings not said yet; they count as said from now on. */
  fresh(warnings: readonly ConfigIssue[]): ConfigIssue[] {
    const unsaid = warnings.filter((w) => !this.said.has(`${w.path}\n${w.message}`));
    for (const w of unsaid) this.said.add(`${w.path}\n${w.message}`);
    return unsaid;
  }
}

/** The user settings file VS Code opens for "Preferences: Open User Settings (JSON)" (any profile). */
export function isUserSettingsFile(path: string | undefined): boolean {
  return !!path && /\/User\/(profiles\/[^/]+\/)?settings\.json$/.test(path.replace(/\\/g, '/'));
}

/**
 * Where "Open Settings" shows a setting: in the user settings.json when that is the file being edited (the Settings
 * editor would replace it), else in the Settings editor.
 */
export function revealSetting(setting: string, activeFilePath: string | undefined): { command: string; args: unknown[] } {
  if (isUserSettingsFile(activeFilePath)) return { command: 'workbench.action.openSettingsJson', args: [{ revealSetting: { key: setting } }] };
  return { command: 'workbench.action.openSettings', args: [setting] };
}

/** What the settings check needs from VS Code's notifications (the extension passes vscode.window; tests record). */
export interface SettingsAlertPort {
  /** An error notification with buttons; resolves with the button pressed, or undefined once it is closed. */
  error(message: string, ...buttons: string[]): PromiseLike<string | undefined>;
  warning(message: string, ...buttons: string[]): PromiseLike<string | undefined>;
  /** Takes the notification toasts off the screen (they stay in the notification list). */
  hideToasts(): void;
  /** Shows a setting where the user edits settings. */
  openSetting(setting: string): void;
  log(level: 'info' | 'warn', message: string): void;
}

const OPEN_SETTINGS = 'Open Settings';

/**
 * The settings check's notifications. A setting that stops every run (any invalid one) is an error notification with
 * an "Open Settings" button: VS Code shows such a toast expanded, the whole message readable, and keeps it until it is
 * closed (a progress notice read as a collapsed, cut-off info toast). VS Code cannot close a message an extension showed,
 * so once the problem changes or is fixed while the error is still on screen, the toasts are hidden (into the
 * notification list) rather than left over the chat input. Valid but questionable settings are warnings, once each.
 */
export class SettingsAlerts {
  private readonly notice = new SettingsNotice();
  private readonly warned = new WarningMemory();
  /** Which error notification is on screen (0: none); cleared when the user closes it or presses its button. */
  private errorOpen = 0;
  private errorsShown = 0;

  constructor(private readonly port: SettingsAlertPort) {}

  check(snapshot: SettingsSnapshot): void {
    this.warnIfQuestionable(snapshot);
    const step = this.notice.next(snapshot);
    if (step.kind === 'none') return;
    if (this.errorOpen) {
      this.errorOpen = 0;
      this.port.hideToasts();
    }
    if (step.kind === 'dismiss') {
      this.port.log('info', 'settings are valid again');
      return;
    }
    this.port.log('warn', `invalid settings:\n${step.details}`);
    const shown = ++this.errorsShown;
    this.errorOpen = shown;
    void Promise.resolve(this.port.error(step.message, OPEN_SETTINGS)).then((choice) => {
      if (this.errorOpen === shown) this.errorOpen = 0;
      if (choice === OPEN_SETTINGS) this.port.openSetting(step.setting);
    });
  }

  private warnIfQuestionable(snapshot: SettingsSnapshot): void {
    const warnings = this.warned.fresh(settingsWarnings(snapshot));
    if (warnings.length === 0) return;
    this.port.log('warn', `settings warning:\n${formatSettingsIssues(warnings)}`);
    void Promise.resolve(this.port.warning(`SMoA: ${formatSettingsIssues(warnings.slice(0, 1))}`, OPEN_SETTINGS)).then((choice) => {
      if (choice === OPEN_SETTINGS) this.port.openSetting(settingToOpen(warnings[0]));
    });
  }
}
