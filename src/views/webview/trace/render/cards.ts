import { SCORE_MAX } from '../../../../pipeline/events';
import type { TraceCall, TraceLayer } from '../../../../pipeline/trace';
import { formatCount, formatMs, h, setData, setText, show } from '../../dom';
import { setMarkdown } from '../../markdown';

type CardStatus = 'waiting' | 'streaming' | 'done' | 'failed' | 'timed-out' | 'cancelled' | 'skipped' | 'not-run';

const STATUS_LABEL: Record<CardStatus, string> = {
  waiting: 'waiting',
  streaming: 'streaming',
  done: 'done',
  failed: 'failed',
  'timed-out': 'timed out',
  cancelled: 'cancelled',
  skipped: 'skipped',
  'not-run': 'not run',
};

function cardStatus(call: TraceCall | undefined, layer: TraceLayer): CardStatus {
  if (!call) return layer.status === 'skipped' ? 'skipped' : layer.status === 'running' ? 'waiting' : 'not-run';
  if (call.status === 'running') return call.text ? 'streaming' : 'waiting';
  if (call.status === 'done') return 'done';
  if (call.error?.kind === 'timeout') return 'timed-out';
  if (call.error?.kind === 'cancelled') return 'cancelled';
  return 'failed';
}

/** Re-rendering markdown on every frame of a long stream is waste; a streaming card refreshes at most this often. */
const STREAM_RENDER_MS = 150;

export interface CardInput {
  layer: TraceLayer;
  slot: number;
  modelId: string;
  role?: string;
  call?: TraceCall;
  /** 1-based rank when the judge kept this proposal. */
  rank?: number;
  /** The judge's score (mean over its votes), when it scored this proposal. */
  score?: number;
  /** The judge has decided and did not keep this one. */
  dropped: boolean;
  expanded: boolean;
  key: string;
}

/** One proposer's card. Updates touch only what changed; the answer is re-rendered only when its text grew. */
export class CardView {
  readonly el: HTMLElement;
  private readonly model = h('span', { class: 'card-model', testid: 'card-model' });
  private readonly status = h('span', { class: 'badge status', testid: 'card-status' });
  private readonly rank = h('span', { class: 'badge rank', testid: 'pick-badge' });
  private readonly score = h('span', { class: 'badge score', testid: 'score-badge' });
  private readonly meta = h('div', { class: 'card-meta', testid: 'card-meta' });
  private readonly roleText = h('p', { class: 'role-text' });
  private readonly role = h('details', { class: 'card-role', testid: 'card-role' }, h('summary', { text: 'Role' }), this.roleText);
  private readonly error = h('div', { class: 'card-error', testid: 'card-error' });
  private readonly note = h('div', { class: 'card-note', testid: 'card-note' });
  private readonly body = h('div', { class: 'md card-body', testid: 'card-answer' });
  private readonly toggle = h('button', { class: 'link-button', testid: 'card-expand', attrs: { type: 'button', 'data-action': 'expand' } });
  private renderedText: string | undefined;
  private lastRenderAt = 0;

  constructor() {
    this.el = h(
      'article',
      { class: 'card', testid: 'proposal-card' },
      h('header', { class: 'card-head' }, this.rank, this.model, this.score, this.status),
      this.meta,
      this.role,
      this.note,
      this.error,
      this.body,
      this.toggle,
    );
  }

  /** Returns true when text is still waiting for its next throttled render. */
  update(input: CardInput, now: number): boolean {
    const { call, layer } = input;
    const status = cardStatus(call, layer);
    this.el.className = `card status-${status}${input.rank ? ' picked' : ''}${input.dropped ? ' dropped' : ''}${input.expanded ? ' expanded' : ''}`;
    setData(this.el, 'layer', String(layer.layer));
    setData(this.el, 'slot', String(input.slot));
    setData(this.el, 'status', status);
    setData(this.el, 'rank', input.rank ? String(input.rank) : undefined);
    setData(this.el, 'key', input.key);
    setText(this.model, `${input.slot + 1}. ${call?.model ?? input.modelId}`);
    this.model.title = input.modelId;
    setText(this.status, STATUS_LABEL[status]);
    setText(this.rank, input.rank ? `#${input.rank}` : '');
    show(this.rank, !!input.rank);
    this.rank.title = input.rank ? `The judge ranked this proposal #${input.rank}` : '';
    setData(this.el, 'score', input.score !== undefined ? String(input.score) : undefined);
    setText(this.score, input.score !== undefined ? `${input.score}/${SCORE_MAX}` : '');
    show(this.score, input.score !== undefined);
    this.score.title = input.score !== undefined ? `The judge scored this proposal ${input.score} of ${SCORE_MAX}` : '';

    const role = input.role ?? call?.role;
    show(this.role, !!role);
    if (role) setText(this.roleText, role);

    setText(this.meta, metaLine(call));
    const failure = call?.error && status !== 'cancelled' ? `${call.error.message}${call.error.attempts > 1 ? ` (after ${call.error.attempts} attempts)` : ''}` : '';
    show(this.note, !!call?.note);
    setText(this.note, call?.note ?? '');
    show(this.error, !!failure);
    setText(this.error, failure);

    setText(this.toggle, input.expanded ? 'Show less' : 'Show all');
    show(this.toggle, !!call?.text);
    const text = call?.text ?? '';
    if (text === this.renderedText) return false;
    if (status === 'streaming' && now - this.lastRenderAt < STREAM_RENDER_MS && this.renderedText !== undefined) return true;
    setMarkdown(this.body, text);
    this.renderedText = text;
    this.lastRenderAt = now;
    return false;
  }
}

function metaLine(call: TraceCall | undefined): string {
  if (!call) return '';
  const parts: string[] = [];
  if (call.usage) {
    parts.push(`${formatCount(call.usage.completionTokens)} tokens out${call.usage.estimated ? ' (est.)' : ''}`);
    parts.push(`${formatCount(call.usage.promptTokens)} in`);
  }
  if (call.latencyMs !== undefined) parts.push(formatMs(call.latencyMs));
  if (call.ttftMs !== undefined) parts.push(`first token ${formatMs(call.ttftMs)}`);
  if (call.retries.length) parts.push(`${call.retries.length} retr${call.retries.length === 1 ? 'y' : 'ies'}`);
  return parts.join(' · ');
}
