import type { ChatMessage } from '../client';
import { judgeModels, sameModel } from '../config';
import type { JudgeBallot } from '../events';
import {
  buildJudgeRequest,
  buildModeratorRequest,
  combineScores,
  judgeResponseFormat,
  mergeNotes,
  moderatorSchema,
  parseJudgeReply,
  parseModeratorReply,
  COMBINE_RULE,
  FALLBACK_RULE,
  type CombinedScores,
  type JudgeNotes,
  type JudgeNotesLevel,
  type JudgeVerdict,
} from './prompt';
import { responseFormatFor } from '../json-reply';
import type { Candidate } from '../prompts';
import type { RunContext } from '../run-context';

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
  /** The judges' notes for the aggregator, when they gave any. */
  notes?: JudgeNotes;
  /** The run was cancelled while judging: no verdict was emitted. */
  cancelled?: boolean;
}

type StopDecision = { stop: boolean; reason: string; fallback?: boolean };

/**
 * Judge (and moderator) after a layer: keeps the best k, decides on an early stop. Every judge of the jury is asked in
 * every order (`judgeOrders`), all at once; the scores of the counted votes are combined by COMBINE_RULE. Model
 * failures fall back, never throw; a cancelled run emits no verdict at all (the panel shows the calls as cancelled).
 */
export async function judgeLayer(
  run: RunContext,
  input: RequestView,
  layer: number,
  survivors: Proposal[],
  k: number,
  askStop: boolean,
  /** The notes to ask for: the run's `judgeNotes`, or "off" where no aggregator could read them (engine.ts). */
  notesLevel: JudgeNotesLevel,
): Promise<LayerVerdict> {
  const { config } = run;
  const separateModerator = askStop && config.moderator !== undefined;
  const combined = askStop && !separateModerator;
  const moderation = separateModerator ? moderate(run, input, layer, survivors) : undefined;

  let picks: number[];
  let notes: JudgeNotes | undefined;
  let stop: StopDecision | undefined;
  if (survivors.length <= k && !combined) {
    // Nothing to choose between: skip the serial judge call.
    picks = survivors.map((p) => p.slot);
    run.emit({ type: 'judge-picks', layer, picks, reason: `only ${survivors.length} answer(s) to choose from: all kept`, fallback: false });
  } else {
    const specs = ballotSpecs(run, survivors);
    const votes = await Promise.all(specs.map((spec) => castBallot(run, input, layer, survivors, k, combined, notesLevel, spec)));
    if (run.cancelled) return { picks: [], stop: false, cancelled: true };
    const want = Math.min(k, survivors.length);
    const counted = votes.filter((v) => v.verdict && !v.verdict.unusable);
    const problems = votes.filter((v) => v.ballot.skipped).map((v) => describeSkip(v.ballot, votes.length));
    let reason: string;
    let fallback: { problem: string; rule: string; raw?: string } | undefined;
    let combinedScores: CombinedScores | undefined;
    if (counted.length > 0) {
      combinedScores = combineScores(
        counted.map((v) => v.verdict!.scores),
        votes[0].ballot.order,
        want,
      );
      picks = combinedScores.ranking.slice(0, want);
      if (picks.length < want) {
        // Answers no vote scored: recused by every judge (not a failure), or left unscored by a reply (a failure).
        const recusedByAll = survivors.map((p) => p.slot).filter((slot) => votes.every((v) => v.ballot.excluded?.includes(slot)));
        const fill = [...recusedByAll, ...survivors.map((p) => p.slot).filter((slot) => !recusedByAll.includes(slot))].filter((slot) => !picks.includes(slot));
        const added = fill.slice(0, want - picks.length);
        picks = [...picks, ...added];
        if (added.some((slot) => !recusedByAll.includes(slot))) {
          fallback = { problem: [...problems, `the votes scored ${combinedScores.ranking.length} of ${want} wanted`].join('; '), rule: `${FALLBACK_RULE} to fill the remaining places` };
        }
      }
      reason = counted.length === 1 ? counted[0].verdict!.reason : `${counted.length} votes combined (Borda). ${counted[0].verdict!.reason}`.trim();
      notes = mergeNotes(counted.map((v) => v.verdict!.notes));
    } else {
      // No usable vote: the stated rule picks.
      picks = survivors.map((p) => p.slot).slice(0, want);
      const single = votes.length === 1 ? votes[0].ballot : undefined;
      fallback = { problem: single?.skipped ?? problems.join('; '), rule: FALLBACK_RULE, ...(single?.raw ? { raw: single.raw } : {}) };
      reason = '';
    }
    if (fallback) run.emit({ type: 'judge-fallback', layer, ...fallback });
    const lengths = Object.fromEntries(survivors.map((p) => [p.slot, p.text.length]));
    run.emit({
      type: 'judge-picks',
      layer,
      picks,
      reason: reason || fallback?.rule || '',
      fallback: !!fallback,
      ballots: votes.map((v) => v.ballot),
      ...(votes.length > 1 ? { rule: COMBINE_RULE } : {}),
      lengths,
      ...(combinedScores ? { scores: combinedScores.scores } : {}),
      ...(combinedScores?.tieBreak ? { tieBreak: combinedScores.tieBreak } : {}),
      ...(notes ? { notes } : {}),
    });
    if (combined) stop = combineStops(counted.length ? counted : votes.filter((v) => v.verdict));
  }
  if (moderation) stop = await moderation;
  if (run.cancelled) return { picks, stop: false, cancelled: true };
  if (stop) run.emit({ type: 'moderator-decision', layer, stop: stop.stop, reason: stop.reason, ...(stop.fallback ? { fallback: true } : {}) });
  return { picks, stop: stop?.stop ?? false, ...(notes ? { notes } : {}) };
}

