import { configSchema, configWarnings, formatIssues, parseConfig, type ConfigIssue, type ConfigResult, type SmoaConfigInput } from '../pipeline/config';

/**
 * VS Code settings are the engine's config schema spelled `smoa.<field>`: a zod issue at `models[1].endpoint` is the
 * setting `smoa.models[1].endpoint`. No vscode import here, so the mapping is unit-tested in plain Node.
 */

export const SETTINGS_SECTION = 'smoa';

/** The schema's top-level fields, each one setting. Extension-only settings (e.g. `smoa.insert.mode`) are not in it. */
export const ENGINE_SETTING_KEYS = Object.keys(configSchema.shape) as (keyof SmoaConfigInput)[];

/** Settings whose empty string means "not set": VS Code has no "unset" value for a string setting. */
export const EMPTY_MEANS_UNSET = new Set(['aggregator', 'judge', 'moderator', 'roleModel', 'systemPrompt', 'selfModel']);

/** Builds the engine's config input from the settings (`get` returns the effective value, defaults included). */
export function readSettingsInput(get: (key: string) => unknown): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const key of ENGINE_SETTING_KEYS) {
    const value = get(key);
    if (value === undefined || value === null) continue;
    if (EMPTY_MEANS_UNSET.has(key) && value === '') continue;
    if (isPlainObject(value)) {
      // An object setting is one setting per sub-field (smoa.budget.maxUsd); VS Code gives the unset ones as null
      // (numbers) or "" (names, choices).
      const set = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined && v !== ''));
      if (Object.keys(set).length) input[key] = set;
      continue;
    }
    input[key] = value;
  }
  return input;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * With no models and no proposers set, the extension needs no set-up: it fills both from the models VS Code offers.
 * Any other combination is the user's own configuration and is validated as written.
 */
function wantsVsCodeModels(input: Record<string, unknown>): boolean {
  const empty = (v: unknown) => v === undefined || (Array.isArray(v) && v.length === 0);
  return empty(input.models) && empty(input.proposers);
}

/** `models[1].endpoint` → `smoa.models[1].endpoint`. */
function settingPath(issue: ConfigIssue): string {
  return issue.path ? `${SETTINGS_SECTION}.${issue.path}` : SETTINGS_SECTION;
}

/** The setting the Settings editor can open for an issue: the top-level one (`smoa.models`). */
export function settingToOpen(issue: ConfigIssue): string {
  const top = /^[^.[]+/.exec(issue.path)?.[0];
  return top ? `${SETTINGS_SECTION}.${top}` : SETTINGS_SECTION;
}

/** One line per issue, each starting with the setting's full name. */
export function formatSettingsIssues(issues: readonly ConfigIssue[]): string {
  return formatIssues(issues.map((i) => ({ path: settingPath(i), message: i.message })));
}

/** A short message for a notification: the first issue in full, then how many more. */
export function settingsProblemSummary(issues: readonly ConfigIssue[]): string {
  const first = formatSettingsIssues(issues.slice(0, 1));
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''}: see the SMoA output)` : '';
  return `Invalid SMoA setting: ${first}${more}`;
}

/** What the settings say right now: either VS Code's models with no set-up, or the user's config parsed. */
export type SettingsSnapshot =
  | { auto: true; input: Record<string, unknown> }
  | { auto: false; input: Record<string, unknown>; result: ConfigResult };

export function snapshotOf(input: Record<string, unknown>): SettingsSnapshot {
  return wantsVsCodeModels(input) ? { auto: true, input } : { auto: false, input, result: parseConfig(input) };
}

/** Valid but questionable user settings (e.g. a judge that also proposes without recusal); none for VS Code's models. */
export function settingsWarnings(snapshot: SettingsSnapshot): ConfigIssue[] {
  return snapshot.auto || !snapshot.result.ok ? [] : configWarnings(snapshot.result.config);
}
