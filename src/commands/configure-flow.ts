import { maskUrl } from '../pipeline/secrets';
import { modelSchema, VSCODE_ENDPOINT, type ModelConfig } from '../pipeline/config';
import type { FoundServer, ModelList } from '../host/endpoint-discovery';
import type { VsCodeModelInfo } from '../host/vscode-models';
import { modelChoices, type ModelChoice } from './model-choices';

/**
 * "SMoA: Configure Models" as steps over a small UI port, so the whole flow runs in plain Node tests with a scripted UI
 * (configure-models.ts adapts it to quick picks and input boxes). Every step starts from the current settings, so
 * pressing Enter keeps them; an endpoint can be added on the way (base URL, optional key, its `/models`); nothing is
 * written, key included, until the user confirms the summary of changes.
 */

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
  /** pickMany: checked when the list opens. */
  picked?: boolean;
}

export interface ConfigureUi {
  /** One choice; the first item is the default (Enter). Undefined when the user pressed Escape. */
  pickOne<T>(title: string, placeHolder: string, items: PickItem<T>[]): Promise<T | undefined>;
  pickMany<T>(title: string, placeHolder: string, items: PickItem<T>[]): Promise<T[] | undefined>;
  input(options: { title: string; prompt: string; value?: string; password?: boolean; validate?: (value: string) => string | undefined }): Promise<string | undefined>;
  info(message: string): void;
  warn(message: string): void;
}

export interface ConfigureDeps {
  /** The `smoa.*` settings as they are now (read leniently: an invalid one must not block fixing it here). */
  settings: Record<string, unknown>;
  vscodeModels(): Promise<readonly VsCodeModelInfo[]>;
  findLocalServers(): Promise<FoundServer[]>;
  listModels(baseURL: string, apiKey?: string): Promise<ModelList>;
  storeKey(endpointId: string, key: string): Promise<void>;
  /** Writes the changed settings, in the order given (each write must leave the settings valid). */
  write(changes: [key: string, value: unknown][]): Promise<void>;
}

export type ConfigureOutcome = 'saved' | 'unchanged' | 'cancelled';

interface NewEndpoint {
  id: string;
  baseURL: string;
  key?: string;
}

type Source = { kind: 'choose' } | { kind: 'url' } | { kind: 'local'; server: FoundServer };

const TITLE = 'SMoA: Configure Models';

