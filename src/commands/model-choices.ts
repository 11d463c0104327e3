import { VSCODE_ENDPOINT, type ModelConfig } from '../pipeline/config';
import { configModelFor, OWN_VENDOR, matchesSelector, parseSelector, type VsCodeModelInfo } from '../host/vscode-models';

/** One entry of the "Configure Models" pickers: a configured model, or one VS Code offers that is not configured yet. */
export interface ModelChoice {
  id: string;
  description: string;
  /** The smoa.models entry to add when chosen; undefined when it is already configured. */
  add?: ModelConfig;
}

/** Everything available: the configured models first, then VS Code's models not already among them. */
export function modelChoices(configured: readonly ModelConfig[], offered: readonly VsCodeModelInfo[]): ModelChoice[] {
  const choices: ModelChoice[] = configured.map((m) => ({
    id: m.id,
    description: m.endpoint === VSCODE_ENDPOINT ? `VS Code model ${m.model}` : `${m.model} on endpoint "${m.endpoint}"`,
  }));
  const ids = new Set(configured.map((m) => m.id));
  const seen = new Set<string>();
  for (const info of offered) {
    if (info.vendor === OWN_VENDOR) continue;
    const key = `${info.vendor}/${info.family}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const already = configured.some((m) => m.endpoint === VSCODE_ENDPOINT && matchesSelector(info, parseSelector(m.model)));
    if (already) continue;
    const id = ids.has(info.family) ? key : info.family;
    ids.add(id);
    choices.push({ id, description: `${info.name} (${key}), offered by VS Code`, add: configModelFor(info, id) });
  }
  return choices;
}
