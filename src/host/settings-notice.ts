import type { ConfigIssue } from '../pipeline/config';
import { formatSettingsIssues, settingsProblemSummary, settingToOpen, type SettingsSnapshot } from './settings-input';

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