export async function configureModels(ui: ConfigureUi, deps: ConfigureDeps): Promise<ConfigureOutcome> {
  const s = deps.settings;
  const rawModels = Array.isArray(s.models) ? s.models : [];
  const rawEndpoints = Array.isArray(s.endpoints) ? s.endpoints : [];
  const configured = rawModels.flatMap((m) => {
    const parsed = modelSchema.safeParse(m);
    return parsed.success ? [parsed.data as ModelConfig] : [];
  });
  const endpointIds = new Set(rawEndpoints.flatMap((e) => (e && typeof (e as { id?: unknown }).id === 'string' ? [(e as { id: string }).id] : [])));
  const endpointURLs = new Set(rawEndpoints.flatMap((e) => (e && typeof (e as { baseURL?: unknown }).baseURL === 'string' ? [trimURL((e as { baseURL: string }).baseURL)] : [])));
  const current = {
    proposers: Array.isArray(s.proposers) ? s.proposers.filter((p): p is string => typeof p === 'string') : [],
    aggregator: typeof s.aggregator === 'string' ? s.aggregator : '',
    judge: typeof s.judge === 'string' ? s.judge : '',
    topK: typeof s.topK === 'number' ? s.topK : 2,
  };

  const [offered, local] = await Promise.all([deps.vscodeModels().catch(() => []), deps.findLocalServers().catch(() => [])]);
  let choices = modelChoices(configured, offered);
  const added: NewEndpoint[] = [];

  // Step 1: where the models come from; Enter keeps the models available now.
  const newLocal = local.filter((l) => !endpointURLs.has(trimURL(l.baseURL)));
  const source = await pickSource(ui, deps, choices, newLocal, endpointIds);
  if (!source) return 'cancelled';
  if (source.added) {
    added.push(source.added.endpoint);
    choices = [...choices, ...source.added.choices];
  }

  // Step 2: proposers, one item per slot as the setting has them (a model listed twice is two checked items), then
  // every model again to add a slot. Enter keeps the checked slots as they are.
  const byId = new Map(choices.map((c) => [c.id, c]));
  const slotItems = current.proposers.map((id, i) => ({
    label: id,
    description: `slot ${i + 1}${byId.get(id) ? ` · ${byId.get(id)!.description}` : ''}`,
    value: i,
    picked: true,
  }));
  const addItems = choices.map((c, j) => ({
    label: c.id,
    description: current.proposers.includes(c.id) ? `another slot · ${c.description}` : c.description,
    value: current.proposers.length + j,
  }));
  const slotIds = [...current.proposers, ...choices.map((c) => c.id)];
  const pickedSlots = await ui.pickMany(
    `${TITLE} (1/3): proposers`,
    current.proposers.length
      ? `One item per slot; Enter keeps ${current.proposers.join(', ')} (a model may fill several slots)`
      : 'Models that answer in each layer (two or more different models answer best)',
    [...slotItems, ...addItems],
  );
  if (!pickedSlots || pickedSlots.length === 0) return 'cancelled';
  const proposers = [...pickedSlots].sort((x, y) => x - y).map((i) => slotIds[i]);

  // Step 3: aggregator; the default is the current one, else the first proposer.
  const known = new Set(choices.map((c) => c.id));
  const aggregatorDefault = known.has(current.aggregator) ? current.aggregator : proposers[0];
  const aggregator = await ui.pickOne(
    `${TITLE} (2/3): aggregator`,
    'Model that writes the final answer',
    currentFirst(choices, aggregatorDefault).map((c) => ({ label: c.id, description: tagCurrent(c, current.aggregator), value: c.id })),
  );
  if (!aggregator) return 'cancelled';

  // Step 4: judge; "same as the aggregator" (an empty setting) is an item of its own.
  const same: PickItem<string> = { label: '$(arrow-up) Same as the aggregator', description: `${aggregator}${current.judge === '' ? ' (current)' : ''}`, value: '' };
  const judgeItems = currentFirst(choices, current.judge).map((c) => ({ label: c.id, description: tagCurrent(c, current.judge), value: c.id }));
  const judge = await ui.pickOne(
    `${TITLE} (3/3): judge`,
    'Model that keeps the best answers of each layer',
    current.judge !== '' && known.has(current.judge) ? [judgeItems[0], same, ...judgeItems.slice(1)] : [same, ...judgeItems],
  );
  if (judge === undefined) return 'cancelled';

  // What would change, in an order that keeps the settings valid after each write.
  const used = new Set([...proposers, aggregator, ...(judge ? [judge] : [])]);
  const newModels = choices.filter((c) => c.add && used.has(c.id)).map((c) => c.add!);
  const newEndpoints = added.filter((e) => newModels.some((m) => m.endpoint === e.id));
  const topK = Math.min(current.topK, proposers.length);
  const changes: [string, unknown][] = [];
  if (newEndpoints.length) changes.push(['endpoints', [...rawEndpoints, ...newEndpoints.map((e) => ({ id: e.id, baseURL: e.baseURL }))]]);
  if (newModels.length) changes.push(['models', [...rawModels, ...newModels]]);
  if (topK !== current.topK && s.topK !== undefined) changes.push(['topK', topK]);
  if (aggregator !== current.aggregator) changes.push(['aggregator', aggregator]);
  // "Same as the aggregator" removes the setting: an empty string is not a model id.
  if (judge !== current.judge) changes.push(['judge', judge === '' ? undefined : judge]);
  if (JSON.stringify(proposers) !== JSON.stringify(current.proposers)) changes.push(['proposers', proposers]);
  if (changes.length === 0) {
    ui.info('SMoA: nothing changed; the settings stay as they were.');
    return 'unchanged';
  }

  const keys = newEndpoints.filter((e) => e.key);
  const summary = [
    ...changes.map(([key, value]) => describeChange(key, value, s[key])),
    ...keys.map((e) => `API key of "${e.id}": stored in VS Code's secret storage`),
  ];
  const confirmed = await ui.pickOne(`${TITLE}: save?`, 'Save these changes to your user settings?', [
    { label: '$(check) Save', detail: summary.join(' · '), value: true },
    { label: '$(close) Cancel', description: 'nothing is written', value: false },
  ]);
  if (!confirmed) return 'cancelled';
  for (const e of keys) await deps.storeKey(e.id, e.key!);
  await deps.write(changes);
  ui.info(`SMoA: ${proposers.length} proposer${proposers.length === 1 ? '' : 's'} (${proposers.join(', ')}), aggregator ${aggregator}, judge ${judge || aggregator}.`);
  return 'saved';
}

