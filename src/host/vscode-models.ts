import { VSCODE_ENDPOINT, type ModelConfig } from '../pipeline/config';
import { PROVIDER_VENDOR } from './command-ids';

/**
 * What we need to know about a model VS Code offers (vscode.lm), without importing vscode: the auto-configuration
 * and the model picker are plain functions of these.
 */
export interface VsCodeModelInfo {
  id: string;
  vendor: string;
  family: string;
  name: string;
}

/** How a config model on the "vscode" endpoint names its model: "vendor/family", or an exact model id. */
export type VsCodeModelSelector = { vendor: string; family: string } | { id: string };

export function parseSelector(model: string): VsCodeModelSelector {
  const slash = model.indexOf('/');
  if (slash > 0 && slash < model.length - 1) return { vendor: model.slice(0, slash), family: model.slice(slash + 1) };
  return { id: model };
}

export function matchesSelector(info: VsCodeModelInfo, selector: VsCodeModelSelector): boolean {
  if ('id' in selector) return info.id === selector.id || info.family === selector.id;
  return info.vendor === selector.vendor && info.family === selector.family;
}

/** A config entry for a VS Code model, addressed by vendor/family so it survives model version updates. */
export function configModelFor(info: VsCodeModelInfo, id = info.family): ModelConfig {
  return { id, endpoint: VSCODE_ENDPOINT, model: `${info.vendor}/${info.family}`, label: info.name };
}

/**
 * This extension's own vendor (src/models/provider.ts). Its endpoint models are reachable directly, and its ensemble
 * model would run a panel inside the panel, so the models VS Code offers are always taken without it.
 */
export const OWN_VENDOR = PROVIDER_VENDOR;

export function offeredByOthers<T extends Pick<VsCodeModelInfo, 'vendor'>>(models: readonly T[]): T[] {
  return models.filter((m) => m.vendor !== OWN_VENDOR);
}
