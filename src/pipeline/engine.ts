import type { ChatMessage } from './client';
import { configForTrace, type SmoaConfig, type Strategy } from './config';
import type { RunStatus, RunTotals } from './events';
import { judgeLayer, type Proposal } from './judge-step';
import { buildMessages, clip, synthesisSystemPart, type Candidate, type ContextItem } from './prompts';
import { randomId } from './random';
import { resolveRoles } from './role-step';
import type { RoleCache } from './roles';
import { RunContext, type CallOutcome, type CallSpec, type EngineDeps } from './run-context';

export type { EngineDeps } from './run-context';

export interface RunInput {
  prompt: string;
  /** Earlier turns of the conversation, oldest first. */
  history?: ChatMessage[];
  /** Attached files or selections. */
  context?: ContextItem[];
  /** Overrides the config's strategy for this run. */
  strategy?: Strategy;
  runId?: string;
}

export interface RunOptions extends EngineDeps {
  roleCache?: RoleCache;
}

export interface RunResult {
  runId: string;
  status: RunStatus;
  answer: string;
  answerSource?: string;
  error?: string;
  totals: RunTotals;
}

class RunFailure extends Error {}

/**
 * Runs one request through the configured strategy and reports every step as events. Never throws for model
 * failures or cancellation: the result (and the final `run-finished` event) says what happened.
 */
export async function runPipeline(config: SmoaConfig, input: RunInput, options: RunOptions): Promise<RunResult> {
  const strategy = input.strategy ?? config.strategy;
  const runId = input.runId ?? randomId();
  const signal = options.signal ?? new AbortController().signal;
  const run = new RunContext(config, options, signal);
  run.emit({
    type: 'run-started',
    runId,
    startedAt: new Date().toISOString(),
    strategy,
    prompt: input.prompt,
    config: configForTrace({ ...config, strategy }),
  });

  let answer = '';
  let answerSource: string | undefined;
  let layersRun = 0;
  let status: RunStatus = 'ok';
  let error: string | undefined;
  const emitAnswer = (text: string) => {
    if (run.firstAnswerTokenMs === undefined) run.firstAnswerTokenMs = run.elapsed();
    answer += text;
    run.emit({ type: 'answer-token', text });
  };
  // A retried aggregator streams its answer again from the start; every consumer hears it as one event.
  const restartAnswer = (callId: string, reason: string) => {
    if (answer === '') return;
    answer = '';
    run.emit({ type: 'answer-reset', callId, reason });
  };

  try {
    if (strategy === 'single') {
      await aggregate(run, input, [], emitAnswer, restartAnswer);
    } else {
      const sparse = strategy === 'smoa';
      const roles = sparse ? await resolveRoles(run, input, options.roleCache) : undefined;
      const maxLayers = strategy === 'rank' ? 1 : config.layers;
      let kept: Proposal[] = [];
      for (let layer = 1; layer <= maxLayers; layer++) {
        if (run.cancelled) break;
        layersRun = layer;
        const survivors = await proposerLayer(run, input, layer, maxLayers, kept, roles);
        if (run.cancelled) break;
        if (strategy === 'moa') {
          kept = survivors;
          run.emit({ type: 'layer-done', layer, kept: kept.map((p) => p.slot), failed: failedSlots(config, survivors) });
          continue;
        }
        const k = strategy === 'rank' ? 1 : config.topK;
        const askStop = sparse && config.earlyStop && layer < maxLayers;
        const { picks, stop } = await judgeLayer(run, input, layer, survivors, k, askStop);
        kept = picks.map((slot) => survivors.find((p) => p.slot === slot)!);
        run.emit({ type: 'layer-done', layer, kept: picks, failed: failedSlots(config, survivors) });
        if (stop) {
          for (let skipped = layer + 1; skipped <= maxLayers; skipped++) {
            run.emit({ type: 'layer-skipped', layer: skipped, reason: 'the moderator stopped early' });
          }
          break;
        }
      }
      if (run.cancelled) throw new RunFailure('cancelled');
      if (strategy === 'rank') {
        answerSource = `${kept[0].modelId} (slot ${kept[0].slot + 1}), picked by the judge`;
        emitAnswer(kept[0].text);
      } else {
        const outcome = await aggregate(run, input, kept, emitAnswer, restartAnswer);
        if (!outcome.ok && !run.cancelled && kept.length > 0) {
          // Keep what was produced: the best kept proposal stands in, and the run says so.
          answer = kept[0].text;
          answerSource = `proposal of ${kept[0].modelId} (best kept answer), because the aggregator failed`;
          status = 'failed';
          error = `aggregator "${config.aggregator}" failed: ${outcome.message}`;
        }
      }
    }
  } catch (err) {
    status = 'failed';
    error = err instanceof Error ? err.message : String(err);
  }
  if (run.cancelled) {
    status = 'cancelled';
    error = 'cancelled';
  }
  const totals = run.totals.snapshot({
    wallMs: Math.round(run.elapsed()),
    ...(run.firstAnswerTokenMs !== undefined ? { firstAnswerTokenMs: Math.round(run.firstAnswerTokenMs) } : {}),
    layersRun,
  });
  run.emit({
    type: 'run-finished',
    status,
    answer,
    ...(answerSource ? { answerSource } : {}),
    ...(error ? { error } : {}),
    totals,
  });
  return { runId, status, answer, totals, ...(answerSource ? { answerSource } : {}), ...(error ? { error } : {}) };
}

