import { aggregatorMessages, recentToolResults, type AggregatorTools } from './agent-turn';
import type { ChatMessage } from './client';
import { adaptiveStartOf, configForTrace, proposerSlots, type SmoaConfig, type Strategy } from './config';
import type { ExchangeTotals, RunStatus, RunTotals } from './events';
import { decideAgreement, judgeLayer, type Proposal } from './judge/step';
import type { JudgeNotes } from './events';
import { buildMessages, clip, debateSystemPart, judgeNotesSystemPart, synthesisSystemPart, type Candidate, type ContextItem } from './prompts';
import { randomId } from './random';
import { resolveRoles } from './roles/step';
import type { RoleCache } from './roles/prompt';
import { layerCap, STRATEGY_TRAITS, type StrategyTraits } from './strategy/traits';
import { RunContext, type CallOutcome, type CallSpec, type EngineDeps } from './run-context';
import { RunBudget, type BudgetVerdict } from './budget';
import { fallbackStrategy, planRoute, routeSettingsOf } from './route/choose';
import type { RouterFile } from './route/router-file';


export interface RunInput {
  prompt: string;
  /** Earlier turns of the conversation, oldest first. */
  history?: ChatMessage[];
  /** Attached files or selections. */
  context?: ContextItem[];
  /** Overrides the config's strategy for this run. */
  strategy?: Strategy;
  /**
   * `roles`: only write (or look up) the proposers' roles, as a run of its own (`@smoa /roles`), so its call shows in
   * the log and the trace panel like any other. Default `answer`.
   */
  purpose?: 'answer' | 'roles';
  runId?: string;
  /** Agent turns: the aggregator alone may call these tools (see agent-turn.ts). */
  aggregatorTools?: AggregatorTools;
  /** Agent turns: which run of the agent task this is, and what the earlier ones cost. */
  exchange?: { turn: number; earlier: ExchangeTotals };
}

