import { STRATEGIES, STRATEGY_TRAITS, type Strategy } from '../../../../pipeline/strategy/traits';
import type { RunSummary } from '../../../protocol';
import { h, setData, setText, show } from '../../dom';
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
  private readonly maxUsd = h('input', { testid: 'max-usd-input', class: 'budget-input', attrs: { type: 'number', min: '0', step: 'any', 'aria-label': 'Budget in USD for this run' } });
  private readonly maxTokens = h('input', { testid: 'max-tokens-input', class: 'budget-input', attrs: { type: 'number', min: '1', step: '1', 'aria-label': 'Token budget for this run' } });
  private readonly runButton = h('button', { text: 'Run', class: 'primary', testid: 'run-button', attrs: { type: 'submit' } });
  private readonly stopButton = h('button', { text: 'Stop', testid: 'stop-button', attrs: { type: 'button' } });
  private readonly openButton = h('button', { text: 'Open trace file…', testid: 'open-trace-button', attrs: { type: 'button' } });
  private readonly configError = h('p', { class: 'run-error', testid: 'config-error' });
  /** What a number field holds that a run cannot take, and what it accepts; Run waits until it is fixed. */
  private readonly formProblem = h('p', { class: 'run-error', testid: 'form-problem', attrs: { role: 'alert' } });
  private problems = new Map<NumberField, string>();
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
        h('label', { title: 'Budget for this run: stages that would pass it are not started (empty: the smoa.budget setting)' }, 'Max $ ', this.maxUsd),
        h('label', { title: 'Token budget for this run (empty: the smoa.budget setting)' }, 'Max tokens ', this.maxTokens),
        h('span', { class: 'spacer' }),
        this.runButton,
        this.stopButton,
        this.openButton,
      ),
      this.estimate,
      this.formProblem,
      this.configError,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.prompt.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.submit();
      }
    });
    // A field holding what a run cannot take stays as typed and out of the form (no estimate for a value the user did
    // not ask for): the panel says what it accepts instead.
    form.addEventListener('input', () => {
      this.problems = this.check();
      const patch: Partial<FormState> = this.read();
      for (const field of this.problems.keys()) delete patch[field];
      this.actions.formChanged(patch);
    });
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
    // A field with a problem keeps what the user typed until it is fixed.
    const keep = (field: NumberField, input: HTMLInputElement) => active === input || this.problems.has(field);
    if (!keep('layers', this.layers)) this.layers.value = String(f.layers);
    if (!keep('topK', this.topK)) this.topK.value = String(f.topK);
    if (!keep('maxUsd', this.maxUsd)) this.maxUsd.value = f.maxUsd === undefined ? '' : String(f.maxUsd);
    if (!keep('maxTokens', this.maxTokens)) this.maxTokens.value = f.maxTokens === undefined ? '' : String(f.maxTokens);
    const traits = STRATEGY_TRAITS[f.strategy];
    this.topK.disabled = traits.judge !== 'topK';
    this.layers.disabled = traits.layers !== 'config';
    if (state.defaults?.proposers) this.topK.max = String(state.defaults.proposers);
    // What an empty budget field means: the smoa.budget setting, or no limit without one.
    const budget = state.defaults?.budget;
    this.maxUsd.placeholder = budget?.maxUsd !== undefined ? `${budget.maxUsd} (setting)` : 'no limit';
    this.maxTokens.placeholder = budget?.maxTokens !== undefined ? `${budget.maxTokens} (setting)` : 'no limit';
    // The proposers may have arrived (top k's limit) or the strategy changed (a disabled field is not checked).
    this.problems = this.check();
    setText(this.formProblem, [...this.problems.values()].join(' '));
    show(this.formProblem, this.problems.size > 0);

    this.runButton.disabled = state.running || this.problems.size > 0;
    this.stopButton.disabled = !state.running;
    // An estimate for other numbers than the fields show would mislead.
    setText(this.estimate, this.problems.size ? '' : (state.estimate ?? ''));
    show(this.configError, !!state.defaults?.configError);
    setText(this.configError, state.defaults?.configError ? `Settings problem: ${state.defaults.configError}` : '');
    this.renderHistory(state.runs, state.runId);
  }

  private submit(): void {
    this.problems = this.check();
    if (this.problems.size) {
      setText(this.formProblem, [...this.problems.values()].join(' '));
      show(this.formProblem, true);
      return;
    }
    this.actions.run(this.read());
  }

  /** The number fields that hold what a run cannot take (disabled ones are not used, so not checked). */
  private check(): Map<NumberField, string> {
    const traits = STRATEGY_TRAITS[this.strategy.value as Strategy] ?? STRATEGY_TRAITS.smoa;
    const problems = new Map<NumberField, string>();
    const fields: [NumberField, HTMLInputElement, boolean][] = [
      ['layers', this.layers, traits.layers === 'config'],
      ['topK', this.topK, traits.judge === 'topK'],
      ['maxUsd', this.maxUsd, true],
      ['maxTokens', this.maxTokens, true],
    ];
    const proposers = Number.parseInt(this.topK.max, 10);
    for (const [field, input, used] of fields) {
      if (!used) continue;
      const problem = numberFieldProblem(field, input.value, input.validity.badInput, Number.isFinite(proposers) && proposers < 64 ? proposers : undefined);
      if (problem) problems.set(field, problem);
    }
    return problems;
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

type NumberField = 'layers' | 'topK' | 'maxUsd' | 'maxTokens';

/**
 * What is wrong with a number field's text, said with what the field accepts; undefined when a run can take it.
 * `badInput`: the browser could not read the text as a number (its value is then empty). `proposers`: top k's limit.
 */
function numberFieldProblem(field: NumberField, value: string, badInput: boolean, proposers?: number): string | undefined {
  const text = value.trim();
  const whole = /^\d+$/.test(text) ? Number(text) : undefined;
  switch (field) {
    case 'layers':
      return whole !== undefined && whole >= 1 && whole <= 10 ? undefined : 'Layers must be a whole number from 1 to 10.';
    case 'topK': {
      const max = proposers ?? 64;
      const why = proposers !== undefined ? ` (there ${proposers === 1 ? 'is 1 proposer' : `are ${proposers} proposers`})` : '';
      return whole !== undefined && whole >= 1 && whole <= max ? undefined : `Top k must be a whole number from 1 to ${max}${why}.`;
    }
    case 'maxUsd': {
      if (!text && !badInput) return undefined;
      const n = Number(text);
      return text && Number.isFinite(n) && n > 0 ? undefined : 'Max $ must be an amount above 0, or empty for the smoa.budget setting.';
    }
    case 'maxTokens':
      if (!text && !badInput) return undefined;
      return whole !== undefined && whole > 0 ? undefined : 'Max tokens must be a whole number above 0, or empty for the smoa.budget setting.';
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
