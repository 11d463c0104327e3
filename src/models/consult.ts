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

/** The JSON schema VS Code validates the model's input against; package.json carries the same one (a test checks). */
export const CONSULT_INPUT_SCHEMA = {
  type: 'object',
  properties: {
    question: { type: 'string', description: 'The question to put to the ensemble, self-contained.' },
    context: { type: 'string', description: 'Code, errors or facts the models need to answer; they see nothing else.' },
    strategy: {
      type: 'string',
      enum: [...STRATEGIES],
      description:
        'smoa: judge keeps the best answers each layer (default); moa: all answers go on; single: aggregator alone; rank: best proposal, no synthesis; self: the first model sampled several times, then aggregated; debate: models revise after seeing each other; adaptive: two models first, the rest only if they disagree.',
    },
  },
  required: ['question'],
} as const;

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