export interface RunOptions extends EngineDeps {
  roleCache?: RoleCache;
  /** The `route` strategy's router, loaded by the host or the CLI (the engine reads no files). */
  router?: RouterFile;
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
 * Everything one run accumulates, handed from step to step. The steps below read in the order a run goes: roles, then
 * per layer the budget, the proposers (adaptive: the first few, then maybe the rest), the judge or keep-all, the
 * moderator; then the answer (pick, or aggregate) and the run's end.
 */
interface RunState {
  readonly run: RunContext;
  readonly input: RunInput;
  readonly options: RunOptions;
  readonly runId: string;
  readonly strategy: Strategy;
  readonly traits: StrategyTraits;
  /** Asked before each stage; a stage it refuses is not started (budget.ts). Undefined: no budget, or a roles run. */
  readonly budget: RunBudget | undefined;
  /** Model id per proposer slot. */
  readonly slots: string[];
  readonly maxLayers: number;
  roles?: string[];
  /** What the judge kept of the last layer (every answer when the strategy has no judge). */
  kept: Proposal[];
  /** Every answer of the last layer (a debate shows each debater the others'). */
  previous: Proposal[];
  /** The last judged layer's notes, for the final aggregator. */
  judgeNotes?: JudgeNotes;
  /** Why the budget stopped the layers, when it did. */
  stoppedBy?: string;
  layersRun: number;
  answer: string;
  answerSource?: string;
  status: RunStatus;
  error?: string;
}

/**
 * Runs one request through the configured strategy and reports every step as events. Never throws for model
 * failures or cancellation: the result (and the final `run-finished` event) says what happened.
 */
export async function runPipeline(config: SmoaConfig, input: RunInput, options: RunOptions): Promise<RunResult> {
  const state = openRun(config, input, options);
  try {
    if (input.purpose === 'roles') {
      await rolesOnlyStep(state);
    } else {
      await rolesStep(state);
      await layersStep(state);
      await answerStep(state);
    }
  } catch (err) {
    state.status = 'failed';
    state.error = err instanceof Error ? err.message : String(err);
  }
  return finishRun(state);
}

function openRun(configured: SmoaConfig, input: RunInput, options: RunOptions): RunState {
  const requested = input.strategy ?? configured.strategy;
  const runId = input.runId ?? randomId();
  // Routing comes first: the run, its budget and its layers use the plan it chose.
  const routed = requested === 'route' && input.purpose !== 'roles' ? planRoute(configured, input.prompt, options.router) : undefined;
  const config = routed?.config ?? configured;
  const strategy = routed?.strategy ?? (requested === 'route' ? fallbackStrategy(configured, routeSettingsOf(configured)) : requested);
  const run = new RunContext(config, options, options.signal ?? new AbortController().signal);
  run.emit({
    type: 'run-started',
    runId,
    startedAt: new Date().toISOString(),
    strategy: requested,
    prompt: input.prompt,
    config: configForTrace({ ...configured, strategy: requested }),
    ...(input.purpose === 'roles' ? { purpose: 'roles' as const } : {}),
  });
  if (routed) run.emit({ type: 'route-decision', ...routed.decision, config: configForTrace(routed.config) });
  if (input.exchange) run.emit({ type: 'agent-exchange', ...input.exchange });
  return {
    run,
    input,
    options,
    runId,
    strategy,
    traits: STRATEGY_TRAITS[strategy],
    budget: input.purpose === 'roles' ? undefined : RunBudget.of(config, input, strategy, run.pool),
    slots: proposerSlots(config, strategy),
    maxLayers: layerCap(strategy, config.layers),
    kept: [],
    previous: [],
    layersRun: 0,
    answer: '',
    status: 'ok',
  };
}

/** `@smoa /roles`: this run's work ends with the roles; it answers nothing. */
async function rolesOnlyStep(s: RunState): Promise<void> {
  await resolveRoles(s.run, s.input, s.options.roleCache);
  s.answerSource = 'roles only: no question was answered';
}

async function rolesStep(s: RunState): Promise<void> {
  const { config } = s.run;
  const wantsRoles = s.traits.roles === 'yes' || (s.traits.roles === 'list-only' && Array.isArray(config.roles));
  // Only a role writer that would be called is asked about: moa, single and rank write no roles.
  if (s.maxLayers === 0 || !wantsRoles) return;
  if (config.roles === 'auto' && budgetStop(s, s.budget?.beforeRoles(), ['roles'], 'the proposers answer without roles')) return;
  s.roles = await resolveRoles(s.run, s.input, s.options.roleCache, s.slots.length);
}

function roleOf(s: RunState, slot: number): string | undefined {
  return s.roles && s.roles.length ? s.roles[slot % s.roles.length] : undefined;
}

/**
 * A refused stage is not started and the run goes on with what it has, saying so. Returns the refusal's reason. A stage
 * it allows gets the completion cap it found (the stage's calls send at most that).
 */
function budgetStop(s: RunState, verdict: BudgetVerdict | undefined, skipped: string[], outcome: string): string | undefined {
  if (!verdict || verdict.ok) {
    s.run.stageCap = verdict?.cap;
    return undefined;
  }
  s.run.emit({ type: 'budget-stop', skipped, reason: verdict.reason, outcome });
  return verdict.reason;
}

async function layersStep(s: RunState): Promise<void> {
  for (let layer = 1; layer <= s.maxLayers; layer++) {
    if (s.run.cancelled) return;
    if (layerBudgetStep(s, layer)) return;
    s.layersRun = layer;
    if ((await layerStep(s, layer)) === 'stop') return;
  }
}

/** True when the budget refuses this layer: it and every later one are skipped. */
function layerBudgetStep(s: RunState, layer: number): boolean {
  const skipped = Array.from({ length: s.maxLayers - layer + 1 }, (_, i) => `layer ${layer + i}`);
  const outcome = afterBudgetStop(s.traits.finish, s.kept.length);
  s.stoppedBy = budgetStop(s, s.budget?.beforeLayer(layer, s.kept.map((p) => p.text)), skipped, outcome);
  if (!s.stoppedBy) return false;
  skipLayers(s.run, layer - 1, s.maxLayers, 'over budget');
  return true;
}

type LayerEnd = 'next' | 'stop';

/** One layer: the proposers (adaptive: the first few, widened when they disagree), then the judge or keep-all. */
async function layerStep(s: RunState, layer: number): Promise<LayerEnd> {
  const { config } = s.run;
  const all = s.slots.map((_, slot) => slot);
  const adaptive = s.traits.adaptive && layer === 1 && adaptiveStartOf(config) < s.slots.length;
  const first = adaptive ? all.slice(0, adaptiveStartOf(config)) : all;
  const layerInput: LayerInput = { layer, slots: s.slots, roleOf: (slot) => roleOf(s, slot), kept: s.kept, previous: s.previous, peers: s.traits.peers };
  s.run.emit({ type: 'layer-started', layer, of: s.maxLayers, proposers: first.map((slot) => slotInfo(layerInput, slot)) });
  // Adaptive's first proposers may all fail: the rest of the layer still gets its turn.
  let survivors = await proposerLayer(s.run, s.input, layerInput, first, { mayAllFail: adaptive });
  if (s.run.cancelled) return 'stop';
  if (adaptive) {
    const widened = await adaptiveStep(s, layerInput, first, survivors);
    if (widened === 'agreed' || s.run.cancelled) return 'stop';
    survivors = widened;
  }
  if (survivors.length === 0) throw allFailed(layer, s.slots);
  s.previous = survivors;
  return s.traits.judge === 'none' ? keepAllStep(s, layer, all, survivors) : judgeStep(s, layer, all, survivors);
}

/** Adaptive, layer 1: when the first proposers agree their answers are kept and the run skips to the answer. */
async function adaptiveStep(s: RunState, layer: LayerInput, first: number[], survivors: Proposal[]): Promise<Proposal[] | 'agreed'> {
  const verdict = await adaptiveCheck(s.run, s.input, survivors, s.slots.length, s.maxLayers, s.traits.judge !== 'none');
  if (s.run.cancelled) return survivors;
  if (verdict.agree) {
    s.kept = survivors;
    s.run.emit({ type: 'layer-done', layer: layer.layer, kept: s.kept.map((p) => p.slot), failed: failedSlots(first, survivors) });
    skipLayers(s.run, layer.layer, s.maxLayers, `the first ${first.length} proposers agreed`);
    return 'agreed';
  }
  const rest = s.slots.map((_, slot) => slot).slice(first.length);
  s.run.emit({ type: 'layer-widened', layer: layer.layer, proposers: rest.map((slot) => slotInfo(layer, slot)) });
  const more = await proposerLayer(s.run, s.input, layer, rest, { widened: true });
  return [...survivors, ...more].sort((a, b) => a.slot - b.slot);
}

/** No judge (moa, debate, self): every answer goes on; the moderator may stop early. */
async function keepAllStep(s: RunState, layer: number, asked: number[], survivors: Proposal[]): Promise<LayerEnd> {
  s.kept = survivors;
  s.run.emit({ type: 'layer-done', layer, kept: s.kept.map((p) => p.slot), failed: failedSlots(asked, survivors) });
  if (!s.traits.earlyStop || !s.run.config.earlyStop || layer >= s.maxLayers || survivors.length <= 1) return 'next';
  return moderatorStep(s, layer, survivors);
}

async function moderatorStep(s: RunState, layer: number, survivors: Proposal[]): Promise<LayerEnd> {
  const decision = await decideAgreement(s.run, s.input, layer, survivors);
  if (s.run.cancelled) return 'stop';
  s.run.emit({ type: 'moderator-decision', layer, ...decision });
  if (!decision.stop) return 'next';
  skipLayers(s.run, layer, s.maxLayers, 'the moderator stopped early');
  return 'stop';
}

/** The judge keeps the best k (one for rank); asked in the same call whether the moderator would stop here. */
async function judgeStep(s: RunState, layer: number, asked: number[], survivors: Proposal[]): Promise<LayerEnd> {
  const k = s.traits.judge === 'one' ? 1 : s.run.config.topK;
  const askStop = s.traits.earlyStop && s.run.config.earlyStop && layer < s.maxLayers;
  // Only the last judged layer's notes reach the aggregator: a layer asks for them only when it may be that one (the
  // last layer, one that may stop early, any under a budget that may refuse the next), and never when the judge's pick
  // is the answer (rank). With every layer run, layers 1..n-1 would write notes nobody reads.
  const mayBeLast = layer >= s.maxLayers || askStop || s.budget !== undefined;
  const notesLevel = s.traits.finish === 'aggregate' && mayBeLast ? s.run.config.judgeNotes : 'off';
  const { picks, stop, notes } = await judgeLayer(s.run, s.input, layer, survivors, k, askStop, notesLevel);
  if (s.run.cancelled) return 'stop';
  s.kept = picks.map((slot) => survivors.find((p) => p.slot === slot)!);
  s.judgeNotes = notes;
  s.run.emit({ type: 'layer-done', layer, kept: picks, failed: failedSlots(asked, survivors) });
  if (!stop) return 'next';
  skipLayers(s.run, layer, s.maxLayers, 'the moderator stopped early');
  return 'stop';
}

/** The answer: the judge's pick (rank), or the aggregator over the kept answers; the best kept one when it cannot. */
async function answerStep(s: RunState): Promise<void> {
  const { run, traits, kept } = s;
  if (run.cancelled) throw new RunFailure('cancelled');
  if (traits.finish === 'pick' && kept.length === 0) throw new RunFailure(`over budget: ${s.stoppedBy}`);
  const aggregatorOver =
    traits.finish === 'pick'
      ? undefined
      : budgetStop(
          s,
          s.budget?.beforeAggregator(kept.map((p) => p.text), judgeNotesSystemPart(s.judgeNotes, kept.map((p) => p.slot))),
          ['aggregator'],
          kept.length ? 'the best kept answer is the answer' : 'no answer',
        );
  if (aggregatorOver && kept.length === 0) throw new RunFailure(`over budget: ${aggregatorOver}`);
  if (aggregatorOver) {
    s.answerSource = `proposal of ${kept[0].modelId} (best kept answer): the budget left no room for the aggregator`;
    emitAnswer(s, kept[0].text);
  } else if (traits.finish === 'pick') {
    s.answerSource = `${kept[0].modelId} (slot ${kept[0].slot + 1}), picked by the judge`;
    emitAnswer(s, kept[0].text);
  } else {
    await aggregatorStep(s);
  }
}

async function aggregatorStep(s: RunState): Promise<void> {
  const { run, kept } = s;
  const { config } = run;
  const window = s.traits.proposers === 'self' ? config.selfWindow : undefined;
  const candidates = window && kept.length > window ? await foldInWindows(run, s.input, kept, window) : kept;
  if (run.cancelled) throw new RunFailure('cancelled');
  const notesPart = candidates === kept ? judgeNotesSystemPart(s.judgeNotes, kept.map((p) => p.slot)) : undefined;
  const outcome = await aggregate(
    run,
    s.input,
    candidates,
    (text) => emitAnswer(s, text),
    (callId, reason) => restartAnswer(s, callId, reason),
    notesPart,
  );
  if (!outcome.ok && !run.cancelled && kept.length > 0) {
    // Keep what was produced: the best kept proposal stands in, and the run says so.
    s.answer = kept[0].text;
    s.answerSource = `proposal of ${kept[0].modelId} (best kept answer), because the aggregator failed`;
    s.status = 'failed';
    s.error = `aggregator "${config.aggregator}" failed: ${outcome.message}`;
  }
}

function emitAnswer(s: RunState, text: string): void {
  if (s.run.firstAnswerTokenMs === undefined) s.run.firstAnswerTokenMs = s.run.elapsed();
  s.answer += text;
  s.run.emit({ type: 'answer-token', text });
}

/** A retried aggregator streams its answer again from the start; every consumer hears it as one event. */
function restartAnswer(s: RunState, callId: string, reason: string): void {
  if (s.answer === '') return;
  s.answer = '';
  s.run.emit({ type: 'answer-reset', callId, reason });
}

function finishRun(s: RunState): RunResult {
  const { run } = s;
  if (run.cancelled) {
    s.status = 'cancelled';
    s.error = 'cancelled';
  }
  const { status, answer, answerSource, error } = s;
  const totals = run.totals.snapshot({
    wallMs: Math.round(run.elapsed()),
    ...(run.firstAnswerTokenMs !== undefined ? { firstAnswerTokenMs: Math.round(run.firstAnswerTokenMs) } : {}),
    layersRun: s.layersRun,
  });
  run.emit({
    type: 'run-finished',
    status,
    answer,
    ...(answerSource ? { answerSource } : {}),
    ...(error ? { error } : {}),
    totals,
  });
  return { runId: s.runId, status, answer, totals, ...(answerSource ? { answerSource } : {}), ...(error ? { error } : {}) };
}

function afterBudgetStop(finish: 'aggregate' | 'pick', kept: number): string {
  if (kept > 0) return `the ${finish === 'pick' ? 'judge picks from' : 'aggregator answers from'} the ${kept} kept answer${kept === 1 ? '' : 's'}`;
  return finish === 'pick' ? 'no answer' : 'the aggregator answers alone, with no earlier answers';
}

function failedSlots(asked: number[], survivors: Proposal[]): number[] {
  return asked.filter((slot) => !survivors.some((p) => p.slot === slot));
}

function skipLayers(run: RunContext, after: number, maxLayers: number, reason: string): void {
  for (let skipped = after + 1; skipped <= maxLayers; skipped++) run.emit({ type: 'layer-skipped', layer: skipped, reason });
}

function slotInfo(layer: Pick<LayerInput, 'slots' | 'roleOf'>, slot: number) {
  const role = layer.roleOf(slot);
  return { slot, modelId: layer.slots[slot], ...(role ? { role } : {}) };
}

function allFailed(layer: number, slots: string[]): RunFailure {
  return new RunFailure(`all ${slots.length} proposers failed in layer ${layer}`);
}

interface LayerInput {
  layer: number;
  /** Model id per proposer slot. */
  slots: string[];
  roleOf: (slot: number) => string | undefined;
  /** What the judge kept of the previous layer (every answer when there is no judge). */
  kept: Proposal[];
  /** Every answer of the previous layer. */
  previous: Proposal[];
  peers: 'kept' | 'others';
}

/** The given proposer slots of a layer start at once; it ends when the last one is in. */
async function proposerLayer(
  run: RunContext,
  input: RunInput,
  layer: LayerInput,
  asked: number[],
  how: { widened?: boolean; mayAllFail?: boolean } = {},
): Promise<Proposal[]> {
  const { config } = run;
  const outcomes = await Promise.all(
    asked.map((slot) => {
      const modelId = layer.slots[slot];
      const role = layer.roleOf(slot);
      const own = layer.previous.find((p) => p.slot === slot);
      // A debater sees the others' previous answers and its own as its own; every other strategy shows the kept ones.
      const candidates = layer.peers === 'others' ? layer.previous.filter((p) => p.slot !== slot) : layer.kept;
      return callWithCandidates(
        run,
        {
          stage: 'proposer',
          modelId,
          layer: layer.layer,
          slot,
          ...(role ? { role } : {}),
          maxTokens: config.proposerMaxTokens,
          ...(how.widened ? { note: 'joined because the first proposers disagreed' } : {}),
        },
        candidates,
        (shown) =>
          buildMessages({
            systemParts: [
              config.systemPrompt,
              role,
              layer.peers === 'others' ? debateSystemPart(shown, own?.text) : synthesisSystemPart(shown),
            ],
            history: input.history,
            prompt: input.prompt,
            context: input.context,
          }),
      );
    }),
  );
  const survivors: Proposal[] = [];
  outcomes.forEach((o, i) => {
    if (o.ok) survivors.push({ slot: asked[i], modelId: layer.slots[asked[i]], text: o.text });
  });
  if (survivors.length === 0 && asked.length > 0 && !run.cancelled && !how.mayAllFail) {
    const reasons = outcomes.map((o, i) => `${layer.slots[asked[i]]} (slot ${asked[i] + 1}): ${o.ok ? 'ok' : o.error.message}`);
    throw new RunFailure(`all ${outcomes.length} proposers failed in layer ${layer.layer}:\n- ${reasons.join('\n- ')}`);
  }
  return survivors;
}

/**
 * Adaptive: do the first proposers agree? Too few answers to compare, or a failed moderator, mean "widen" (said).
 * `callsSaved` counts what the rest of an SMoA run would have called at most.
 */
async function adaptiveCheck(run: RunContext, input: RunInput, survivors: Proposal[], total: number, maxLayers: number, judges: boolean) {
  const asked = adaptiveStartOf(run.config);
  const base = { layer: 1, asked, of: total };
  if (survivors.length < 2) {
    const reason = survivors.length === 0 ? 'none of the first proposers answered' : 'one answer has nothing to agree with';
    run.emit({ type: 'adaptive-decision', ...base, agree: false, reason });
    return { agree: false };
  }
  const decision = await decideAgreement(run, input, 1, survivors);
  if (run.cancelled) return { agree: false };
  const rest = total - asked;
  // Layer 1's other proposers and judge, then every later layer's proposers and judge.
  const callsSaved = rest + (judges ? 1 : 0) + (maxLayers - 1) * (total + (judges ? 1 : 0));
  run.emit({
    type: 'adaptive-decision',
    ...base,
    agree: decision.stop,
    reason: decision.reason,
    ...(decision.stop ? { callsSaved } : {}),
    ...(decision.fallback ? { fallback: true } : {}),
  });
  return { agree: decision.stop };
}

/**
 * Self-MoA-Seq: the aggregator folds `window` answers at a time into a running synthesis, so many samples never
 * overflow its context. Returns what the final aggregator call gets: the synthesis so far and the last window.
 */
async function foldInWindows(run: RunContext, input: RunInput, answers: Proposal[], window: number): Promise<Proposal[]> {
  const { config } = run;
  let synthesis: Proposal | undefined;
  let next = 0;
  const steps = Math.ceil(answers.length / window);
  for (let step = 1; step < steps; step++) {
    const batch = answers.slice(next, next + window);
    next += window;
    const candidates = synthesis ? [synthesis, ...batch] : batch;
    const outcome = await run.call({
      stage: 'synthesis',
      modelId: config.aggregator,
      note: `window ${step} of ${steps}: answers ${next - batch.length + 1}-${next} of ${answers.length}`,
      messages: buildMessages({
        systemParts: [config.systemPrompt, synthesisSystemPart(candidates)],
        history: input.history,
        prompt: input.prompt,
        context: input.context,
      }),
    });
    if (run.cancelled) return answers;
    // A failed step keeps the running synthesis (or its batch), so no answer is silently dropped from what follows.
    synthesis = outcome.ok ? { slot: -1, modelId: config.aggregator, text: outcome.text } : synthesis;
    if (!outcome.ok) return [...(synthesis ? [synthesis] : []), ...answers.slice(next - batch.length)];
  }
  return [...(synthesis ? [synthesis] : []), ...answers.slice(next)];
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

const CONTEXT_TRIM_NOTE = 'second try with the earlier answers shortened to a third: the first overflowed the context window';

/** The final aggregator (or the single model) streams the answer the user gets. */
async function aggregate(
  run: RunContext,
  input: RunInput,
  kept: Proposal[],
  emitAnswer: (t: string) => void,
  restartAnswer: (callId: string, reason: string) => void,
  /** The judge's notes on the kept and dropped answers (judgeNotesSystemPart), after the candidates. */
  notesPart?: string,
) {
  const { config } = run;
  const agent = input.aggregatorTools;
  const results = agent ? recentToolResults(agent.conversation) : [];
  if (results.length) run.emit({ type: 'tool-results', results });
  // Notes name the kept answers as candidates: a context-overflow retry shortens them but keeps them all.
  const notes = (candidates: Candidate[]) => (candidates.length ? notesPart : undefined);
  const outcome = await callWithCandidates(
    run,
    {
      stage: 'aggregator',
      modelId: config.aggregator,
      onToken: emitAnswer,
      onRestart: restartAnswer,
      // A tool call handed to the host cannot be taken back, so an agent turn is retried only before any output.
      ...(agent ? { tools: agent.tools, toolChoice: agent.toolChoice, retry: 'before-output' as const } : {}),
    },
    kept,
    (candidates) =>
      agent
        ? aggregatorMessages([config.systemPrompt, synthesisSystemPart(candidates), notes(candidates)].filter(Boolean).join('\n\n'), agent.conversation)
        : buildMessages({
            systemParts: [config.systemPrompt, synthesisSystemPart(candidates), notes(candidates)],
            history: input.history,
            prompt: input.prompt,
            context: input.context,
          }),
  );
  if (outcome.ok) return { ok: true as const };
  if (kept.length === 0 && !run.cancelled) throw new RunFailure(`${config.aggregator} failed: ${outcome.error.message}`);
  return { ok: false as const, message: outcome.error.message };
}