interface BallotSpec {
  modelId: string;
  reversed: boolean;
  seed: number;
  excluded: number[];
}

/** One call per judge and order. With recusal, a judge may not score answers of its own model. */
function ballotSpecs(run: RunContext, survivors: Proposal[]): BallotSpec[] {
  const { config } = run;
  const specs: BallotSpec[] = [];
  judgeModels(config).forEach((modelId, j) => {
    // The first judge keeps the seed it always had, so earlier traces replay the same order.
    const seed = config.seed * 1009 + 7919 * j;
    const excluded = config.judgeRecusal ? survivors.filter((p) => sameModel(config, p.modelId, modelId)).map((p) => p.slot) : [];
    for (let o = 0; o < config.judgeOrders; o++) specs.push({ modelId, reversed: o === 1, seed, excluded });
  });
  return specs;
}

interface Vote {
  ballot: JudgeBallot;
  verdict?: JudgeVerdict;
}

async function castBallot(
  run: RunContext,
  input: RequestView,
  layer: number,
  survivors: Proposal[],
  k: number,
  askStop: boolean,
  notes: JudgeNotesLevel,
  spec: BallotSpec,
): Promise<Vote> {
  const request = buildJudgeRequest({
    prompt: input.prompt,
    history: input.history,
    candidates: survivors,
    k,
    askStop,
    seed: spec.seed + layer,
    reversed: spec.reversed,
    excluded: spec.excluded,
    reasons: run.config.judgeReasons,
    notes,
  });
  const base = {
    modelId: spec.modelId,
    reversed: spec.reversed,
    order: request.order,
    ...(spec.excluded.length ? { excluded: spec.excluded } : {}),
  };
  if (request.want === 0) {
    return { ballot: { ...base, picks: [], positions: [], skipped: 'abstained: every answer is its own model\'s (recusal)' } };
  }
  const outcome = await run.call({
    stage: 'judge',
    modelId: spec.modelId,
    layer,
    messages: request.messages,
    temperature: 0,
    responseFormat: judgeResponseFormat(request),
    ...(spec.reversed ? { note: 'candidates in reverse order (judgeOrders: 2)' } : {}),
  });
  if (!outcome.ok) {
    return { ballot: { ...base, callId: outcome.callId, picks: [], positions: [], skipped: `the judge call failed: ${outcome.error.message}` } };
  }
  const verdict = parseJudgeReply(outcome.text, request);
  const own = verdict.ranking.slice(0, request.want);
  const ballot: JudgeBallot = {
    ...base,
    callId: outcome.callId,
    scores: verdict.scores,
    picks: own,
    positions: own.map((slot) => request.order.indexOf(slot) + 1),
    ...(verdict.problems ? { problems: verdict.problems } : {}),
    ...(verdict.unusable ? { skipped: verdict.unusable, raw: outcome.text } : {}),
  };
  return { ballot, verdict };
}

function describeSkip(ballot: JudgeBallot, of: number): string {
  if (of === 1) return ballot.skipped!;
  return `${ballot.modelId}${ballot.reversed ? ' (reversed order)' : ''}: ${ballot.skipped}`;
}

/** Stop only when every vote that decided says stop; no decision at all means continue (a fallback). */
function combineStops(votes: Vote[]): StopDecision {
  const decided = votes.map((v) => v.verdict?.stop).filter((s): s is { stop: boolean; reason: string } => !!s && !('missing' in s));
  if (decided.length === 0) {
    const missing = votes.map((v) => v.verdict?.stop).find((s) => s && 'missing' in s) as { missing: string } | undefined;
    return { stop: false, reason: `${missing?.missing ?? 'the judge call failed'}: continuing`, fallback: true };
  }
  const against = decided.find((d) => !d.stop);
  if (decided.length === 1) return decided[0];
  return against
    ? { stop: false, reason: `${decided.length - decided.filter((d) => d.stop).length} of ${decided.length} votes say continue: ${against.reason}` }
    : { stop: true, reason: `all ${decided.length} votes say stop: ${decided[0].reason}` };
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
  modelId = run.config.moderator ?? judgeModels(run.config)[0],
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

