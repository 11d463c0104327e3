import type { Trace } from '../../../../pipeline/trace';
import { h, setData, setText, show } from '../../dom';
import type { PanelState } from '../state';
import { AnswerView, type AnswerAction } from './answer';
import { ControlsView, type ControlActions } from './controls';
import { LayersView } from './layers';

export interface PanelActions extends ControlActions {
  answer(action: AnswerAction): void;
  toggleCard(key: string): void;
  dismissError(): void;
}

/** The whole page: controls, the run's header, its layers and the answer. */
export class PanelView {
  private readonly controls: ControlsView;
  private readonly layers = new LayersView();
  private readonly answer = new AnswerView();
  private readonly errorText = h('span', {});
  private readonly error = h('div', { class: 'banner error', testid: 'panel-error', attrs: { role: 'alert' } });
  private readonly notice = h('div', { class: 'banner notice', testid: 'panel-notice', attrs: { role: 'status' } });
  private readonly runPrompt = h('p', { class: 'run-prompt', testid: 'run-prompt' });
  private readonly runMeta = h('p', { class: 'note', testid: 'run-meta' });
  private readonly rolesLine = h('p', { class: 'note roles-line', testid: 'roles-line' });
  private readonly runHeader = h('section', { class: 'run-header', testid: 'run-header' }, this.runPrompt, this.runMeta, this.rolesLine);
  private readonly empty = h('p', { class: 'empty note', testid: 'empty', text: 'Type a prompt and press Run, pick a run from the list, or open a saved trace file.' });
  private seenStructure = -1;

  constructor(root: HTMLElement, actions: PanelActions) {
    this.controls = new ControlsView(actions);
    const dismiss = h('button', { class: 'link-button', text: 'Dismiss', testid: 'dismiss-error', attrs: { type: 'button' } });
    dismiss.addEventListener('click', () => actions.dismissError());
    this.error.append(this.errorText, dismiss);
    this.layers.el.addEventListener('click', (e) => {
      const target = e.target as Element;
      if (!target.closest('[data-action="expand"]')) return;
      const key = target.closest<HTMLElement>('[data-key]')?.dataset.key;
      if (key) actions.toggleCard(key);
    });
    for (const [action, b] of Object.entries(this.answer.buttons)) b.addEventListener('click', () => actions.answer(action as AnswerAction));
    root.append(this.controls.el, this.error, this.notice, this.empty, this.runHeader, this.layers.el, this.answer.el);
  }

  /** Brings the DOM up to date with the state; returns true when some streaming text awaits a later frame. */
  render(state: PanelState, now: number): boolean {
    if (state.structure !== this.seenStructure) {
      this.seenStructure = state.structure;
      this.controls.update(state);
      show(this.error, !!state.error);
      setText(this.errorText, state.error ?? '');
      show(this.notice, !!state.notice);
      setText(this.notice, state.notice ?? '');
    }
    const trace = state.trace;
    show(this.empty, !trace);
    show(this.runHeader, !!trace);
    if (trace) {
      setText(this.runPrompt, trace.prompt);
      const where = state.offline ? `opened from ${state.origin || 'a file'}` : state.origin ? `started from ${state.origin}` : '';
      const restored = state.restored && !state.runs.some((r) => r.runId === state.runId) ? 'restored from before the panel reloaded; no longer among this window\'s runs' : '';
      const when = trace.startedAt ? new Date(trace.startedAt).toLocaleString() : '';
      setText(this.runMeta, [trace.strategy, when, where, restored].filter(Boolean).join(' · '));
      setData(this.runMeta, 'restored', restored ? 'true' : undefined);
      const roles = rolesLine(trace);
      show(this.rolesLine, !!roles.text);
      setText(this.rolesLine, roles.text);
      setData(this.rolesLine, 'callIds', roles.callIds);
      setData(this.rolesLine, 'status', roles.status);
    }
    const pendingLayers = this.layers.update(trace, state.expanded, now);
    const pendingAnswer = this.answer.update(trace, now);
    return pendingLayers || pendingAnswer;
  }
}

/** Where the proposers' roles came from, with the role writer's call when there was one (failed ones too). */
function rolesLine(trace: Trace): { text: string; callIds?: string; status?: string } {
  const calls = trace.calls.filter((c) => c.stage === 'roles');
  const call = calls.at(-1);
  const parts: string[] = [];
  if (call) {
    const failure = call.error && call.status !== 'cancelled' ? `: ${call.error.message}${call.error.attempts > 1 ? ` (after ${call.error.attempts} attempts)` : ''}` : '';
    parts.push(`Role writer ${call.model}: ${call.status === 'running' ? 'writing roles...' : call.status}${failure}`);
  }
  if (trace.roles) parts.push(`Roles: ${trace.roles.source}${trace.roles.note ? ` (${trace.roles.note})` : ''}`);
  return {
    text: parts.join(' · '),
    ...(calls.length ? { callIds: calls.map((c) => c.callId).join(' '), status: call!.status } : {}),
  };
}
