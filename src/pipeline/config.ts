import { z } from 'zod';

/**
 * The one configuration schema. VS Code settings, the CLI's config file and the tests all parse through
 * `parseConfig`, so a mistake is reported the same way everywhere: by the path of the offending field.
 */

import { FIXED_STRATEGIES, STRATEGIES, STRATEGY_TRAITS, type Strategy } from './strategy/traits';
import { DEFAULT_ROUTE_SETTINGS } from './route/defaults';

export { STRATEGIES, type Strategy } from './strategy/traits';

/** Endpoint id reserved for models that VS Code itself offers (vscode.lm); the extension supplies their client. */
export const VSCODE_ENDPOINT = 'vscode';

const priceSchema = z
  .object({
    inputPerMTok: z.number().nonnegative().describe('USD per million prompt tokens'),
    outputPerMTok: z.number().nonnegative().describe('USD per million completion tokens'),
  })
  .strict();

export const endpointSchema = z
  .object({
    id: z.string().min(1, 'must not be empty'),
    baseURL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:8000/v1' }),
    /** Name of the environment variable holding the key; the extension also looks in SecretStorage. */
    apiKeyEnv: z.string().min(1).optional(),
    maxConcurrency: z.number().int().min(1).max(256).default(8),
    timeoutMs: z.number().int().min(100).default(120_000),
    maxRetries: z.number().int().min(0).max(10).default(3),
    /**
     * How to ask for JSON: `json_schema` (OpenAI structured outputs), `prompt` (instructions only), or `auto`
     * (try structured outputs, fall back to the prompt when the endpoint rejects `response_format`).
     */
    structuredOutputs: z.enum(['auto', 'json_schema', 'prompt']).default('auto'),
  })
  .strict();

export const modelSchema = z
  .object({
    id: z.string().min(1, 'must not be empty'),
    /** An endpoint id, or "vscode" for a model VS Code offers (then `model` is "vendor/family" or a model id). */
    endpoint: z.string().min(1),
    model: z.string().min(1, 'must name the model the endpoint serves'),
    label: z.string().optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().positive().optional(),
    price: priceSchema.optional(),
    /**
     * Whether the endpoint does OpenAI function calling for this model. Only the chat model picker uses it: VS Code's
     * Agent mode lists only models that call tools. Unset means yes, as most OpenAI-compatible servers do.
     */
    toolCalling: z.boolean().optional(),
  })
  .strict();

const rolesSchema = z.union([z.literal('auto'), z.literal('off'), z.array(z.string().min(1)).min(1)]);

