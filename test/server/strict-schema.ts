/**
 * OpenAI's strict structured outputs, as the fake server enforces them: which JSON Schemas a strict request may send,
 * and whether a value follows one. The subset: the root is an object; every object lists all its properties in
 * `required` and sets `additionalProperties: false`; strings may use pattern/format, numbers min/max/multipleOf,
 * arrays minItems/maxItems; enum, const, anyOf and local $ref work. Anything else (minLength, uniqueItems, allOf,
 * prefixItems, ...) is refused, as the real API refuses it.
 */

type Json = Record<string, unknown>;

const ALLOWED = new Set([
  '$schema',
  '$ref',
  '$defs',
  'definitions',
  'type',
  'description',
  'title',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'pattern',
  'format',
]);

/** Why a strict request with this schema would be refused; empty when it is fine. */
export function strictSchemaProblems(schema: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(schema) || schema.type !== 'object') problems.push("the root must be a schema of type 'object'");
  walk(schema, '$', problems);
  return problems;
}

function walk(node: unknown, at: string, problems: string[]): void {
  if (!isObject(node)) return;
  for (const key of Object.keys(node)) if (!ALLOWED.has(key)) problems.push(`${at}: '${key}' is not supported in strict mode`);
  if (node.type === 'object' || isObject(node.properties)) {
    const props = isObject(node.properties) ? Object.keys(node.properties) : [];
    const required = Array.isArray(node.required) ? node.required : [];
    if (node.additionalProperties !== false) problems.push(`${at}: 'additionalProperties' must be false`);
    const missing = props.filter((p) => !required.includes(p));
    if (missing.length) problems.push(`${at}: every property must be required (missing: ${missing.join(', ')})`);
    for (const p of props) walk((node.properties as Json)[p], `${at}.${p}`, problems);
  }
  if (isObject(node.items)) walk(node.items, `${at}[]`, problems);
  if (Array.isArray(node.anyOf)) node.anyOf.forEach((o, i) => walk(o, `${at}|${i}`, problems));
  for (const defs of ['$defs', 'definitions'] as const) {
    if (isObject(node[defs])) for (const [k, v] of Object.entries(node[defs] as Json)) walk(v, `#/${defs}/${k}`, problems);
  }
}

/** Where a value breaks the schema (within the strict subset); empty when it follows it. */
export function schemaViolations(value: unknown, schema: unknown, root: unknown = schema, at = '$'): string[] {
  if (!isObject(schema)) return [];
  if (typeof schema.$ref === 'string') return schemaViolations(value, resolveRef(schema.$ref, root), root, at);
  if (Array.isArray(schema.anyOf)) {
    return schema.anyOf.some((o) => schemaViolations(value, o, root, at).length === 0) ? [] : [`${at}: matches no anyOf branch`];
  }
  const out: string[] = [];
  if ('const' in schema && JSON.stringify(value) !== JSON.stringify(schema.const)) out.push(`${at}: must be ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    out.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  const types = Array.isArray(schema.type) ? schema.type : typeof schema.type === 'string' ? [schema.type] : [];
  if (types.length && !types.some((t) => hasType(value, t))) out.push(`${at}: ${JSON.stringify(value)} is not of type ${types.join('|')}`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) out.push(`${at}: below minimum ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) out.push(`${at}: above maximum ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) out.push(`${at}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) out.push(`${at}: more than ${schema.maxItems} items`);
    value.forEach((v, i) => out.push(...schemaViolations(v, schema.items, root, `${at}[${i}]`)));
  }
  if (isObject(value) && isObject(schema.properties)) {
    const props = schema.properties;
    for (const key of Array.isArray(schema.required) ? (schema.required as string[]) : []) if (!(key in value)) out.push(`${at}.${key}: missing`);
    for (const [key, v] of Object.entries(value)) {
      if (key in props) out.push(...schemaViolations(v, props[key], root, `${at}.${key}`));
      else if (schema.additionalProperties === false) out.push(`${at}.${key}: not allowed`);
    }
  }
  return out;
}

function hasType(value: unknown, type: unknown): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return true;
  }
}

function resolveRef(ref: string, root: unknown): unknown {
  let node: unknown = root;
  for (const part of ref.replace(/^#\/?/, '').split('/').filter(Boolean)) node = isObject(node) ? node[part] : undefined;
  return node;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
