import { STRATEGIES, STRATEGY_TRAITS, type Strategy } from '../../../pipeline/strategies';
import type { RunSummary } from '../../protocol';
import { h, setData, setText, show } from '../dom';
import type { FormState, PanelState } from '../state';

export interface ControlActions {
  run(form: FormState): void;
  stop(): void;
  openTraceFile(): void;
  selectRun(runId: string): void;
  formChanged(patch: Partial<FormState>): void;
}

/** The selector's text: the table's label with what sets the strategy apart. */
function optionText(s: Strategy): string {
  const t = STRATEGY_TRAITS[s];
  const what = t.adaptive ? 'widens on disagreement' : t.proposers === 'self' ? 'one model sampled' : t.peers === 'others' ? 'rounds of revision' : t.finish === 'pick' ? 'judge picks one' : t.judge === 'topK' ? 'sparse: judge + early stop' : t.judge === 'none' && t.proposers === 'panel' ? 'dense' : '';
  return what ? `${t.label} (${what})` : t.label;
}

/** The prompt box with its strategy/layers/topK controls, Run and Stop, and the history of this window's runs. */
export class ControlsView {
  readonly el: HTMLElement;
  private readonly prompt = h('textarea', { testid: 'prompt-input', attrs: { rows: '3', placeholder: 'Ask the panel of models…', 'aria-label': 'Prompt' } });
  private readonly strategy = h('select', { testid: 'strategy-select', attrs: { 'aria-label': 'Strategy' } });
  private readonly layers = numberInput('layers-input', 1, 10);
  private readonly topK = numberInput('topk-input', 1, 64);
  private readonly maxUsd = h('input', { testid: 'max-usd-input', attrs: { type: 'number', min: '0', step: 'any', placeholder: 'setting', 'aria-label': 'Budget in USD for this run' } });
  private readonly maxTokens = h('input', { testid: 'max-tokens-input', attrs: { type: 'number', min: '1', step: '1', placeholder: 'setting', 'aria-label': 'Token budget for this run' } });
  private readonly runButton = h('button', { text: 'Run', class: 'primary', testid: 'run-button', attrs: { type: 'submit' } });
  private readonly stopButton = h('button', { text: 'Stop', testid: 'stop-button', attrs: { type: 'button' } });
  private readonly openButton = h('button', { text: 'Open trace file…', testid: 'open-trace-button', attrs: { type: 'button' } });
  private readonly configError = h('p', { class: 'run-error', testid: 'config-error' });
  private readonly estimate = h('p', { class: 'note', testid: 'estimate' });
  private readonly history = h('ul', { class: 'history', testid: 'run-history' });
  private historyKey = '';

