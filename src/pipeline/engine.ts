import type { ChatMessage } from './client';
import { configForTrace, type SmoaConfig, type Strategy } from './config';
import type { RunStatus, RunTotals } from './events';
import {
  buildJudgeRequest,
  buildModeratorRequest,
  judgeResponseFormat,
  moderatorSchema,
  parseJudgeReply,
  parseModeratorReply,
  FALLBACK_RULE,
} from './judge';
import { responseFormatFor } from './json-reply';
import { buildMessages, synthesisSystemPart, type Candidate, type ContextItem } from './prompts';
import { randomId } from './random';
import { resolveRoles } from './role-step';
import type { RoleCache } from './roles';
import { RunContext, type EngineDeps } from './run-context';

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

interface Proposal extends Candidate {
  slot: number;
  modelId: string;
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
  // A retried aggregator streams its answer again from the start (consumers see the aggregator's call-retry).
  const restartAnswer = () => {
    answer = '';
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
      run.call({
        stage: 'proposer',
        modelId,
        layer,
        slot,
        ...(roles ? { role: roles[slot] } : {}),
        maxTokens: config.proposerMaxTokens,
        messages: buildMessages({
          systemParts: [config.systemPrompt, roles?.[slot], synthesisSystemPart(previous)],
          history: input.history,
          prompt: input.prompt,
          context: input.context,
        }),
      }),
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

interface LayerVerdict {
  picks: number[];
  stop: boolean;
}

/** Judge (and moderator) after a layer: keeps the best k, decides on an early stop. */
async function judgeLayer(
  run: RunContext,
  input: RunInput,
  layer: number,
  survivors: Proposal[],
  k: number,
  askStop: boolean,
): Promise<LayerVerdict> {
  const { config } = run;
  const separateModerator = askStop && config.moderator !== undefined;
  const combined = askStop && !separateModerator;
  const moderation = separateModerator ? moderate(run, input, layer, survivors) : undefined;

  let picks: number[];
  let stop: { stop: boolean; reason: string; fallback?: boolean } | undefined;
  if (survivors.length <= k && !combined) {
    // Nothing to choose between: skip the serial judge call.
    picks = survivors.map((p) => p.slot);
    run.emit({ type: 'judge-picks', layer, picks, reason: `only ${survivors.length} answer(s) to choose from: all kept`, fallback: false });
  } else {
    const request = buildJudgeRequest({
      prompt: input.prompt,
      history: input.history,
      candidates: survivors,
      k,
      askStop: combined,
      seed: config.seed * 1009 + layer,
    });
    const outcome = await run.call({
      stage: 'judge',
      modelId: config.judge ?? config.aggregator,
      layer,
      messages: request.messages,
      temperature: 0,
      responseFormat: judgeResponseFormat(combined),
    });
    const raw = outcome.ok ? outcome.text : '';
    const verdict = outcome.ok
      ? parseJudgeReply(raw, request, k, combined)
      : {
          picks: survivors.map((p) => p.slot).slice(0, k),
          reason: '',
          fallback: { problem: `the judge call failed: ${outcome.error.message}`, rule: FALLBACK_RULE },
          stop: combined ? { missing: 'the judge call failed' } : undefined,
        };
    if (verdict.fallback) {
      run.emit({ type: 'judge-fallback', layer, problem: verdict.fallback.problem, rule: verdict.fallback.rule, ...(raw ? { raw } : {}) });
    }
    picks = verdict.picks;
    run.emit({ type: 'judge-picks', layer, picks, reason: verdict.reason || verdict.fallback?.rule || '', fallback: !!verdict.fallback });
    if (verdict.stop) {
      stop = 'missing' in verdict.stop ? { stop: false, reason: `${verdict.stop.missing}: continuing`, fallback: true } : verdict.stop;
    }
  }
  if (moderation) stop = await moderation;
  if (stop) run.emit({ type: 'moderator-decision', layer, stop: stop.stop, reason: stop.reason, ...(stop.fallback ? { fallback: true } : {}) });
  return { picks, stop: stop?.stop ?? false };
}

async function moderate(run: RunContext, input: RunInput, layer: number, survivors: Proposal[]) {
  const outcome = await run.call({
    stage: 'moderator',
    modelId: run.config.moderator!,
    layer,
    temperature: 0,
    messages: buildModeratorRequest(input.prompt, input.history, survivors.map((p) => p.text)),
    responseFormat: responseFormatFor('moderator', moderatorSchema),
  });
  const parsed = outcome.ok ? parseModeratorReply(outcome.text) : { missing: `the moderator call failed: ${outcome.error.message}` };
  return 'missing' in parsed ? { stop: false, reason: `${parsed.missing}: continuing`, fallback: true } : parsed;
}

/** The final aggregator (or the single model) streams the answer the user gets. */
async function aggregate(
  run: RunContext,
  input: RunInput,
  kept: Proposal[],
  emitAnswer: (t: string) => void,
  restartAnswer: () => void,
) {
  const { config } = run;
  const outcome = await run.call({
    stage: 'aggregator',
    modelId: config.aggregator,
    messages: buildMessages({
      systemParts: [config.systemPrompt, synthesisSystemPart(kept)],
      history: input.history,
      prompt: input.prompt,
      context: input.context,
    }),
    onToken: emitAnswer,
    onRestart: restartAnswer,
  });
  if (outcome.ok) return { ok: true as const };
  if (kept.length === 0 && !run.cancelled) throw new RunFailure(`${config.aggregator} failed: ${outcome.error.message}`);
  return { ok: false as const, message: outcome.error.message };
}