export const configSchema = z
  .object({
    endpoints: z.array(endpointSchema).default([]),
    models: z.array(modelSchema).min(1, 'configure at least one model'),
    strategy: z.enum(STRATEGIES).default('smoa'),
    proposers: z.array(z.string().min(1)).min(1, 'list at least one proposer model id'),
    aggregator: z.string().min(1),
    /**
     * Judge model, or a list of them (a jury whose votes are combined); defaults to the aggregator, as in the SMoA
     * paper's code.
     */
    judge: z.union([z.string().min(1), z.array(z.string().min(1)).min(1, 'list at least one judge model id')]).optional(),
    /** A separate moderator model. When unset the judge decides the early stop in the same call. */
    moderator: z.string().min(1).optional(),
    /** Model that writes the roles; defaults to the aggregator. */
    roleModel: z.string().min(1).optional(),
    /** Proposer layers (rounds). The final aggregator comes after them. Hard cap when early stop is on. */
    layers: z.number().int().min(1).max(10).default(2),
    topK: z.number().int().min(1).default(2),
    earlyStop: z.boolean().default(true),
    roles: rolesSchema.default('auto'),
    taskDescription: z.string().default(''),
    systemPrompt: z.string().optional(),
    temperature: z.number().min(0).max(2).default(0.7),
    /** Caps proposer answers only; the aggregator keeps its own model's maxTokens. */
    proposerMaxTokens: z.number().int().positive().optional(),
    /** Seed for the judge's candidate shuffling, so a run can be reproduced. */
    seed: z.number().int().default(0),
    /** Self-MoA: the model sampled in every proposer slot. Default: the first proposer. */
    selfModel: z.string().min(1).optional(),
    /** Self-MoA: samples (proposer slots) per layer. Default: the number of proposers. */
    samples: z.number().int().min(1).max(32).optional(),
    /** Self-MoA-Seq: the aggregator folds this many answers at a time into a running synthesis. Unset: all at once. */
    selfWindow: z.number().int().min(2).optional(),
    /** Adaptive: how many proposers answer first (default 2); the rest join only when these disagree. */
    adaptiveStart: z.number().int().optional(),
    /**
     * The ensemble model in Agent mode. `reconsult`: after a tool result, `full` runs the whole panel again on every
     * turn; `final-only` lets the aggregator alone work through the tool calls and has the panel reconsult once on its
     * final answer (a fraction of the cost on long tool loops).
     */
    agent: z
      .object({ reconsult: z.enum(['full', 'final-only']).default('final-only') })
      .strict()
      .default({ reconsult: 'final-only' }),
    /** 2: each judge ranks the candidates twice, the second time in reverse order, and the votes are combined. */
    judgeOrders: z.literal([1, 2], { error: 'must be 1 or 2' }).default(1),
    /** A judge may not pick answers written by its own model (it still sees them); all its own: it abstains. */
    judgeRecusal: z.boolean().default(false),
    /** The judge writes one short reason with its scores; false saves those tokens (the card then shows the scores only). */
    judgeReasons: z.boolean().default(true),
    /**
     * Notes the judge writes for the aggregator: `full` (up to 3 agreements, 3 contradictions, 2 points only a dropped
     * answer had), `brief` (one short point each) or `off`. Asked only in a layer whose notes the aggregator may read.
     */
    judgeNotes: z.enum(['full', 'brief', 'off']).default('brief'),
    /**
     * The `route` strategy: which evaluated results to learn from and how to weigh quality against cost. The router
     * file is read by the host or the CLI and handed to the engine, which never reads files.
     */
    route: z
      .object({
        file: z.string().optional(),
        costWeight: z.number().min(0).max(10).default(DEFAULT_ROUTE_SETTINGS.costWeight),
        maxProposers: z.number().int().min(1).max(16).default(DEFAULT_ROUTE_SETTINGS.maxProposers),
        minSimilarity: z.number().min(0).max(1).default(DEFAULT_ROUTE_SETTINGS.minSimilarity),
        fallback: z.enum(FIXED_STRATEGIES).optional(),
      })
      .strict()
      .default({ costWeight: DEFAULT_ROUTE_SETTINGS.costWeight, maxProposers: DEFAULT_ROUTE_SETTINGS.maxProposers, minSimilarity: DEFAULT_ROUTE_SETTINGS.minSimilarity }),
    /** Per-run limits: a stage whose upper bound would pass them is not started (see budget.ts). */
    budget: z
      .object({
        maxUsd: z.number().positive().optional().describe('USD a run may spend at most'),
        maxTokens: z.number().int().positive().optional().describe('prompt + completion tokens a run may use at most'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const endpointIds = new Set<string>();
    cfg.endpoints.forEach((e, i) => {
      if (e.id === VSCODE_ENDPOINT) {
        ctx.addIssue({ code: 'custom', path: ['endpoints', i, 'id'], message: `"${VSCODE_ENDPOINT}" is reserved for VS Code's own models` });
      } else if (endpointIds.has(e.id)) {
        ctx.addIssue({ code: 'custom', path: ['endpoints', i, 'id'], message: `duplicate endpoint id "${e.id}"` });
      }
      endpointIds.add(e.id);
    });
    const modelIds = new Set<string>();
    cfg.models.forEach((m, i) => {
      if (modelIds.has(m.id)) ctx.addIssue({ code: 'custom', path: ['models', i, 'id'], message: `duplicate model id "${m.id}"` });
      modelIds.add(m.id);
      if (m.endpoint !== VSCODE_ENDPOINT && !endpointIds.has(m.endpoint)) {
        const known = [...endpointIds].map((id) => `"${id}"`).join(', ') || 'none configured';
        ctx.addIssue({
          code: 'custom',
          path: ['models', i, 'endpoint'],
          message: `unknown endpoint "${m.endpoint}" (known: ${known})`,
        });
      }
    });
    const checkRef = (path: (string | number)[], id: string | undefined) => {
      if (id !== undefined && !modelIds.has(id)) {
        const known = [...modelIds].map((m) => `"${m}"`).join(', ');
        ctx.addIssue({ code: 'custom', path, message: `unknown model "${id}" (known: ${known})` });
      }
    };
    cfg.proposers.forEach((p, i) => checkRef(['proposers', i], p));
    checkRef(['aggregator'], cfg.aggregator);
    if (Array.isArray(cfg.judge)) cfg.judge.forEach((j, i) => checkRef(['judge', i], j));
    else checkRef(['judge'], cfg.judge);
    checkRef(['moderator'], cfg.moderator);
    checkRef(['roleModel'], cfg.roleModel);
    checkRef(['selfModel'], cfg.selfModel);
    const samples = cfg.samples ?? cfg.proposers.length;
    if (cfg.selfWindow !== undefined && cfg.selfWindow >= samples) {
      ctx.addIssue({
        code: 'custom',
        path: ['selfWindow'],
        message: `must be less than the number of samples (${samples}); leave it unset to aggregate all answers at once`,
      });
    }
    if (cfg.adaptiveStart !== undefined && (cfg.adaptiveStart < 1 || cfg.adaptiveStart > cfg.proposers.length)) {
      ctx.addIssue({
        code: 'custom',
        path: ['adaptiveStart'],
        message: `must be between 1 and the number of proposers (${cfg.proposers.length}), got ${cfg.adaptiveStart}`,
      });
    }
    if (STRATEGY_TRAITS[cfg.strategy].judge === 'topK' && cfg.topK > cfg.proposers.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['topK'],
        message: `topK (${cfg.topK}) cannot exceed the number of proposers (${cfg.proposers.length})`,
      });
    }
    if (Array.isArray(cfg.roles) && cfg.roles.length !== cfg.proposers.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['roles'],
        message: `give one role per proposer (${cfg.proposers.length}), got ${cfg.roles.length}`,
      });
    }
  });

