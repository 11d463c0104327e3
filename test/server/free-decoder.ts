import { hash } from './schema-instance';

/**
 * A constrained decoder that follows the JSON schema and nothing else: every value it writes is valid against the
 * schema, and within that it chooses freely (seeded). Arrays get any length in [minItems, maxItems] and may repeat an
 * item (`uniqueItems` is outside OpenAI's strict subset, so a schema-following server may write `[3, 3]`); an enum gives
 * any member; booleans and numbers are any allowed value; strings vary from empty to long. This is what vLLM,
 * llama.cpp or Ollama with a grammar do when the model's own preferences do not break the tie, so a caller whose
 * schema admits an unusable document will get one from this mode.
 */
export function freeInstanceOf(schema: unknown, seed: string): unknown {
  const root = isObject(schema) ? schema : {};
  let draws = 0;
  const random = () => hash(`${seed}#${draws++}`) / 4294967296;
  return build(root, root, random, 0);
}

type Random = () => number;

function build(s: unknown, root: Record<string, unknown>, random: Random, depth: number): unknown {
  if (!isObject(s) || depth > 12) return null;
  if (typeof s.$ref === 'string') return build(resolveRef(s.$ref, root), root, random, depth + 1);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[int(random, 0, s.enum.length - 1)];
  if (Array.isArray(s.anyOf) && s.anyOf.length > 0) return build(s.anyOf[int(random, 0, s.anyOf.length - 1)], root, random, depth + 1);
  const type = Array.isArray(s.type) ? s.type[int(random, 0, s.type.length - 1)] : s.type;
  switch (type ?? (isObject(s.properties) ? 'object' : undefined)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = isObject(s.properties) ? s.properties : {};
      for (const [key, sub] of Object.entries(props)) out[key] = build(sub, root, random, depth + 1);
      return out;
    }
    case 'array': {
      const min = num(s.minItems) ?? 0;
      const max = Math.min(num(s.maxItems) ?? min + 4, min + 6);
      return Array.from({ length: int(random, min, Math.max(min, max)) }, () => build(s.items, root, random, depth + 1));
    }
    case 'string':
      return words(random);
    case 'integer':
    case 'number': {
      const lo = num(s.minimum) ?? (num(s.exclusiveMinimum) !== undefined ? num(s.exclusiveMinimum)! + 1 : -1000);
      const hi = num(s.maximum) ?? (num(s.exclusiveMaximum) !== undefined ? num(s.exclusiveMaximum)! - 1 : 1000);
      return type === 'integer' ? int(random, Math.ceil(lo), Math.floor(hi)) : Math.round((lo + random() * (hi - lo)) * 100) / 100;
    }
    case 'boolean':
      return random() < 0.5;
    case 'null':
      return null;
    default:
      return null;
  }
}

const WORDS = ['the', 'answer', 'is', 'correct', 'because', 'it', 'checks', 'edge', 'cases', 'and', 'explains', 'why', 'response', 'misses', 'a', 'detail'];

/** Empty, a few words, or a long run-on: lengths a free decoder produces when nothing bounds them. */
function words(random: Random): string {
  const r = random();
  const n = r < 0.15 ? 0 : r < 0.8 ? int(random, 1, 12) : int(random, 20, 80);
  return Array.from({ length: n }, () => WORDS[int(random, 0, WORDS.length - 1)]).join(' ');
}

function int(random: Random, lo: number, hi: number): number {
  return hi <= lo ? lo : lo + Math.floor(random() * (hi - lo + 1));
}

function resolveRef(ref: string, root: Record<string, unknown>): unknown {
  let node: unknown = root;
  for (const part of ref.replace(/^#\/?/, '').split('/').filter(Boolean)) node = isObject(node) ? node[part] : undefined;
  return node ?? {};
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
