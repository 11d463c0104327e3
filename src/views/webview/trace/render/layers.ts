import { judgeNoteLines, judgeScoresLine, judgeVotesLine } from '../../../../pipeline/judge/bias';
import { STRATEGY_TRAITS } from '../../../../pipeline/strategy/traits';
import type { Trace, TraceCall, TraceLayer } from '../../../../pipeline/trace';
import { h, setData, setText, show } from '../../dom';
import { CardView } from './cards';

/** One layer as a row: its proposer cards, then the judge's verdict and the moderator's decision. */
class LayerView {
  readonly el: HTMLElement;
  private readonly title = h('h3', { class: 'layer-title' });
  private readonly state = h('span', { class: 'badge layer-state', testid: 'layer-status' });
  private readonly skipped = h('p', { class: 'layer-skipped', testid: 'layer-skipped' });
  private readonly grid = h('div', { class: 'cards' });
  private readonly judge = h('div', { class: 'verdict judge', testid: 'judge-verdict' });
  private readonly judgeText = h('p', { class: 'verdict-text', testid: 'judge-reason' });
  private readonly fallback = h('p', { class: 'fallback-mark', testid: 'judge-fallback' });
  private readonly votes = h('p', { class: 'verdict-text votes', testid: 'judge-votes' });
  private readonly scores = h('p', { class: 'verdict-text scores', testid: 'judge-scores' });
  private readonly notes = h('ul', { class: 'verdict-text judge-notes', testid: 'judge-notes' });
  private notesKey = '';
  private readonly moderator = h('div', { class: 'verdict moderator', testid: 'moderator-decision' });
  private readonly moderatorText = h('p', { class: 'verdict-text', testid: 'moderator-reason' });
  private readonly moderatorHead = h('strong', { class: 'decision' });
  private readonly cards = new Map<number, CardView>();

  constructor() {
    this.judge.append(h('strong', { text: 'Judge' }), this.judgeText, this.scores, this.votes, this.notes, this.fallback);
    this.moderator.append(this.moderatorHead, this.moderatorText);
    this.el = h(
      'section',
      { class: 'layer', testid: 'layer' },
      h('header', { class: 'layer-head' }, this.title, this.state),
      this.skipped,
      this.grid,
      h('div', { class: 'verdicts' }, this.judge, this.moderator),
    );
  }

  update(trace: Trace, layer: TraceLayer, expanded: Set<string>, now: number): boolean {
    setText(this.title, `Layer ${layer.layer} of ${plannedLayers(trace)}`);
    setText(this.state, layer.status);
    setData(this.el, 'layer', String(layer.layer));
    setData(this.el, 'status', layer.status);
    this.el.classList.toggle('is-skipped', layer.status === 'skipped');
    show(this.skipped, layer.status === 'skipped');
    setText(this.skipped, layer.skippedReason ? `Skipped: ${layer.skippedReason}` : 'Skipped');

    let pending = false;
    const judge = layer.judge;
    for (const proposer of layer.proposers) {
      let card = this.cards.get(proposer.slot);
      if (!card) {
        card = new CardView();
        this.cards.set(proposer.slot, card);
        this.grid.append(card.el);
      }
      const callId = layer.proposalCalls[proposer.slot];
      const call = callId ? findCall(trace, callId) : undefined;
      setData(card.el, 'callIds', callIdsOf(trace, (c) => c.stage === 'proposer' && c.layer === layer.layer && c.slot === proposer.slot));
      const rankIndex = judge ? judge.picks.indexOf(proposer.slot) : -1;
      const key = `${trace.runId}:${layer.layer}:${proposer.slot}`;
      pending =
        card.update(
          {
            layer,
            slot: proposer.slot,
            modelId: proposer.modelId,
            ...(proposer.role ? { role: proposer.role } : {}),
            ...(call ? { call } : {}),
            ...(rankIndex >= 0 ? { rank: rankIndex + 1 } : {}),
            ...(judge?.scores?.[proposer.slot] !== undefined ? { score: judge.scores[proposer.slot] } : {}),
            dropped: !!judge && rankIndex < 0 && call?.status === 'done',
            expanded: expanded.has(key),
            key,
          },
          now,
        ) || pending;
    }

    const judgeCalls = trace.calls.filter((c) => c.stage === 'judge' && c.layer === layer.layer);
    const judgeCall = judgeCalls.find((c) => c.status === 'running') ?? judgeCalls[0];
    // A run stopped while judging leaves no verdict: the judge was cancelled, which is all there is to say.
    const judgeCancelled = !judge && judgeCalls.length > 0 && judgeCalls.every((c) => c.status !== 'running') && judgeCalls.some((c) => c.status === 'cancelled');
    show(this.judge, !!judge || !!judgeCall);
    setData(this.judge, 'callIds', callIdsOf(trace, (c) => c.stage === 'judge' && c.layer === layer.layer));
    setData(this.judge, 'fallback', judge?.fallback ? 'true' : undefined);
    setData(this.judge, 'state', judgeCancelled ? 'cancelled' : undefined);
    setText(this.judgeText, judge ? judgeSummary(layer) : judgeCancelled ? 'Cancelled' : judgeCall ? `${judgeCall.model} is choosing...` : '');
    const scores = judgeScoresLine(judge?.scores);
    show(this.scores, !!scores);
    setText(this.scores, scores ? `Scores: ${scores}` : '');
    const votes = judge ? votesLine(layer) : '';
    show(this.votes, !!votes);
    setText(this.votes, votes);
    const notes = judgeNoteLines(judge?.notes);
    show(this.notes, notes.length > 0);
    if (notes.join('\n') !== this.notesKey) {
      this.notesKey = notes.join('\n');
      this.notes.replaceChildren(...notes.map((text) => h('li', { text })));
    }
    show(this.fallback, !!judge?.fallback);
    if (judge?.fallback) {
      setText(this.fallback, `Judge reply unusable${judge.problem ? ` (${judge.problem})` : ''}: fallback rule "${judge.rule ?? judge.reason}" picked.`);
    }

    const decision = layer.moderator ?? adaptiveAsModerator(layer);
    const modCall = trace.calls.find((c) => c.stage === 'moderator' && c.layer === layer.layer && c.status === 'running');
    const modCalls = callIdsOf(trace, (c) => c.stage === 'moderator' && c.layer === layer.layer);
    const modFailed = trace.calls.find((c) => c.stage === 'moderator' && c.layer === layer.layer && c.error);
    const modCancelled = !decision && !modCall && modFailed?.status === 'cancelled';
    show(this.moderator, !!decision || !!modCalls);
    setData(this.moderator, 'callIds', modCalls);
    setData(this.moderator, 'decision', decision ? (decision.stop ? 'stop' : 'continue') : modCancelled ? 'cancelled' : undefined);
    setData(this.moderator, 'adaptive', layer.adaptive ? (layer.adaptive.agree ? 'narrow' : 'widen') : undefined);
    const head = layer.adaptive
      ? `Moderator: the first ${layer.adaptive.asked} ${layer.adaptive.agree ? 'agree, answering from them' : `disagree, ${layer.adaptive.of - layer.adaptive.asked} more join`}`
      : decision
        ? `Moderator: ${decision.stop ? 'stop' : 'continue'}`
        : modCancelled
          ? 'Moderator: cancelled'
          : 'Moderator';
    setText(this.moderatorHead, `${head}${decision?.fallback ? ' (fallback)' : ''}`);
    setText(
      this.moderatorText,
      decision ? decision.reason : modCall ? `${modCall.model} is deciding...` : modFailed && !modCancelled ? `${modFailed.model}: ${modFailed.status}` : '',
    );
    return pending;
  }
}

