import type * as z from 'zod/mini';

/**
 * Validation results shared by both webview protocols (the trace panel's and the evaluation view's): a message that
 * passed its schema, or one line saying what is wrong with it.
 */
export type Parsed<T> = { ok: true; message: T } | { ok: false; error: string };

/** At most three issues, each as `path: message`, on one line. */
export function describe(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(message)'}: ${i.message}`)
    .join('; ');
}