  constructor(private readonly actions: ControlActions) {
    for (const s of STRATEGIES) this.strategy.append(h('option', { text: optionText(s), attrs: { value: s } }));
    const form = h(
      'form',
      { class: 'prompt-box', testid: 'prompt-box' },
      this.prompt,
      h(
        'div',
        { class: 'row' },
        h('label', {}, 'Strategy ', this.strategy),
        h('label', {}, 'Layers ', this.layers),
        h('label', {}, 'Top k ', this.topK),
        h('label', { title: 'Budget for this run: stages that would pass it are not started (empty: smoa.budget)' }, 'Max $ ', this.maxUsd),
        h('label', { title: 'Token budget for this run (empty: smoa.budget)' }, 'Max tokens ', this.maxTokens),
        h('span', { class: 'spacer' }),
        this.runButton,
        this.stopButton,
        this.openButton,
      ),
      this.estimate,
      this.configError,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.actions.run(this.read());
    });
    this.prompt.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.actions.run(this.read());
      }
    });
    form.addEventListener('input', () => this.actions.formChanged(this.read()));
    this.stopButton.addEventListener('click', () => this.actions.stop());
    this.openButton.addEventListener('click', () => this.actions.openTraceFile());
    this.history.addEventListener('click', (e) => {
      const item = (e.target as Element).closest<HTMLElement>('[data-run-id]');
      if (item?.dataset.runId) this.actions.selectRun(item.dataset.runId);
    });
    this.el = h(
      'div',
      { class: 'controls' },
      form,
      h('details', { class: 'history-box', attrs: { open: '' } }, h('summary', { text: 'Runs in this window' }), this.history),
    );
  }

  /** Writes the model's form into the inputs, but never while the user is typing in them. */
  update(state: PanelState): void {
    const active = document.activeElement;
    const f = state.form;
    if (active !== this.prompt && this.prompt.value !== f.prompt) this.prompt.value = f.prompt;
    if (active !== this.strategy) this.strategy.value = f.strategy;
    if (active !== this.layers) this.layers.value = String(f.layers);
    if (active !== this.topK) this.topK.value = String(f.topK);
    if (active !== this.maxUsd) this.maxUsd.value = f.maxUsd === undefined ? '' : String(f.maxUsd);
    if (active !== this.maxTokens) this.maxTokens.value = f.maxTokens === undefined ? '' : String(f.maxTokens);
    const traits = STRATEGY_TRAITS[f.strategy];
    this.topK.disabled = traits.judge !== 'topK';
    this.layers.disabled = traits.layers !== 'config';
    if (state.defaults?.proposers) this.topK.max = String(state.defaults.proposers);

    this.runButton.disabled = state.running;
    this.stopButton.disabled = !state.running;
    setText(this.estimate, state.estimate ?? '');
    show(this.configError, !!state.defaults?.configError);
    setText(this.configError, state.defaults?.configError ? `Settings problem: ${state.defaults.configError}` : '');
    this.renderHistory(state.runs, state.runId);
  }

  read(): FormState {
    return {
      prompt: this.prompt.value,
      strategy: this.strategy.value as Strategy,
      layers: clampInt(this.layers.value, 1, 10, 2),
      topK: clampInt(this.topK.value, 1, 64, 2),
      ...positive('maxUsd', this.maxUsd.value, false),
      ...positive('maxTokens', this.maxTokens.value, true),
    };
  }

  private renderHistory(runs: RunSummary[], selected: string | undefined): void {
    const key = JSON.stringify([runs, selected]);
    if (key === this.historyKey) return;
    this.historyKey = key;
    this.history.replaceChildren(
      ...[...runs].reverse().map((run) => {
        const item = h(
          'li',
          {},
          h(
            'button',
            { class: 'history-item', testid: 'history-item', title: run.prompt, attrs: { type: 'button', 'data-run-id': run.runId } },
            h('span', { class: `badge run-${run.status}`, text: run.status }),
            h('span', { class: 'history-prompt', text: run.prompt.slice(0, 120) || '(no prompt)' }),
            h('span', { class: 'note', text: `${run.strategy} · ${run.offline ? `file ${run.origin}` : run.origin}` }),
          ),
        );
        setData(item, 'selected', run.runId === selected ? 'true' : undefined);
        return item;
      }),
    );
    if (!runs.length) this.history.append(h('li', { class: 'note', text: 'No runs in this window yet.' }));
  }
}

function numberInput(testid: string, min: number, max: number): HTMLInputElement {
  return h('input', { testid, attrs: { type: 'number', min: String(min), max: String(max), step: '1' } });
}

/** An optional budget field: empty or not a positive number means "the setting". */
function positive<K extends 'maxUsd' | 'maxTokens'>(key: K, value: string, integer: boolean): Partial<Record<K, number>> {
  const n = integer ? Number.parseInt(value, 10) : Number.parseFloat(value);
  // An explicit undefined, so clearing the field also clears what the form remembered.
  return { [key]: Number.isFinite(n) && n > 0 ? n : undefined } as Partial<Record<K, number>>;
}

function clampInt(value: string, min: number, max: number, fallback: number): number {
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}