/** Adaptive's decision after its first proposers, in the moderator's place (with the calls it saved). */
function adaptiveAsModerator(layer: TraceLayer): TraceLayer['moderator'] {
  const a = layer.adaptive;
  if (!a) return undefined;
  const saved = a.agree && a.callsSaved ? ` (up to ${a.callsSaved} calls saved)` : '';
  return { stop: a.agree, reason: `${a.reason}${saved}`, ...(a.fallback ? { fallback: true } : {}) };
}

/** How many layers the run planned: rank runs one, whatever the config says (older traces lack `layersPlanned`). */
function plannedLayers(trace: Trace): number {
  const planned = trace.layersPlanned ?? (STRATEGY_TRAITS[trace.strategy]?.layers === 'one' ? 1 : (trace.config?.layers ?? trace.layers.length));
  return Math.max(planned, trace.layers.length);
}

/** The ids of the calls an element stands for (`data-call-ids`): every call a run counts is shown somewhere. */
export function callIdsOf(trace: Trace, match: (call: TraceCall) => boolean): string | undefined {
  const ids = trace.calls.filter(match).map((c) => c.callId);
  return ids.length ? ids.join(' ') : undefined;
}

function judgeSummary(layer: TraceLayer): string {
  const judge = layer.judge!;
  const picks = judge.picks.map((slot, i) => `#${i + 1} proposal ${slot + 1}`).join(', ');
  return `Kept ${picks || 'none'}${judge.reason && judge.reason !== judge.rule ? `: ${judge.reason}` : ''}`;
}

/** Votes and recusal, when there is more than a single plain vote. */
function votesLine(layer: TraceLayer): string {
  const ballots = layer.judge?.ballots ?? [];
  const tie = layer.judge?.tieBreak ? ` ${layer.judge.tieBreak}.` : '';
  if (ballots.length === 1 && ballots[0].excluded?.length) return `Recused from proposal ${ballots[0].excluded.map((s) => s + 1).join(', ')}.${tie}`;
  return `${judgeVotesLine(ballots)}${tie}`.trim();
}

function findCall(trace: Trace, callId: string): TraceCall | undefined {
  for (let i = trace.calls.length - 1; i >= 0; i--) if (trace.calls[i].callId === callId) return trace.calls[i];
  return undefined;
}

/** All layers of the shown trace, keyed so a frame only updates what exists and adds what is new. */
export class LayersView {
  readonly el = h('div', { class: 'layers', testid: 'layers' });
  private views = new Map<number, LayerView>();
  private runId: string | undefined;

  update(trace: Trace | undefined, expanded: Set<string>, now: number): boolean {
    if (!trace || trace.runId !== this.runId) {
      this.views = new Map();
      this.el.replaceChildren();
      this.runId = trace?.runId;
    }
    if (!trace) return false;
    let pending = false;
    for (const layer of trace.layers) {
      let view = this.views.get(layer.layer);
      if (!view) {
        view = new LayerView();
        this.views.set(layer.layer, view);
        this.el.append(view.el);
      }
      pending = view.update(trace, layer, expanded, now) || pending;
    }
    return pending;
  }
}
