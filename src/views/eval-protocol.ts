import * as z from 'zod/mini';
import { describe, type Parsed } from './parse';
import { GRADERS } from '../eval/kinds';
import type { EvalReport } from '../eval/report';

/**
 * The evaluation results view's message protocol, imported by the host and the webview. Like the trace panel's, both
 * sides validate every message they receive: answers, grader reasons and task prompts are untrusted text.
 */

export const EVAL_VIEW_TYPE = 'smoa.evalResults';

const score = z.nullable(z.number());
const interval = z.nullable(z.tuple([z.number(), z.number()]));
const text = z.string().check(z.maxLength(2_000_000));
const id = z.string().check(z.minLength(1), z.maxLength(500));

const comparisonSchema = z.object({
  against: id,
  diff: z.number(),
  ci: z.tuple([z.number(), z.number()]),
  p: z.number(),
  n: z.number(),
  tokenRatio: z.nullable(z.number()),
  costRatio: z.nullable(z.number()),
});

const rowSchema = z.object({
  strategy: id,
  n: z.number(),
  score,
  ci: interval,
  failed: z.number(),
  ungraded: z.number(),
  runs: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  costUsd: z.optional(z.number()),
  wallMs: z.number(),
  firstAnswerTokenMs: z.optional(z.number()),
  lengthRatio: z.optional(z.number()),
  lengthControlled: z.optional(z.object({ winRate: z.number(), ci: z.tuple([z.number(), z.number()]), n: z.number() })),
  aspects: z.optional(z.record(z.string(), z.number())),
  seats: z.optional(z.array(z.object({ modelId: z.string(), answered: z.number(), kept: z.number(), rate: z.number(), meanScore: z.optional(z.number()) }))),
  firstPickRate: z.optional(z.object({ rate: z.number(), decisions: z.number() })),
  jury: z.optional(
    z.object({ judges: z.array(z.string()), decisions: z.number(), agreement: z.number(), meanCorrelation: z.nullable(z.number()), effectiveVotes: z.nullable(z.number()) }),
  ),
  vsBest: z.optional(comparisonSchema),
  vsSelf: z.optional(comparisonSchema),
});

const evalReportSchema = z.object({
  grader: z.enum(GRADERS),
  graderModel: z.optional(z.string()),
  baseline: z.optional(z.string()),
  scoreRange: z.tuple([z.number(), z.number()]),
  tasks: z.number(),
  repeat: z.number(),
  rows: z.array(rowSchema),
  categories: z.array(z.object({ category: z.string(), strategy: z.string(), n: z.number(), score, ci: interval })),
  grading: z.optional(z.object({ calls: z.number(), promptTokens: z.number(), completionTokens: z.number(), costUsd: z.optional(z.number()) })),
  incomplete: z.optional(z.object({ reason: z.enum(['budget', 'cancelled', 'write-failed']), notRun: z.number() })),
  overheadMsPerRun: z.optional(z.number()),
});

const evalTaskSummarySchema = z.object({ id, prompt: text, category: z.optional(z.string()) });
const evalUnitSchema = z.object({
  key: id,
  taskId: id,
  strategy: id,
  repeat: z.number(),
  status: z.enum(['ok', 'failed']),
  score: z.optional(score),
});

const evalAnswerSchema = z.object({
  key: id,
  strategy: id,
  repeat: z.number(),
  status: z.enum(['ok', 'failed']),
  answer: text,
  error: z.optional(z.string()),
  score: z.optional(score),
  /** What the grader said, as plain text (reasons, comparisons). */
  grade: z.optional(text),
  hasTrace: z.boolean(),
});

/** Host → webview. */
const evalHostMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('results'),
    title: z.string(),
    report: evalReportSchema,
    tasks: z.array(evalTaskSummarySchema),
    units: z.array(evalUnitSchema),
    /** Where the results are kept on disk, when they are. */
    location: z.optional(z.string()),
  }),
  z.object({ type: z.literal('task'), taskId: id, reference: z.optional(z.string()), answers: z.array(evalAnswerSchema) }),
  z.object({ type: z.literal('notice'), message: z.string() }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);

/** Webview → host. */
const evalWebviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('showTask'), taskId: id }),
  z.object({ type: z.literal('openTrace'), key: id }),
  z.object({ type: z.literal('save') }),
  z.object({ type: z.literal('open') }),
]);

type Precise<M> = M extends { report: unknown } ? Omit<M, 'report'> & { report: EvalReport } : M;
export type EvalHostMessage = Precise<z.infer<typeof evalHostMessageSchema>>;
export type EvalWebviewMessage = z.infer<typeof evalWebviewMessageSchema>;
export type EvalUnit = z.infer<typeof evalUnitSchema>;
export type EvalAnswerView = z.infer<typeof evalAnswerSchema>;


export function parseEvalHostMessage(data: unknown): Parsed<EvalHostMessage> {
  const parsed = evalHostMessageSchema.safeParse(data);
  return parsed.success ? { ok: true, message: data as EvalHostMessage } : { ok: false, error: describe(parsed.error) };
}

export function parseEvalWebviewMessage(data: unknown): Parsed<EvalWebviewMessage> {
  const parsed = evalWebviewMessageSchema.safeParse(data);
  return parsed.success ? { ok: true, message: parsed.data } : { ok: false, error: describe(parsed.error) };
}

/** Checks a saved report.json before it is shown. */
export function parseEvalReport(data: unknown): { ok: true; report: EvalReport } | { ok: false; message: string } {
  const parsed = evalReportSchema.safeParse(data);
  return parsed.success ? { ok: true, report: data as EvalReport } : { ok: false, message: describe(parsed.error) };
}
