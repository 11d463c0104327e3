import { h, setText, show } from '../../dom';
import type { PanelState } from '../state';
import type { AnswerAction } from './answer';
import { ControlsView, type ControlActions } from './controls';
import { TraceView } from './trace-view';

export interface PanelActions extends ControlActions {
  answer(action: AnswerAction): void;
  toggleCard(key: string): void;
  dismissError(): void;
}

/** The whole page: controls, the run's header, its layers and the answer. */
export class PanelView {
  private readonly controls: ControlsView;
  private readonly trace: TraceView;
  private readonly errorText = h('span', {});
  private readonly error = h('div', { class: 'banner error', testid: 'panel-error', attrs: { role: 'alert' } });
  private readonly notice = h('div', { class: 'banner notice', testid: 'panel-notice', attrs: { role: 'status' } });
  private readonly empty = h('p', { class: 'empty note', testid: 'empty', text: 'Type a prompt and press Run, pick a run from the list, or open a saved trace file.' });
  private seenStructure = -1;

  constructor(root: HTMLElement, actions: PanelActions) {
    this.controls = new ControlsView(actions);
    const dismiss = h('button', { class: 'link-button', text: 'Dismiss', testid: 'dismiss-error', attrs: { type: 'button' } });
    dismiss.addEventListener('click', () => actions.dismissError());
    this.error.append(this.errorText, dismiss);
    this.trace = new TraceView((key) => actions.toggleCard(key), { answerActions: true });
    for (const [action, b] of Object.entries(this.trace.answer.buttons)) b.addEventListener('click', () => actions.answer(action as AnswerAction));
    root.append(this.controls.el, this.error, this.notice, this.empty, ...this.trace.elements);
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
    const where = state.offline ? `opened from ${state.origin || 'a file'}` : state.origin ? `started from ${state.origin}` : '';
    const restored = state.restored && !state.runs.some((r) => r.runId === state.runId) ? 'restored from before the panel reloaded; no longer among this window\'s runs' : '';
    return this.trace.render(trace, { where: where ? [where] : [], ...(restored ? { restored } : {}) }, state.expanded, now);
  }
}
