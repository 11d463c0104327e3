import type { SmoaConfig } from '../config';
import { isStrategy, STRATEGIES, STRATEGY_TRAITS, type Strategy } from './traits';

/**
 * A strategy as a user names it on a command line or in a picker: one of the engine's strategies ("smoa", "moa", ...)
 * or "single:<modelId>", the single strategy with that model answering alone (so every model can be its own row in
 * an evaluation or a comparison). The list comes from STRATEGIES, so a strategy the engine gains is accepted here
 * without an edit.
 */
export interface StrategySpec {
  /** The text the user wrote, used as the row's label. */
  label: string;
  strategy: Strategy;
  /** For "single:<id>": the model that answers (it becomes the aggregator). */
  modelId?: string;
}

export type StrategySpecResult = { ok: true; spec: StrategySpec } | { ok: false; message: string };

export function strategySpecNames(config?: SmoaConfig): string[] {
  return [...STRATEGIES, ...(config ? config.models.map((m) => `single:${m.id}`) : ['single:<modelId>'])];
}

/** One line saying what a strategy spec does, for a picker: the strategy's own line from STRATEGY_TRAITS. */
export function describeStrategySpec(name: string): string {
  const colon = name.indexOf(':');
  const strategy = colon < 0 ? name : name.slice(0, colon);
  if (!isStrategy(strategy)) return '';
  if (colon >= 0) return `${name.slice(colon + 1)} alone (the single-model baseline with this model)`;
  return STRATEGY_TRAITS[strategy].command;
}

export function parseStrategySpec(text: string, config: SmoaConfig): StrategySpecResult {
  const value = text.trim();
  const colon = value.indexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  if (!isStrategy(name)) {
    return { ok: false, message: `unknown strategy "${value}" (expected ${STRATEGIES.join(', ')} or single:<modelId>)` };
  }
  if (colon < 0) return { ok: true, spec: { label: value, strategy: name } };
  if (name !== 'single') return { ok: false, message: `"${value}": only "single" takes a model (single:<modelId>)` };
  const modelId = value.slice(colon + 1).trim();
  const known = config.models.map((m) => m.id);
  if (modelId === '') return { ok: false, message: `"${value}": name a model after "single:" (known: ${known.join(', ')})` };
  if (!known.includes(modelId)) {
    return { ok: false, message: `"${value}": unknown model "${modelId}" (known: ${known.join(', ')})` };
  }
  return { ok: true, spec: { label: `single:${modelId}`, strategy: 'single', modelId } };
}

/** Parses a comma-separated list; every bad entry is named, duplicates are dropped. */
export function parseStrategySpecs(list: string, config: SmoaConfig): { ok: true; specs: StrategySpec[] } | { ok: false; message: string } {
  const parts = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) return { ok: false, message: 'no strategy given' };
  const specs: StrategySpec[] = [];
  const problems: string[] = [];
  for (const part of parts) {
    const parsed = parseStrategySpec(part, config);
    if (!parsed.ok) problems.push(parsed.message);
    else if (!specs.some((s) => s.label === parsed.spec.label)) specs.push(parsed.spec);
  }
  return problems.length ? { ok: false, message: problems.join('; ') } : { ok: true, specs };
}

/** The config and strategy to hand to runPipeline for this spec. */
export function applyStrategySpec(config: SmoaConfig, spec: StrategySpec): { config: SmoaConfig; strategy: Strategy } {
  return { config: spec.modelId ? { ...config, aggregator: spec.modelId } : config, strategy: spec.strategy };
}
