import type { ChatMessage } from './client';
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
import type { Candidate } from './prompts';
import type { RunContext } from './run-context';

/** One proposer's answer in a layer. */
export interface Proposal extends Candidate {
  slot: number;
  modelId: string;
}

interface RequestView {
  prompt: string;
  history?: ChatMessage[];
}

interface LayerVerdict {
  picks: number[];
  stop: boolean;
}

/** Judge (and moderator) after a layer: keeps the best k, decides on an early stop. Model failures fall back, never throw. */
export async function judgeLayer(
  run: RunContext,
  input: RequestView,
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

function moderate(run: RunContext, input: RequestView, layer: number, survivors: Proposal[]) {
  return decideAgreement(run, input, layer, survivors, run.config.moderator!);
}

/**
 * A moderator call on its own: do these answers agree? Debate and the adaptive strategy ask it without a judge. A
 * failed call or an unusable reply is "no" (continue), with the reason said.
 */
export async function decideAgreement(
  run: RunContext,
  input: RequestView,
  layer: number,
  survivors: Proposal[],
  modelId = run.config.moderator ?? run.config.judge ?? run.config.aggregator,
): Promise<{ stop: boolean; reason: string; fallback?: boolean }> {
  const outcome = await run.call({
    stage: 'moderator',
    modelId,
    layer,
    temperature: 0,
    messages: buildModeratorRequest(input.prompt, input.history, survivors.map((p) => p.text)),
    responseFormat: responseFormatFor('moderator', moderatorSchema),
  });
  const parsed = outcome.ok ? parseModeratorReply(outcome.text) : { missing: `the moderator call failed: ${outcome.error.message}` };
  return 'missing' in parsed ? { stop: false, reason: `${parsed.missing}: continuing`, fallback: true } : parsed;
}