export type SmoaConfig = z.output<typeof configSchema>;
export type SmoaConfigInput = z.input<typeof configSchema>;
export type EndpointConfig = SmoaConfig['endpoints'][number];
export type ModelConfig = SmoaConfig['models'][number];

export interface ConfigIssue {
  /** e.g. `models[1].endpoint`; empty for the whole config. */
  path: string;
  message: string;
}

export type ConfigResult = { ok: true; config: SmoaConfig } | { ok: false; issues: ConfigIssue[] };

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

export function parseConfig(input: unknown): ConfigResult {
  const parsed = configSchema.safeParse(input, { reportInput: true });
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: describeIssue(issue) })),
  };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown setting(s): ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type') {
    return issue.input === undefined ? `required (expected ${issue.expected})` : `expected ${issue.expected}, got ${JSON.stringify(issue.input)}`;
  }
  return issue.message;
}

/** One line per issue, `path: message`, as the CLI and the extension show them. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n');
}

class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(formatIssues(issues));
    this.name = 'ConfigError';
  }
}

/** Parses or throws a ConfigError whose message names every offending field. */
export function loadConfig(input: unknown): SmoaConfig {
  const result = parseConfig(input);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}

/** The judge models, in order: the configured judge or jury, else the aggregator. */
export function judgeModels(config: Pick<SmoaConfig, 'judge' | 'aggregator'>): string[] {
  if (Array.isArray(config.judge)) return config.judge;
  return [config.judge ?? config.aggregator];
}

/** Whether two model ids name the same model (same endpoint and served model), e.g. a judge and a proposer. */
export function sameModel(config: SmoaConfig, a: string, b: string): boolean {
  if (a === b) return true;
  const ma = config.models.find((m) => m.id === a);
  const mb = config.models.find((m) => m.id === b);
  return !!ma && !!mb && ma.endpoint === mb.endpoint && ma.model === mb.model;
}

/**
 * Valid but questionable settings, said once where settings are read. A judge the user named that also proposes tends
 * to prefer its own answers (self-preference, Panickssery et al. 2024) unless `judgeRecusal` is on.
 */
export function configWarnings(config: SmoaConfig): ConfigIssue[] {
  // An unset judge is the aggregator by default: a choice the user did not make is not theirs to be warned about.
  if (config.judge === undefined || config.judgeRecusal || STRATEGY_TRAITS[config.strategy].judge === 'none') return [];
  const proposers = STRATEGY_TRAITS[config.strategy].proposers === 'self' ? [config.selfModel ?? config.proposers[0]] : config.proposers;
  const judges = judgeModels(config);
  const warnings: ConfigIssue[] = [];
  judges.forEach((judge, i) => {
    const own = proposers.find((p) => sameModel(config, p, judge));
    if (own === undefined) return;
    warnings.push({
      path: Array.isArray(config.judge) ? `judge[${i}]` : 'judge',
      message:
        `judge "${judge}" is also a proposer${own === judge ? '' : ` ("${own}" is the same model)`}: LLM judges tend to favour ` +
        'their own answers. Set judgeRecusal to true, or choose a judge that does not propose.',
    });
  });
  return warnings;
}

export function modelById(config: SmoaConfig, id: string): ModelConfig {
  const model = config.models.find((m) => m.id === id);
  if (!model) throw new Error(`unknown model "${id}"`);
  return model;
}

/** The model id in each proposer slot: the configured panel, or `selfModel` `samples` times for Self-MoA. */
export function proposerSlots(config: SmoaConfig, strategy: Strategy): string[] {
  const { proposers } = STRATEGY_TRAITS[strategy];
  if (proposers === 'none') return [];
  if (proposers === 'self') return Array.from({ length: config.samples ?? config.proposers.length }, () => config.selfModel ?? config.proposers[0]);
  return config.proposers;
}

/** Adaptive: how many proposers answer first. */
export function adaptiveStartOf(config: SmoaConfig): number {
  return Math.min(config.adaptiveStart ?? DEFAULT_ADAPTIVE_START, config.proposers.length);
}

const DEFAULT_ADAPTIVE_START = 2;

export function endpointById(config: SmoaConfig, id: string): EndpointConfig | undefined {
  return config.endpoints.find((e) => e.id === id);
}

/** The config as it may be written into a trace or an export: there are no keys in it, only env var names. */
export function configForTrace(config: SmoaConfig): SmoaConfig {
  return structuredClone(config);
}
