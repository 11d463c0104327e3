import { z } from 'zod';

/**
 * The router file: what `smoa route build` writes from evaluation results and what the `route` strategy reads. Small and
 * readable on purpose: a user can open it and see, per category and per group of similar tasks, how each model scored,
 * how sure that is, and what it cost. Scores are normalised to 0..1 (the grader's range is kept in `scoreRange`).
 */

export const ROUTER_FORMAT = 'smoa-router';
export const ROUTER_VERSION = 1;

const modelStatSchema = z
  .object({
    /** Mean normalised score (0..1) over the tasks of the group. */
    score: z.number().min(0).max(1),
    /** Standard deviation of the per-task scores: how much the model varies within the group. */
    sd: z.number().min(0),
    /** Tasks scored. */
    n: z.number().int().min(0),
    /** Mean USD per answer, when the model has a price. */
    costUsd: z.number().min(0).optional(),
    /** Mean prompt + completion tokens per answer. */
    tokens: z.number().min(0),
    /** Mean wall time per answer (ms). */
    latencyMs: z.number().min(0),
  })
  .strict();

const groupSchema = z
  .object({
    /** Category name, or "g<n>" for a group of similar tasks. */
    id: z.string().min(1),
    category: z.string().optional(),
    /** Terms the group's tasks share most (for a reader; not used to route). */
    terms: z.array(z.string()).optional(),
    tasks: z.array(z.string()),
    /** Per model (id from the config the evaluation ran with). */
    models: z.record(z.string(), modelStatSchema),
    /** Per evaluated strategy (smoa, moa, self, ...): its mean normalised score and cost there, for comparison. */
    strategies: z.record(z.string(), modelStatSchema).optional(),
  })
  .strict();

const taskSchema = z
  .object({
    id: z.string().min(1),
    category: z.string().optional(),
    group: z.string().optional(),
    /** The task's prompt, clipped: what a new prompt is compared with. */
    text: z.string(),
    /** Normalised score per model on this task (mean over repeats). */
    scores: z.record(z.string(), z.number().min(0).max(1)),
  })
  .strict();

const routerFileSchema = z
  .object({
    format: z.literal(ROUTER_FORMAT),
    version: z.literal(ROUTER_VERSION),
    builtAt: z.string(),
    /** The evaluation folders it was built from. */
    sources: z.array(z.string()),
    grader: z.string(),
    scoreRange: z.tuple([z.number(), z.number()]),
    models: z.array(z.string()),
    /** Over every task. */
    overall: groupSchema,
    categories: z.array(groupSchema),
    groups: z.array(groupSchema),
    tasks: z.array(taskSchema),
  })
  .strict();

export type RouterFile = z.output<typeof routerFileSchema>;
export type RouterGroup = RouterFile['groups'][number];
export type RouterTask = RouterFile['tasks'][number];
export type ModelStat = z.output<typeof modelStatSchema>;

export type RouterParse = { ok: true; router: RouterFile } | { ok: false; message: string };

/** Validates a parsed router file; the message names the first fields that are wrong. */
export function parseRouterFile(value: unknown, where = 'router file'): RouterParse {
  const parsed = routerFileSchema.safeParse(value);
  if (parsed.success) return { ok: true, router: parsed.data };
  const problems = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
  return { ok: false, message: `${where} is not a SMoA router (build one with "smoa route build"): ${problems.join('; ')}` };
}

/** Parses router file text; a JSON error is named like a schema error. */
export function parseRouterText(text: string, where = 'router file'): RouterParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `${where} is not valid JSON (${(err as Error).message})` };
  }
  return parseRouterFile(value, where);
}

/** One line on what a router learned from, as the CLI and the palette command report it. */
export function describeRouter(router: RouterFile): string {
  return `${router.tasks.length} tasks, ${router.categories.length} categories, ${router.groups.length} groups, models ${router.models.join(', ')}`;
}
