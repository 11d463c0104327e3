import { z } from 'zod';
import { proposerSlots, type SmoaConfig } from '../pipeline/config';
import type { RunInput, RunResult } from '../pipeline/engine';
import type { SmoaEvent } from '../pipeline/events';
import { summarizeTotals } from '../pipeline/format';
import { judgeNoteLines } from '../pipeline/judge/bias';
import { keptModels } from '../pipeline/kept-models';
import { redactSecrets } from '../pipeline/secrets';
import { layerCap, STRATEGIES, strategyLabel, STRATEGY_TRAITS, type Strategy } from '../pipeline/strategy/traits';
import type { Trace } from '../pipeline/trace';

/**
 * "Consult the panel", once for every surface that offers it: the `smoa_consult` agent tool (src/models/consult-tool.ts)
 * and MCP `consult` (src/cli/mcp.ts). One input schema, one description, one result text; the surfaces only say how a
 * run is started and how progress and failures are shown. No vscode import: the CLI bundles it.
 */

const CONSULT_STRATEGY_HELP = STRATEGIES.map((name) => `${name}: ${STRATEGY_TRAITS[name].command}`).join('; ');

/** The input both surfaces accept. The tool's package.json schema and MCP's tools/list are generated from it. */
export const consultInputSchema = z.object({
  prompt: z.string().trim().min(1).describe('The question to put to the panel, self-contained.'),
  context: z.string().optional().describe('Code, errors or facts the models need to answer; they see nothing else.'),
  strategy: z.enum(STRATEGIES).optional().describe('How the panel works (each is described above); default: the configured strategy.'),
});

export type ConsultInput = z.infer<typeof consultInputSchema>;

/** What an agent reads before it decides to consult: when it is worth it, what to pass, what comes back. */
export const CONSULT_DESCRIPTION = [
  'Puts a hard question to a panel of language models (Sparse Mixture-of-Agents): several models answer',
  'independently, a judge keeps the best answers, and an aggregator writes one combined answer. Use it for difficult',
  'design, debugging or reasoning questions where a second opinion from several models is worth the extra time and',
  'cost (one consultation makes many model calls and takes tens of seconds or minutes). The models see only "prompt"',
  'and "context": include the relevant code, errors and constraints. "strategy" picks how the panel works:',
  `${CONSULT_STRATEGY_HELP}. Returns the answer, then the run's status and totals, which models' answers the judge`,
  'kept in each layer, and the judge\'s notes.',
].join(' ');

export type ParsedConsult = { ok: true; input: ConsultInput } | { ok: false; problem: string };

/** Validates raw arguments; a problem is one line naming the field, for a tool error or an MCP -32602. */
export function parseConsultInput(raw: unknown): ParsedConsult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, problem: 'consult: the arguments must be an object with "prompt"' };
  const parsed = consultInputSchema.safeParse(raw);
  if (parsed.success) return { ok: true, input: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue.path.join('.') || 'arguments';
  const problem =
    field === 'prompt'
      ? 'consult: "prompt" must be a non-empty string (the question, self-contained)'
      : field === 'strategy'
        ? `consult: "strategy" must be one of ${STRATEGIES.join(', ')}`
        : `consult: "${field}": ${issue.message}`;
  return { ok: false, problem };
}

/** The run a consultation asks for. */
function consultRequest(input: ConsultInput): RunInput {
  return {
    prompt: input.prompt,
    ...(input.strategy ? { strategy: input.strategy } : {}),
    ...(input.context?.trim() ? { context: [{ label: 'context from the agent', content: input.context }] } : {}),
  };
}

/** A finished consultation as the surfaces hand it back. */
export interface ConsultRun {
  runId: string;
  result: RunResult;
  /** The fold of the run's events (complete once `result` settled). */
  trace: Trace;
  /** Where the surface saved the trace, when it did. */
  tracePath?: string;
}

export interface ConsultReply {
  /** The answer, then the notes; secrets the transport knows the shape of are masked. */
  text: string;
  /** No answer came out (failed or cancelled before the aggregator wrote anything). */
  failed: boolean;
}

/** The one result text: the answer, then a summary line, the kept answers by model, the judge's notes. */
function consultReply(run: ConsultRun): ConsultReply {
  const { result, trace } = run;
  const kept = keptModels(trace);
  const notes = trace.layers.flatMap((l) => {
    const lines = judgeNoteLines(l.judge?.notes);
    return lines.length ? [`judge notes, layer ${l.layer}: ${lines.join(' | ')}`] : [];
  });
  const lines = [
    `SMoA run ${run.runId} (${strategyLabel(trace.strategy)}): ${result.status}; ${summarizeTotals(result.totals)}`,
    ...(kept ? [`judge kept: ${kept}`] : []),
    ...notes,
    ...(result.answerSource ? [`answer: ${result.answerSource}`] : []),
    ...(result.error ? [`problem: ${result.error}`] : []),
    ...(run.tracePath ? [`trace: ${run.tracePath}`] : []),
  ];
  const text = `${result.answer.trim() || '(no answer)'}\n\n---\n${lines.join('\n')}`;
  return { text: redactSecrets(text), failed: !result.answer.trim() };
}

/** How a surface starts the run: its own run service or engine call, its own cancellation and event listener. */
export type StartConsultRun = (request: RunInput, onEvent: (event: SmoaEvent) => void) => Promise<ConsultRun>;

/** Runs a validated consultation and returns the reply; `onEvent` sees every event (progress, a live trace). */
export async function consult(input: ConsultInput, start: StartConsultRun, onEvent: (event: SmoaEvent) => void = () => {}): Promise<ConsultReply & { run: ConsultRun }> {
  const run = await start(consultRequest(input), onEvent);
  return { ...consultReply(run), run };
}

/** Progress text leaves the process too (MCP notifications): masked like the result. */
export function consultProgressLine(line: string): string {
  return redactSecrets(line);
}

/** What will run, in one line: the tool's confirmation and progress message show it. */
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
