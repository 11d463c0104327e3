import type { ModelConfig } from '../pipeline/config';
import { configModelFor, type VsCodeModelInfo } from './vscode-models';

/**
 * Zero set-up: with nothing configured, @smoa builds its panel from the models VS Code offers. Distinct families make
 * the proposers (different models disagree in useful ways; copies of one model only differ by role and sampling), and
 * the model picked in the chat's dropdown writes the final answer, since that is the one the user chose.
 */

/** More proposers mean more cost and latency per layer; four distinct families is a sensible panel. */
const MAX_AUTO_PROPOSERS = 4;
/** With fewer families than this, a family is asked more than once (roles still make the answers differ). */
const MIN_AUTO_PROPOSERS = 3;

export interface AutoPanel {
  models: ModelConfig[];
  proposers: string[];
  aggregator: string;
}

export function autoPanel(offered: readonly VsCodeModelInfo[], chosen?: VsCodeModelInfo): AutoPanel | undefined {
  const candidates = chosen ? [chosen, ...offered] : offered;
  if (candidates.length === 0) return undefined;
  const byFamily = new Map<string, VsCodeModelInfo>();
  // The chosen model comes first, so its family is always on the panel.
  for (const info of candidates) {
    const key = `${info.vendor}/${info.family}`;
    if (!byFamily.has(key)) byFamily.set(key, info);
  }
  const models: ModelConfig[] = [];
  const usedIds = new Set<string>();
  for (const info of byFamily.values()) {
    let id = info.family;
    // Two vendors may ship the same family name; the config needs distinct ids.
    if (usedIds.has(id)) id = `${info.vendor}/${info.family}`;
    usedIds.add(id);
    models.push(configModelFor(info, id));
  }
  const families = models.slice(0, MAX_AUTO_PROPOSERS).map((m) => m.id);
  const proposers = [...families];
  for (let i = 0; proposers.length < MIN_AUTO_PROPOSERS; i++) proposers.push(families[i % families.length]);
  return { models, proposers, aggregator: models[0].id };
}
