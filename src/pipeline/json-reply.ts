import { z } from 'zod';
import type { JsonResponseFormat } from './client';

/** Model replies are untrusted input: find the JSON in them, whatever surrounds it. */
export function extractJson(raw: string): unknown {
  const text = raw.trim();
  const attempts = [text];
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  if (fenced) attempts.push(fenced[1].trim());
  const first = text.indexOf('{');
  const last = text.lastIndexOf('}');
  if (first >= 0 && last > first) attempts.push(text.slice(first, last + 1));
  for (const candidate of attempts) {
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next way of finding it
    }
  }
  return undefined;
}

/**
 * A `response_format` for structured outputs, generated from the zod schema the reply is checked against. It must stay
 * inside OpenAI's strict subset (every property required, `additionalProperties: false`; enum, minItems/maxItems and
 * integer are fine). A numeric enum of whole numbers (`z.literal([1, 2, 3])`) is typed `integer`, so a constrained
 * decoder cannot emit `2.5`. Endpoints such as OpenAI bill the schema as prompt, so the engine's schemas carry no
 * descriptions (the instructions are in the messages, which every endpoint's model reads).
 */
export function responseFormatFor(name: string, schema: z.ZodType): JsonResponseFormat {
  const json = z.toJSONSchema(schema, {
    target: 'draft-7',
    io: 'input',
    override: ({ jsonSchema }) => {
      const { type, enum: values } = jsonSchema as { type?: unknown; enum?: unknown };
      if (type === 'number' && Array.isArray(values) && values.every((v) => Number.isInteger(v))) jsonSchema.type = 'integer';
    },
  }) as Record<string, unknown>;
  delete json.$schema;
  // A subschema given an id (`.meta({ id })`, e.g. the judge's score) is written once and referenced; under the name
  // `$defs`, which OpenAI's strict mode documents and local grammar builders (llama.cpp, xgrammar) resolve.
  if (json.definitions) {
    json.$defs = json.definitions;
    delete json.definitions;
  }
  return { name, schema: JSON.parse(JSON.stringify(json).replaceAll('"#/definitions/', '"#/$defs/')) as Record<string, unknown> };
}

/** Example shape shown in the prompt, for endpoints that cannot enforce the schema. */
export function describeJsonShape(example: Record<string, unknown>): string {
  return `Reply with only a JSON object shaped like: ${JSON.stringify(example)}`;
}
