/**
 * Writes the parts of package.json that restate code: the settings (types, ranges, enums and defaults from the zod
 * schemas; descriptions from src/host/settings-meta.ts), the chat's slash commands (from the strategy traits table)
 * and the agent tool's description and input schema (from src/host/consult.ts). `npm run gen:package` rewrites package.json;
 * test/unit/host/generated-package.test.ts fails when the committed file differs from what this produces.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { EMPTY_MEANS_UNSET } from '../src/host/settings-input';
import { EXTENSION_SETTINGS, SETTINGS_META, type SettingMeta } from '../src/host/settings-meta';
import { CONSULT_INPUT_SCHEMA, CONSULT_MODEL_DESCRIPTION, CONSULT_TOOL_NAME } from '../src/models/consult';
import { configSchema } from '../src/pipeline/config';
import { STRATEGIES, STRATEGY_TRAITS } from '../src/pipeline/strategy/traits';

type Json = Record<string, unknown>;

export const PACKAGE_JSON = join(__dirname, '..', 'package.json');

/** zod's JSON Schema, trimmed to what VS Code's settings use. */
function jsonOf(schema: z.ZodType): Json {
  return tidy(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json);
}

function tidy(node: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema') continue;
    if ((key === 'maximum' || key === 'minimum') && Math.abs(value as number) === Number.MAX_SAFE_INTEGER) continue;
    if (key === 'exclusiveMinimum' && value === 0 && node.type === 'integer') {
      out.minimum = 1;
      continue;
    }
    if (Array.isArray(value)) out[key] = value.map((v) => (isObject(v) ? tidy(v) : v));
    else out[key] = isObject(value) ? tidy(value) : value;
  }
  return out;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A field the user may leave unset still needs a value in VS Code: "" for names, null for numbers, [] for lists. */
function withUnsetDefault(key: string, json: Json): Json {
  if ('default' in json) return json;
  const out = { ...json };
  if (out.type === 'array') {
    delete out.minItems;
    return { ...out, default: [] };
  }
  if (out.type === 'string' && EMPTY_MEANS_UNSET.has(key)) {
    delete out.minLength;
    return { ...out, default: '' };
  }
  if (Array.isArray(out.anyOf) && EMPTY_MEANS_UNSET.has(key)) {
    // A name or a list of names (the judge or a jury): "" is unset, so neither branch may demand a length.
    const branches = (out.anyOf as Json[]).map(({ minLength: _l, minItems: _i, ...branch }) => branch);
    return { ...out, anyOf: branches, default: '' };
  }
  if (out.type === 'integer' || out.type === 'number') return { ...out, type: [out.type, 'null'], default: null };
  // An unset choice is "" too, so the Settings editor offers it among the values.
  if (out.type === 'string') return { ...out, ...(Array.isArray(out.enum) ? { enum: ['', ...out.enum] } : {}), default: '' };
  throw new Error(`setting smoa.${key}: no default and no way to leave it unset; give it a default in the schema`);
}

function withMeta(key: string, json: Json): Json {
  const meta: SettingMeta | undefined = SETTINGS_META[key];
  if (!meta?.markdownDescription && !meta?.description) throw new Error(`setting smoa.${key} has no description in src/host/settings-meta.ts`);
  const { items: itemMeta, ...top } = meta;
  const out: Json = { ...json, ...top };
  if (key === 'strategy') out.enumDescriptions = STRATEGIES.map((s) => STRATEGY_TRAITS[s].description);
  if (itemMeta && isObject(out.items) && isObject(out.items.properties)) {
    const properties: Json = {};
    for (const [name, prop] of Object.entries(out.items.properties)) {
      const m = itemMeta[name] ?? {};
      const { properties: nested, ...own } = m;
      let merged: Json = { ...(prop as Json), ...own };
      if (nested && isObject(merged.properties)) {
        merged = {
          ...merged,
          properties: Object.fromEntries(Object.entries(merged.properties).map(([n, p]) => [n, { ...(p as Json), ...(nested[n] ?? {}) }])),
        };
      }
      properties[name] = merged;
    }
    out.items = { ...out.items, properties };
  }
  return out;
}

/** Every `smoa.*` setting: one per config field (an object field is one setting per sub-field), then the extension's. */
export function settingsProperties(): Json {
  const generated = new Map<string, Json>();
  for (const [field, schema] of Object.entries(configSchema.shape)) {
    const json = jsonOf(schema as z.ZodType);
    if (json.type === 'object' && isObject(json.properties)) {
      for (const [sub, subJson] of Object.entries(json.properties)) {
        const key = `${field}.${sub}`;
        generated.set(key, withMeta(key, withUnsetDefault(key, subJson as Json)));
      }
    } else {
      generated.set(field, withMeta(field, withUnsetDefault(field, json)));
    }
  }
  for (const [key, schema] of Object.entries(EXTENSION_SETTINGS)) generated.set(key, withMeta(key, withUnsetDefault(key, jsonOf(schema))));
  const unused = Object.keys(SETTINGS_META).filter((k) => !generated.has(k));
  if (unused.length) throw new Error(`settings-meta.ts describes settings no schema has: ${unused.join(', ')}`);
  // The Settings editor lists them in this order: the meta file's, which groups them for a reader.
  const order = Object.keys(SETTINGS_META);
  return Object.fromEntries([...generated.entries()].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([k, v]) => [`smoa.${k}`, v]));
}

export function generatePackageJson(pkg: Json): Json {
  const contributes = pkg.contributes as Json;
  const configuration = contributes.configuration as Json;
  const participants = contributes.chatParticipants as Json[];
  const tools = contributes.languageModelTools as Json[];
  const commands = [
    ...STRATEGIES.map((name) => ({ name, description: STRATEGY_TRAITS[name].command })),
    ...((participants[0].commands as Json[]) ?? []).filter((c) => !(STRATEGIES as readonly unknown[]).includes(c.name)),
  ];
  return {
    ...pkg,
    contributes: {
      ...contributes,
      chatParticipants: [{ ...participants[0], commands }, ...participants.slice(1)],
      configuration: { ...configuration, properties: settingsProperties() },
      languageModelTools: tools.map((t) =>
        t.name === CONSULT_TOOL_NAME ? { ...t, modelDescription: CONSULT_MODEL_DESCRIPTION, inputSchema: CONSULT_INPUT_SCHEMA } : t,
      ),
    },
  };
}

export function packageJsonText(pkg: Json): string {
  return `${JSON.stringify(generatePackageJson(pkg), null, 2)}\n`;
}

if (require.main === module) {
  const current = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8'));
  writeFileSync(PACKAGE_JSON, packageJsonText(current));
  console.log('package.json: settings, slash commands and tool schema regenerated');
}
