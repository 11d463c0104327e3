import type { SmoaConfig } from '../pipeline/config';
import { parseConfig } from '../pipeline/config';
import { autoPanel } from './auto-config';
import { formatSettingsIssues, settingToOpen, snapshotOf } from './settings-input';
import { actions, type UserProblem } from './user-problem';
import type { VsCodeModelInfo } from './vscode-models';

/** Where the effective config comes from: the settings, and (with nothing configured) the models VS Code offers. */
export interface ConfigSources {
  settingsInput(): Record<string, unknown>;
  vscodeModels(): Promise<VsCodeModelInfo[]>;
}

export type ResolvedConfig = { ok: true; config: SmoaConfig; auto: boolean } | { ok: false; problem: UserProblem };

/**
 * The config one run uses. `chosen` is the chat's selected model: with nothing configured it writes the final answer.
 * `overrides` (the trace panel's strategy, layers, top k, budget) replace settings before validation: what is checked is what
 * the run uses. Never throws: a bad setting or a missing model comes back as a problem the user can act on.
 */
export async function resolveConfig(sources: ConfigSources, chosen?: VsCodeModelInfo, overrides?: Record<string, unknown>): Promise<ResolvedConfig> {
  const settings = sources.settingsInput();
  const snapshot = snapshotOf(overrides ? withOverrides(settings, overrides) : settings);
  if (!snapshot.auto) {
    if (snapshot.result.ok) return { ok: true, config: snapshot.result.config, auto: false };
    return { ok: false, problem: settingsProblem(snapshot.result.issues) };
  }
  const available = await sources.vscodeModels().catch(() => []);
  const panel = autoPanel(available, chosen);
  if (!panel) {
    return {
      ok: false,
      problem: {
        message:
          'No model configured: VS Code offers no language models (is GitHub Copilot, or another model provider, installed and ' +
          'signed in?), and the settings `smoa.models` and `smoa.proposers` are empty. Add an OpenAI-compatible endpoint and ' +
          'models in the settings, or pick models with "SMoA: Configure Models".',
        actions: [actions.configureModels(), actions.openSettings('smoa.models')],
      },
    };
  }
  const requestedTopK = typeof snapshot.input.topK === 'number' ? snapshot.input.topK : 2;
  const result = parseConfig({
    ...snapshot.input,
    ...panel,
    // The panel's size depends on what is installed; a topK meant for a bigger panel must not make it invalid.
    topK: Math.min(requestedTopK, panel.proposers.length),
  });
  if (!result.ok) return { ok: false, problem: settingsProblem(result.issues) };
  return { ok: true, config: result.config, auto: true };
}

/** The panel's controls over the settings; a budget override keeps the setting's other limit. */
function withOverrides(settings: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...settings, ...overrides };
  if (isRecord(overrides.budget)) merged.budget = { ...(isRecord(settings.budget) ? settings.budget : {}), ...overrides.budget };
  return merged;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function settingsProblem(issues: Parameters<typeof formatSettingsIssues>[0]): UserProblem {
  const plural = issues.length > 1 ? 's' : '';
  return {
    message: `SMoA cannot run: invalid setting${plural}:\n${formatSettingsIssues(issues)}`,
    actions: [actions.openSettings(issues[0] ? settingToOpen(issues[0]) : 'smoa')],
  };
}
