import { z } from 'zod';
import { summarizeTotals } from '../pipeline/format';
import { proposerSlots, STRATEGIES, type SmoaConfig, type Strategy } from '../pipeline/config';
import { isStrategy, layerCap, strategyLabel, STRATEGY_TRAITS } from '../pipeline/strategies';
import { keptModels } from '../pipeline/kept-models';
import type { ResolvedConfig } from '../host/config-resolver';
import type { RunService } from '../host/run-service';

/**
 * The `smoa_consult` tool: Agent mode hands the ensemble a hard question and gets back the aggregated answer with a
 * short account of how it was reached. Pure; consult-tool.ts registers it with VS Code.
 */

export const CONSULT_TOOL_NAME = 'smoa_consult';

export interface ConsultInput {
  question: string;
  context?: string;
  strategy?: Strategy;
}

/** The tool's input. package.json's `inputSchema` is generated from it (scripts/generate-package.ts). */
export const consultInputSchema = z.object({
  question: z.string().describe('The question to put to the ensemble, self-contained.'),
  context: z.string().optional().describe('Code, errors or facts the models need to answer; they see nothing else.'),
  strategy: z
    .enum(STRATEGIES)
    .optional()
    .describe(STRATEGIES.map((name) => `${name}: ${STRATEGY_TRAITS[name].command}`).join('; ')),
});

/** The JSON schema VS Code validates the model's input against. */
export const CONSULT_INPUT_SCHEMA = jsonSchemaOf(consultInputSchema) as {
  type: 'object';
  properties: { question: object; context: object; strategy: { enum: string[] } };
  required: string[];
};

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return rest;
}

export interface ConsultDeps {
  runs: Pick<RunService, 'start'>;
  resolveConfig(): Promise<ResolvedConfig>;
}


/** What will run, in one line: the confirmation and the progress message both show it. */
export function describePlan(config: SmoaConfig, strategy: Strategy = config.strategy): string {
  const traits = STRATEGY_TRAITS[strategy];
  const label = strategyLabel(strategy);
  const layers = layerCap(strategy, config.layers);
  if (layers === 0) return `${label}: ${config.aggregator} answers alone`;
  const upTo = (traits.earlyStop && config.earlyStop) || traits.adaptive ? 'up to ' : '';
  const ending = traits.finish === 'pick' ? 'the judge picks the best answer' : `${config.aggregator} writes the answer`;
  const who = proposerSlots(config, strategy);
  return `${label}: proposers ${who.join(', ')}; ${upTo}${layers} layer${layers === 1 ? '' : 's'}; ${ending}`;
}

// The CLI's MCP server summarizes runs the same way, so the summary lives below both.
export { keptModels };

export function validStrategy(value: unknown): Strategy | undefined {
  return isStrategy(value) ? value : undefined;
}

/** Runs the question through the ensemble and returns the text the calling model reads. */
export async function consult(input: ConsultInput, deps: ConsultDeps, signal: AbortSignal): Promise<string> {
  if (!input.question?.trim()) throw new Error('smoa_consult needs a non-empty "question".');
  const resolved = await deps.resolveConfig();
  if (!resolved.ok) throw new Error(resolved.problem.message);
  const strategy = validStrategy(input.strategy);
  const context = input.context?.trim() ? [{ label: 'context from the agent', content: input.context }] : undefined;
  const run = await deps.runs.start(
    { prompt: input.question, ...(context ? { context } : {}), ...(strategy ? { strategy } : {}) },
    { origin: 'tool', signal, config: resolved.config },
  );
  const result = await run.result;
  if (result.status === 'cancelled') throw new Error('The SMoA consultation was cancelled.');
  if (!result.answer) throw new Error(`The SMoA run ${run.runId} failed: ${result.error ?? 'no answer'}`);
  const kept = keptModels(run.trace);
  const notes = [
    `SMoA run ${run.runId} (${strategyLabel(strategy ?? resolved.config.strategy)}): ${summarizeTotals(result.totals)}`,
    ...(kept ? [`judge kept: ${kept}`] : []),
    ...(result.status === 'failed' ? [`warning: ${result.error ?? 'the run failed'}; the answer is ${result.answerSource ?? 'a fallback'}`] : []),
  ];
  return `${result.answer.trim()}\n\n---\n${notes.join('\n')}`;
}
