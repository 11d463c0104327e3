/**
 * Builds a JSON value that conforms to a JSON schema, generically, so the fake server can answer any
 * structured-output request (judge, moderator, ...) without knowing the caller's schema in advance.
 * Deterministic: the same schema, model and seed give the same value. Numbers inside a [min, max] range
 * vary with the seed so that different simulated models disagree a little, as real ones do.
 */

type Schema = Record<string, unknown> | boolean;

export function instanceOf(schema: unknown, seed = ''): unknown {
  const root = isObject(schema) ? schema : {};
  return build(root, root, seed, '$', 0);
}

function build(schema: unknown, root: Record<string, unknown>, seed: string, path: string, depth: number): unknown {
  if (!isObject(schema) || depth > 12) return null; // `true`/`{}`/runaway recursion: any value is fine
  const s = schema;

  if (typeof s.$ref === 'string') return build(resolveRef(s.$ref, root), root, seed, path, depth + 1);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) {
      // Prefer a non-null branch so nullable fields still carry content.
      const pick = options.find((o) => !(isObject(o) && o.type === 'null')) ?? options[0];
      return build(pick, root, seed, path, depth + 1);
    }
  }
  if (Array.isArray(s.allOf) && s.allOf.length > 0) {
    // Good enough for the common "allOf: [{$ref}]" wrapper: merge the branches shallowly.
    const merged: Record<string, unknown> = {};
    for (const part of s.allOf) {
      const p = isObject(part) && typeof part.$ref === 'string' ? resolveRef(part.$ref, root) : part;
      if (isObject(p)) mergeInto(merged, p);
    }
    return build(merged, root, seed, path, depth + 1);
  }

  switch (typeOf(s)) {
    case 'object':
      return buildObject(s, root, seed, path, depth);
    case 'array':
      return buildArray(s, root, seed, path, depth);
    case 'string':
      return buildString(s, seed, path);
    case 'integer':
      return pickNumber(s, seed, path, true);
    case 'number':
      return pickNumber(s, seed, path, false);
    case 'boolean':
      return false; // the conservative answer ("not done yet", "not stopping"), so simulated runs go the full way
    default:
      return null;
  }
}

function typeOf(s: Record<string, unknown>): string {
  const t = s.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return (t.find((x) => x !== 'null') as string | undefined) ?? 'null';
  if (isObject(s.properties)) return 'object';
  if ('items' in s || 'prefixItems' in s) return 'array';
  return 'null';
}

function buildObject(s: Record<string, unknown>, root: Record<string, unknown>, seed: string, path: string, depth: number) {
  const out: Record<string, unknown> = {};
  const props = isObject(s.properties) ? s.properties : {};
  const required = Array.isArray(s.required) ? (s.required as string[]) : [];
  // Every declared property (strict structured outputs requires them all anyway), then any required one
  // that has no declaration.
  for (const [key, sub] of Object.entries(props)) out[key] = build(sub, root, seed, `${path}.${key}`, depth + 1);
  for (const key of required) if (!(key in out)) out[key] = `${key}`;
  return out;
}

function buildArray(s: Record<string, unknown>, root: Record<string, unknown>, seed: string, path: string, depth: number) {
  const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as Schema[]) : [];
  const min = num(s.minItems) ?? 0;
  const max = num(s.maxItems) ?? Infinity;
  const length = Math.min(Math.max(min, prefix.length, prefix.length > 0 ? 0 : 2), max);
  const itemSchema = resolveIfRef(s.items, root);
  const out: unknown[] = [];
  // Arrays of integers are usually indices (a judge's picks): distinct small numbers in order read best.
  if (prefix.length === 0 && isObject(itemSchema) && typeOf(itemSchema) === 'integer' && !itemSchema.enum) {
    const start = num(itemSchema.minimum) ?? (num(itemSchema.exclusiveMinimum) ?? -1) + 1;
    const lo = Math.max(0, Math.ceil(start));
    const hi = num(itemSchema.maximum) ?? Infinity;
    for (let i = 0; i < length && lo + i <= hi; i++) out.push(lo + i);
    return out;
  }
  // An enum of items (a judge's allowed response numbers): distinct values in a seeded order, as a model would pick.
  if (prefix.length === 0 && isObject(itemSchema) && Array.isArray(itemSchema.enum) && itemSchema.enum.length > 0) {
    const values = [...itemSchema.enum].sort((a, b) => hash(`${seed}|${path}|${JSON.stringify(a)}`) - hash(`${seed}|${path}|${JSON.stringify(b)}`));
    for (let i = 0; i < length; i++) out.push(values[i % values.length]);
    return out;
  }
  // Unbounded numbers are whatever the decoder makes of them: a loose `number[]` schema gets values like 15.67.
  if (prefix.length === 0 && isObject(itemSchema) && typeOf(itemSchema) === 'number' && num(itemSchema.minimum) === undefined && num(itemSchema.maximum) === undefined) {
    for (let i = 0; i < length; i++) out.push((hash(`${seed}|${path}[${i}]`) % 2000) / 100);
    return out;
  }
  for (let i = 0; i < length; i++) {
    const sub = i < prefix.length ? prefix[i] : itemSchema;
    out.push(build(sub, root, seed, `${path}[${i}]`, depth + 1));
  }
  return out;
}