/** The first step: keep the models there are, take a local server that was found, or add an endpoint by URL. */
async function pickSource(
  ui: ConfigureUi,
  deps: ConfigureDeps,
  choices: readonly ModelChoice[],
  local: readonly FoundServer[],
  endpointIds: ReadonlySet<string>,
): Promise<{ added?: { endpoint: NewEndpoint; choices: ModelChoice[] } } | undefined> {
  const items: PickItem<Source>[] = [
    ...(choices.length > 0 ? [{ label: `$(list-selection) Choose from the ${choices.length} models available now`, value: { kind: 'choose' } as Source }] : []),
    ...local.map((server) => ({
      label: `$(server) ${server.name} at ${server.baseURL}`,
      description: `${server.models.length} model${server.models.length === 1 ? '' : 's'} found`,
      value: { kind: 'local', server } as Source,
    })),
    { label: '$(add) Add an OpenAI-compatible endpoint…', description: 'base URL, optional API key', value: { kind: 'url' } },
  ];
  const placeHolder = choices.length === 0 ? 'No models yet: VS Code offers none and smoa.models is empty. Add an endpoint:' : 'Models from';
  const source = await ui.pickOne(`${TITLE}: models`, placeHolder, items);
  if (!source) return undefined;
  if (source.kind === 'choose') return {};
  const found = source.kind === 'local' ? await localEndpoint(source.server, endpointIds) : await askEndpoint(ui, deps, endpointIds);
  if (!found) return undefined;
  const { endpoint } = found;
  const ids = new Set(choices.map((c) => c.id));
  const fresh = found.models.map((model): ModelChoice => {
    // A model name that is already an id elsewhere gets the endpoint's name in front.
    const id = ids.has(model) ? `${endpoint.id}/${model}` : model;
    ids.add(id);
    return { id, description: `${model} on endpoint "${endpoint.id}" (new)`, add: { id, endpoint: endpoint.id, model } };
  });
  return { added: { endpoint, choices: fresh } };
}

async function localEndpoint(server: FoundServer, taken: ReadonlySet<string>): Promise<{ endpoint: NewEndpoint; models: string[] }> {
  return { endpoint: { id: uniqueId(server.id, taken), baseURL: server.baseURL }, models: server.models };
}

/** Base URL, id and optional key of a new endpoint, then its models; undefined when the user gives up. */
async function askEndpoint(ui: ConfigureUi, deps: ConfigureDeps, taken: ReadonlySet<string>): Promise<{ endpoint: NewEndpoint; models: string[] } | undefined> {
  let baseURL = '';
  for (;;) {
    const url = await ui.input({
      title: `${TITLE}: new endpoint (1/3)`,
      prompt: 'Base URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1',
      value: baseURL || 'https://',
      validate: validURL,
    });
    if (!url) return undefined;
    baseURL = trimURL(url.trim());
    const id = await ui.input({
      title: `${TITLE}: new endpoint (2/3)`,
      prompt: 'A short name for it, used in smoa.models',
      value: uniqueId(suggestId(baseURL), taken),
      validate: (v) => validId(v.trim(), taken),
    });
    if (!id) return undefined;
    const key = await ui.input({
      title: `${TITLE}: new endpoint (3/3)`,
      prompt: 'API key, kept in VS Code\u2019s secret storage (never in settings). Leave empty if the server needs none.',
      password: true,
    });
    if (key === undefined) return undefined;
    const list = await deps.listModels(baseURL, key.trim() || undefined);
    if (list.ok) return { endpoint: { id: id.trim(), baseURL, ...(key.trim() ? { key: key.trim() } : {}) }, models: list.models };
    ui.warn(`SMoA: could not list the models of ${maskUrl(baseURL)}: ${list.error}. Check the URL and key, or press Escape.`);
  }
}

function validURL(value: string): string | undefined {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'The URL must start with http:// or https://';
  } catch {
    return 'Enter a URL, e.g. https://api.openai.com/v1';
  }
}

function validId(value: string, taken: ReadonlySet<string>): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value)) return 'Letters, digits, ".", "_" and "-" only';
  if (value === VSCODE_ENDPOINT) return '"vscode" is reserved for the models VS Code offers';
  if (taken.has(value)) return `An endpoint "${value}" exists already`;
  return undefined;
}

function suggestId(baseURL: string): string {
  const host = new URL(baseURL).hostname;
  if (host === '127.0.0.1' || host === 'localhost') return 'local';
  const parts = host.split('.').filter((p) => p !== 'api' && p !== 'www');
  return (parts.length > 1 ? parts[parts.length - 2] : parts[0] || 'endpoint').replace(/[^A-Za-z0-9._-]/g, '-');
}

function uniqueId(base: string, taken: ReadonlySet<string>): string {
  let id = base === VSCODE_ENDPOINT ? `${base}-api` : base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

function trimURL(url: string): string {
  return url.replace(/\/+$/, '');
}

function currentFirst(choices: readonly ModelChoice[], id: string): ModelChoice[] {
  const found = choices.find((c) => c.id === id);
  return found ? [found, ...choices.filter((c) => c !== found)] : [...choices];
}

function tagCurrent(choice: ModelChoice, currentId: string): string {
  return choice.id === currentId ? `${choice.description} (current)` : choice.description;
}

function describeChange(key: string, value: unknown, before: unknown): string {
  const show = (v: unknown) => (Array.isArray(v) ? (v.every((x) => typeof x === 'string') ? v.join(', ') : `${v.length} entries`) : v === '' || v === undefined ? '(not set)' : String(v));
  if (key === 'models' || key === 'endpoints') {
    const n = (value as unknown[]).length - (Array.isArray(before) ? before.length : 0);
    return `smoa.${key}: +${n} new`;
  }
  return `smoa.${key}: ${show(before)} → ${show(value)}`;
}
