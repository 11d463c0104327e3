import { h, setText, show } from '../dom';
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
  private readonly runHeader = h('section', { class: 'run-header', testid: 'run-header' }, this.runPrompt, this.runMeta);
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
      const roles = trace.roles ? ` · roles ${trace.roles.source}${trace.roles.note ? ` (${trace.roles.note})` : ''}` : '';
      const where = state.offline ? `opened from ${state.origin}` : `started from ${state.origin || 'this window'}`;
      setText(this.runMeta, `${trace.strategy} · ${trace.startedAt ? new Date(trace.startedAt).toLocaleString() : ''} · ${where}${roles}`);
    }
    const pendingLayers = this.layers.update(trace, state.expanded, now);
    const pendingAnswer = this.answer.update(trace, now);
    return pendingLayers || pendingAnswer;
  }
}