function buildString(s: Record<string, unknown>, seed: string, path: string): string {
  const key = path.replace(/\[\d+\]/g, '').split('.').pop() || 'value';
  const model = seed.split('\n')[0] || 'model';
  let text = key === '$' ? `simulated answer from ${model}` : `${key} from ${model}`;
  if (s.format === 'date-time') text = '2024-01-01T00:00:00Z';
  else if (s.format === 'date') text = '2024-01-01';
  else if (s.format === 'email') text = 'simulated@example.com';
  else if (s.format === 'uri' || s.format === 'url') text = 'https://example.com/';
  else if (s.format === 'uuid') text = '00000000-0000-4000-8000-000000000000';
  const minLength = num(s.minLength) ?? 0;
  const maxLength = num(s.maxLength) ?? Infinity;
  while (text.length < minLength) text += ' simulated';
  return text.slice(0, Math.max(minLength, Math.min(text.length, maxLength)));
}

function pickNumber(s: Record<string, unknown>, seed: string, path: string, integer: boolean): number {
  let lo = num(s.minimum);
  let hi = num(s.maximum);
  const exLo = num(s.exclusiveMinimum);
  const exHi = num(s.exclusiveMaximum);
  const step = integer ? 1 : 0.01;
  if (exLo !== undefined) lo = Math.max(lo ?? -Infinity, exLo + step);
  if (exHi !== undefined) hi = Math.min(hi ?? Infinity, exHi - step);
  if (integer) {
    if (lo !== undefined) lo = Math.ceil(lo);
    if (hi !== undefined) hi = Math.floor(hi);
  }
  let value: number;
  if (lo !== undefined && hi !== undefined && hi >= lo) {
    const h = hash(`${seed}|${path}`);
    value = integer ? lo + (h % (hi - lo + 1)) : Math.round((lo + ((h % 1000) / 1000) * (hi - lo)) * 100) / 100;
    value = Math.min(hi, Math.max(lo, value));
  } else if (lo !== undefined) value = lo;
  else if (hi !== undefined) value = Math.min(0, hi);
  else value = 0;
  const multipleOf = num(s.multipleOf);
  if (multipleOf && multipleOf > 0) {
    const snapped = Math.ceil(value / multipleOf) * multipleOf;
    value = hi !== undefined && snapped > hi ? Math.floor(value / multipleOf) * multipleOf : snapped;
  }
  return value;
}

function resolveIfRef(schema: unknown, root: Record<string, unknown>): unknown {
  return isObject(schema) && typeof schema.$ref === 'string' ? resolveRef(schema.$ref, root) : schema;
}

/** Local JSON pointers only (`#`, `#/$defs/X`, `#/definitions/X`), which is what zod and friends emit. */
function resolveRef(ref: string, root: Record<string, unknown>): unknown {
  if (!ref.startsWith('#')) return {};
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[part] : undefined;
  }
  return node ?? {};
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    if (k === 'properties' && isObject(target.properties) && isObject(v)) target.properties = { ...target.properties, ...v };
    else if (k === 'required' && Array.isArray(target.required) && Array.isArray(v))
      target.required = [...target.required, ...v];
    else target[k] = v;
  }
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** FNV-1a: tiny, stable across Node versions, good enough to spread simulated scores. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