function failedSlots(config: SmoaConfig, survivors: Proposal[]): number[] {
  return config.proposers.map((_, slot) => slot).filter((slot) => !survivors.some((p) => p.slot === slot));
}

/** All proposers of a layer start at once; the layer ends when the last one is in. */
async function proposerLayer(
  run: RunContext,
  input: RunInput,
  layer: number,
  of: number,
  previous: Proposal[],
  roles: string[] | undefined,
): Promise<Proposal[]> {
  const { config } = run;
  run.emit({
    type: 'layer-started',
    layer,
    of,
    proposers: config.proposers.map((modelId, slot) => ({ slot, modelId, ...(roles ? { role: roles[slot] } : {}) })),
  });
  const outcomes = await Promise.all(
    config.proposers.map((modelId, slot) =>
      callWithCandidates(
        run,
        { stage: 'proposer', modelId, layer, slot, ...(roles ? { role: roles[slot] } : {}), maxTokens: config.proposerMaxTokens },
        previous,
        (candidates) =>
          buildMessages({
            systemParts: [config.systemPrompt, roles?.[slot], synthesisSystemPart(candidates)],
            history: input.history,
            prompt: input.prompt,
            context: input.context,
          }),
      ),
    ),
  );
  const survivors: Proposal[] = [];
  outcomes.forEach((o, slot) => {
    if (o.ok) survivors.push({ slot, modelId: config.proposers[slot], text: o.text });
  });
  if (survivors.length === 0 && !run.cancelled) {
    const reasons = outcomes.map((o, slot) => `${config.proposers[slot]} (slot ${slot + 1}): ${o.ok ? 'ok' : o.error.message}`);
    throw new RunFailure(`all ${outcomes.length} proposers failed in layer ${layer}:\n- ${reasons.join('\n- ')}`);
  }
  return survivors;
}

/**
 * Calls a model whose prompt carries earlier answers. When they overflow its context window, it tries once more with
 * every candidate shortened to a third, so a small-context model is not silently dropped; the note says so.
 */
async function callWithCandidates(
  run: RunContext,
  spec: Omit<CallSpec, 'messages'>,
  candidates: Proposal[],
  build: (candidates: Candidate[]) => ChatMessage[],
): Promise<CallOutcome> {
  const first = await run.call({ ...spec, messages: build(candidates) });
  if (first.ok || first.error.kind !== 'context-overflow' || candidates.length === 0 || run.cancelled) return first;
  const shortened = candidates.map((c) => ({ text: clip(c.text, Math.max(400, Math.floor(c.text.length / 3))) }));
  // Short answers are not clipped: the same request would overflow again, so the first failure stands.
  if (shortened.every((c, i) => c.text === candidates[i].text)) return first;
  return run.call({ ...spec, messages: build(shortened), note: CONTEXT_TRIM_NOTE });
}

export const CONTEXT_TRIM_NOTE = 'second try with the earlier answers shortened to a third: the first overflowed the context window';

/** The final aggregator (or the single model) streams the answer the user gets. */
async function aggregate(
  run: RunContext,
  input: RunInput,
  kept: Proposal[],
  emitAnswer: (t: string) => void,
  restartAnswer: (callId: string, reason: string) => void,
) {
  const { config } = run;
  const outcome = await callWithCandidates(
    run,
    { stage: 'aggregator', modelId: config.aggregator, onToken: emitAnswer, onRestart: restartAnswer },
    kept,
    (candidates) =>
      buildMessages({
        systemParts: [config.systemPrompt, synthesisSystemPart(candidates)],
        history: input.history,
        prompt: input.prompt,
        context: input.context,
      }),
  );
  if (outcome.ok) return { ok: true as const };
  if (kept.length === 0 && !run.cancelled) throw new RunFailure(`${config.aggregator} failed: ${outcome.error.message}`);
  return { ok: false as const, message: outcome.error.message };
}
