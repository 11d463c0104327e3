import { maskUrl } from '../pipeline/secrets';
import { endpointSchema, modelSchema, VSCODE_ENDPOINT, type EndpointConfig, type ModelConfig, type SmoaConfig } from '../pipeline/config';
import { estimateTokens } from '../pipeline/client';
import { classifyPart, type LmMessage } from './message-mapping';
import { paletteName } from '../host/command-ids';

/**
 * What the `smoa` vendor offers in VS Code's model picker: each configured OpenAI-compatible model, and the SMoA
 * ensemble. Pure: the objects have the shape of vscode.LanguageModelChatInformation, with no vscode import.
 */

export const ENSEMBLE_MODEL_ID = 'smoa-ensemble';

/** Most current models take at least this much; the endpoint rejects with a clear error if a prompt is longer. */
export const DEFAULT_MAX_INPUT_TOKENS = 128_000;
const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

export interface ModelInformation {
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly version: string;
  readonly tooltip?: string;
  readonly detail?: string;
  readonly maxInputTokens: number;
  readonly maxOutputTokens: number;
  readonly capabilities: { readonly toolCalling?: boolean; readonly imageInput?: boolean };
}

/** A picker entry for one configured model on its endpoint. */
export interface EndpointModel {
  model: ModelConfig;
  endpoint: EndpointConfig;
}

/**
 * The endpoint models the settings define, each entry checked on its own: a user who only wants to chat with their
 * endpoints need not configure proposers, and one bad entry must not hide the others. Models on the "vscode" endpoint
 * are VS Code's own and already in the picker.
 */
export function endpointModels(settings: { endpoints?: unknown; models?: unknown }): EndpointModel[] {
  const endpoints = new Map<string, EndpointConfig>();
  for (const raw of asArray(settings.endpoints)) {
    const parsed = endpointSchema.safeParse(raw);
    if (parsed.success && !endpoints.has(parsed.data.id)) endpoints.set(parsed.data.id, parsed.data);
  }
  const out: EndpointModel[] = [];
  const seen = new Set<string>([ENSEMBLE_MODEL_ID]);
  for (const raw of asArray(settings.models)) {
    const parsed = modelSchema.safeParse(raw);
    if (!parsed.success || parsed.data.endpoint === VSCODE_ENDPOINT || seen.has(parsed.data.id)) continue;
    const endpoint = endpoints.get(parsed.data.endpoint);
    if (!endpoint) continue;
    seen.add(parsed.data.id);
    out.push({ model: parsed.data, endpoint });
  }
  return out;
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function endpointModelInformation({ model, endpoint }: EndpointModel): ModelInformation {
  return {
    id: model.id,
    name: model.label ?? model.id,
    family: model.model,
    version: endpoint.id,
    detail: endpoint.id,
    tooltip: `${model.model} on ${maskUrl(endpoint.baseURL)} (SMoA endpoint "${endpoint.id}")`,
    maxInputTokens: DEFAULT_MAX_INPUT_TOKENS,
    maxOutputTokens: model.maxTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
    capabilities: { toolCalling: model.toolCalling ?? true },
  };
}

/**
 * Whether the aggregator, the one member that may call tools in Agent mode, can: a VS Code model can, an endpoint
 * model unless its entry says `toolCalling: false`. Without set-up (no config yet) the aggregator is a VS Code model.
 */
export function aggregatorCallsTools(config: SmoaConfig | undefined): boolean {
  const aggregator = config?.models.find((m) => m.id === config.aggregator);
  if (!aggregator) return config === undefined;
  return aggregator.endpoint === VSCODE_ENDPOINT || aggregator.toolCalling !== false;
}

/**
 * The ensemble declares tool calling (which lists it in Agent mode) only when its aggregator can call tools; the
 * tooltip says why it is missing from Agent mode otherwise.
 */
export function ensembleInformation(config: SmoaConfig | undefined): ModelInformation {
  const aggregator = config?.models.find((m) => m.id === config.aggregator);
  const detail = config ? `${config.strategy.toUpperCase()}, ${config.proposers.length} proposers` : 'SMoA';
  const toolCalling = aggregatorCallsTools(config);
  const agent = toolCalling
    ? 'In Agent mode the proposers and the judge advise; the aggregator alone calls tools.'
    : `Not offered in Agent mode: its aggregator "${config?.aggregator}" has toolCalling: false in smoa.models, so it cannot call tools.`;
  return {
    id: ENSEMBLE_MODEL_ID,
    name: 'SMoA ensemble',
    family: ENSEMBLE_MODEL_ID,
    version: '1',
    detail,
    tooltip:
      'Several models answer, a judge keeps the best, an aggregator writes the final answer (settings smoa.*). ' +
      `${agent} Each answer is a run you can inspect with "${paletteName('openTrace')}".`,
    maxInputTokens: DEFAULT_MAX_INPUT_TOKENS,
    maxOutputTokens: aggregator?.maxTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
    capabilities: { toolCalling },
  };
}

/**
 * The engine's estimate (about four characters a token) over everything a message carries, plus a few tokens of
 * chat-format overhead per message, as the engine counts when an endpoint reports no usage.
 */
export function countTokens(input: string | LmMessage): number {
  if (typeof input === 'string') return estimateTokens(input);
  let tokens = 4;
  for (const raw of input.content) {
    const part = classifyPart(raw);
    if (part.kind === 'text' || part.kind === 'tool-result') tokens += estimateTokens(part.text);
    else if (part.kind === 'tool-call') tokens += estimateTokens(part.name) + estimateTokens(JSON.stringify(part.input ?? {}));
  }
  return tokens;
}

