import { aggregatorMessages, recentToolResults, type AggregatorTools } from './agent-turn';
import type { ChatMessage } from './client';
import { adaptiveStartOf, configForTrace, proposerSlots, type SmoaConfig, type Strategy } from './config';
import type { ExchangeTotals, RunStatus, RunTotals } from './events';
import { decideAgreement, judgeLayer, type Proposal } from './judge-step';
import type { JudgeNotes } from './events';
import { buildMessages, clip, debateSystemPart, judgeNotesSystemPart, synthesisSystemPart, type Candidate, type ContextItem } from './prompts';
import { randomId } from './random';
import { resolveRoles } from './role-step';
import type { RoleCache } from './roles';
import { layerCap, STRATEGY_TRAITS } from './strategies';
import { RunContext, type CallOutcome, type CallSpec, type EngineDeps } from './run-context';
import { RunBudget, type BudgetVerdict } from './budget';
import { fallbackStrategy, planRoute, routeSettingsOf } from './route/choose';
import type { RouterFile } from './route/router-file';

export type { EngineDeps } from './run-context';

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
 * Runs one request through the configured strategy and reports every step as events. Never throws for model
 * failures or cancellation: the result (and the final `run-finished` event) says what happened.
 */
export async function runPipeline(configured: SmoaConfig, input: RunInput, options: RunOptions): Promise<RunResult> {
  const requested = input.strategy ?? configured.strategy;
  const runId = input.runId ?? randomId();
  const signal = options.signal ?? new AbortController().signal;
  // Routing comes first: the run, its budget and its layers use the plan it chose.
  const routed = requested === 'route' && input.purpose !== 'roles' ? planRoute(configured, input.prompt, options.router) : undefined;
  const config = routed?.config ?? configured;
  const strategy = routed?.strategy ?? (requested === 'route' ? fallbackStrategy(configured, routeSettingsOf(configured)) : requested);
  const run = new RunContext(config, options, signal);
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

  // Before each stage the budget (if any) is asked; a stage it refuses is not started and the run goes on with what it
  // has, saying so in a budget-stop event. Returns the refusal's reason.
  // A stage it allows gets the completion cap it found (the stage's calls send at most that).
  const budget = input.purpose === 'roles' ? undefined : RunBudget.of(config, input, strategy, run.pool);
  const overBudget = (verdict: BudgetVerdict | undefined, skipped: string[], outcome: string): string | undefined => {
    if (!verdict || verdict.ok) {
      run.stageCap = verdict?.cap;
      return undefined;
    }
    run.emit({ type: 'budget-stop', skipped, reason: verdict.reason, outcome });
    return verdict.reason;
  };

  try {
    if (input.purpose === 'roles') {
      // This run's work ends with the roles; it answers nothing.
      await resolveRoles(run, input, options.roleCache);
      answerSource = 'roles only: no question was answered';
    } else {
      const traits = STRATEGY_TRAITS[strategy];
      const slots = proposerSlots(config, strategy);
      const maxLayers = layerCap(strategy, config.layers);
      const wantsRoles = traits.roles === 'yes' || (traits.roles === 'list-only' && Array.isArray(config.roles));
      // Only a role writer that would be called is asked about: moa, single and rank write no roles.
      const usesRoles = maxLayers > 0 && wantsRoles;
      const rolesFit = !usesRoles || config.roles !== 'auto' || !overBudget(budget?.beforeRoles(), ['roles'], 'the proposers answer without roles');
      const roles = usesRoles && rolesFit ? await resolveRoles(run, input, options.roleCache, slots.length) : undefined;
      const roleOf = (slot: number) => (roles && roles.length ? roles[slot % roles.length] : undefined);
      let kept: Proposal[] = [];
      /** The last judged layer's notes, for the final aggregator. */
      let judgeNotes: JudgeNotes | undefined;
      /** Every answer of the previous layer (a debate shows each debater the others'). */
      let previous: Proposal[] = [];
      let stoppedBy: string | undefined;
      for (let layer = 1; layer <= maxLayers; layer++) {
        if (run.cancelled) break;
        const skipped = Array.from({ length: maxLayers - layer + 1 }, (_, i) => `layer ${layer + i}`);
        stoppedBy = overBudget(budget?.beforeLayer(layer, kept.map((p) => p.text)), skipped, afterBudgetStop(traits.finish, kept.length));
        if (stoppedBy) {
          skipLayers(run, layer - 1, maxLayers, 'over budget');
          break;
        }
        layersRun = layer;
        const all = slots.map((_, slot) => slot);
        const adaptive = traits.adaptive && layer === 1 && adaptiveStartOf(config) < slots.length;
        const first = adaptive ? all.slice(0, adaptiveStartOf(config)) : all;
        const layerInput: LayerInput = { layer, slots, roleOf, kept, previous, peers: traits.peers };
        run.emit({ type: 'layer-started', layer, of: maxLayers, proposers: first.map((slot) => slotInfo(slots, slot, roleOf)) });
        // Adaptive's first proposers may all fail: the rest of the layer still gets its turn.
        let survivors = await proposerLayer(run, input, layerInput, first, { mayAllFail: adaptive });
        if (run.cancelled) break;
        if (adaptive) {
          const verdict = await adaptiveCheck(run, input, survivors, slots.length, maxLayers, traits.judge !== 'none');
          if (run.cancelled) break;
          if (verdict.agree) {
            kept = survivors;
            run.emit({ type: 'layer-done', layer, kept: kept.map((p) => p.slot), failed: failedSlots(first, survivors) });
            skipLayers(run, layer, maxLayers, `the first ${first.length} proposers agreed`);
            break;
          }
          const rest = all.slice(first.length);
          run.emit({ type: 'layer-widened', layer, proposers: rest.map((slot) => slotInfo(slots, slot, roleOf)) });
          survivors = [...survivors, ...(await proposerLayer(run, input, layerInput, rest, { widened: true }))].sort((a, b) => a.slot - b.slot);
          if (run.cancelled) break;
        }
        if (survivors.length === 0) throw allFailed(layer, slots);
        previous = survivors;
        if (traits.judge === 'none') {
          kept = survivors;
          run.emit({ type: 'layer-done', layer, kept: kept.map((p) => p.slot), failed: failedSlots(all, survivors) });
          if (traits.earlyStop && config.earlyStop && layer < maxLayers && survivors.length > 1) {
            const decision = await decideAgreement(run, input, layer, survivors);
            if (run.cancelled) break;
            run.emit({ type: 'moderator-decision', layer, ...decision });
            if (decision.stop) {
              skipLayers(run, layer, maxLayers, 'the moderator stopped early');
              break;
            }
          }
          continue;
        }
        const k = traits.judge === 'one' ? 1 : config.topK;
        const askStop = traits.earlyStop && config.earlyStop && layer < maxLayers;
        const { picks, stop, notes } = await judgeLayer(run, input, layer, survivors, k, askStop);
        if (run.cancelled) break;
        kept = picks.map((slot) => survivors.find((p) => p.slot === slot)!);
        judgeNotes = notes;
        run.emit({ type: 'layer-done', layer, kept: picks, failed: failedSlots(all, survivors) });
        if (stop) {
          skipLayers(run, layer, maxLayers, 'the moderator stopped early');
          break;
        }
      }
      if (run.cancelled) throw new RunFailure('cancelled');
      if (traits.finish === 'pick' && kept.length === 0) throw new RunFailure(`over budget: ${stoppedBy}`);
      const aggregatorOver =
        traits.finish === 'pick'
          ? undefined
          : overBudget(
              budget?.beforeAggregator(kept.map((p) => p.text), judgeNotesSystemPart(judgeNotes, kept.map((p) => p.slot))),
              ['aggregator'],
              kept.length ? 'the best kept answer is the answer' : 'no answer',
            );
      if (aggregatorOver && kept.length === 0) throw new RunFailure(`over budget: ${aggregatorOver}`);
      if (aggregatorOver) {
        answerSource = `proposal of ${kept[0].modelId} (best kept answer): the budget left no room for the aggregator`;
        emitAnswer(kept[0].text);
      } else if (traits.finish === 'pick') {
        answerSource = `${kept[0].modelId} (slot ${kept[0].slot + 1}), picked by the judge`;
        emitAnswer(kept[0].text);
      } else {
        const window = traits.proposers === 'self' ? config.selfWindow : undefined;
        const candidates = window && kept.length > window ? await foldInWindows(run, input, kept, window) : kept;
        if (run.cancelled) throw new RunFailure('cancelled');
        const notesPart = candidates === kept ? judgeNotesSystemPart(judgeNotes, kept.map((p) => p.slot)) : undefined;
        const outcome = await aggregate(run, input, candidates, emitAnswer, restartAnswer, notesPart);
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

function slotInfo(slots: string[], slot: number, roleOf: (slot: number) => string | undefined) {
  const role = roleOf(slot);
  return { slot, modelId: slots[slot], ...(role ? { role } : {}) };
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

export const CONTEXT_TRIM_NOTE = 'second try with the earlier answers shortened to a third: the first overflowed the context window';

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
