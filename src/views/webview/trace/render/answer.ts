import { formatCost, formatUsd, plural, routeLine, totalsParts } from '../../../../pipeline/format';
import { describeJudgeBias, judgeBias } from '../../../../pipeline/judge/bias';
import { exchangeTotals, type Trace } from '../../../../pipeline/trace';
import { estimateDense } from '../../../dense-estimate';
import { formatCount, formatMs, h, setData, setText, show } from '../../dom';
import { callIdsOf } from './layers';
import { setMarkdown } from '../../markdown';
import { ToolActivityView } from './tools';

export type AnswerAction = 'insert' | 'copy' | 'export';

/** The final answer as it streams, its actions, and what the run cost (with the dense-MoA comparison). */
export class AnswerView {
  readonly el: HTMLElement;
  private readonly heading = h('h3', { text: 'Answer' });
  private readonly state = h('span', { class: 'badge', testid: 'answer-status' });
  private readonly source = h('p', { class: 'note', testid: 'answer-source' });
  private readonly budget = h('p', { class: 'note', testid: 'budget-stop' });
  /** Route runs: what the router chose, why, and each model's expected score. */
  private readonly route = h('p', { class: 'note', testid: 'route-decision' });
  private readonly error = h('p', { class: 'run-error', testid: 'run-error' });
  private readonly body = h('div', { class: 'md answer-body', testid: 'final-answer' });
  private readonly summary = h('p', { class: 'summary', testid: 'run-summary' });
  private readonly dense = h('p', { class: 'summary estimate', testid: 'dense-estimate' });
  private readonly bias = h('p', { class: 'summary judge-bias', testid: 'judge-bias' });
  private readonly exchange = h('p', { class: 'summary', testid: 'exchange-summary' });
  private readonly tools = new ToolActivityView();
  readonly buttons: Record<AnswerAction, HTMLButtonElement> = {
    insert: button('Insert into editor', 'insert-button', 'insert'),
    copy: button('Copy', 'copy-button', 'copy'),
    export: button('Export trace', 'export-button', 'export'),
  };
  private renderedText: string | undefined;
  private lastRenderAt = 0;

  /** `answerActions: false`: a read-only view (the MCP App), without Insert/Copy/Export. */
  constructor(options: { answerActions: boolean }) {
    this.el = h(
      'section',
      { class: 'answer', testid: 'answer' },
      h('header', { class: 'layer-head' }, this.heading, this.state),
      this.route,
      this.source,
      this.budget,
      this.error,
      this.body,
      this.tools.el,
      ...(options.answerActions ? [h('div', { class: 'actions' }, this.buttons.insert, this.buttons.copy, this.buttons.export)] : []),
      this.summary,
      this.exchange,
      this.dense,
      this.bias,
    );
  }

  update(trace: Trace | undefined, now: number): boolean {
    show(this.el, !!trace);
    if (!trace) return false;
    const aggregator = trace.calls.find((c) => c.stage === 'aggregator');
    const status = trace.status === 'running' ? (trace.answer ? 'streaming' : aggregator ? 'waiting' : 'pending') : trace.status;
    setText(this.state, status);
    setData(this.el, 'status', status);
    setData(this.el, 'callIds', callIdsOf(trace, (c) => c.stage === 'aggregator'));
    setText(this.heading, aggregator ? `Answer (${aggregator.model})` : 'Answer');
    show(this.source, !!trace.answerSource);
    setText(this.source, trace.answerSource ? `From ${trace.answerSource}` : '');
    show(this.route, !!trace.route);
    setText(this.route, trace.route ? routeText(trace.route) : '');
    const stops = trace.budgetStops ?? [];
    show(this.budget, stops.length > 0);
    setText(this.budget, stops.map((b) => `Budget: ${b.skipped.join(', ')} not started (${b.reason}); ${b.outcome}.`).join(' '));
    show(this.error, !!trace.error && trace.status !== 'cancelled');
    setText(this.error, trace.error ?? '');
    this.tools.update(trace);
    const done = trace.status !== 'running';
    for (const b of Object.values(this.buttons)) b.disabled = !done;
    this.buttons.insert.disabled = this.buttons.copy.disabled = !trace.answer;

    setText(this.summary, trace.totals ? summaryLine(trace) : '');
    const task = exchangeLine(trace);
    show(this.exchange, !!task);
    setText(this.exchange, task);
    const dense = done ? denseLine(trace) : '';
    show(this.dense, !!dense);
    setText(this.dense, dense);
    const bias = done ? judgeBias(trace.layers) : undefined;
    show(this.bias, !!bias);
    setText(this.bias, bias ? `Judge bias: ${describeJudgeBias(bias).join('; ')}` : '');

    if (trace.answer === this.renderedText) return false;
    if (!done && now - this.lastRenderAt < 100 && this.renderedText !== undefined) return true;
    setMarkdown(this.body, trace.answer);
    this.renderedText = trace.answer;
    this.lastRenderAt = now;
    return false;
  }
}

function routeText(route: NonNullable<Trace['route']>): string {
  const expected = route.expected.map((e) => `${e.modelId} ${e.score.toFixed(2)}±${e.se.toFixed(2)} (value ${e.value.toFixed(2)})`).join(', ');
  return `${routeLine(route)}${expected ? ` Expected: ${expected}.` : ''}`;
}

function button(label: string, testid: string, action: AnswerAction): HTMLButtonElement {
  return h('button', { text: label, testid, attrs: { type: 'button', 'data-action': action } });
}

function summaryLine(trace: Trace): string {
  const t = trace.totals!;
  return [...totalsParts(t), ...(t.firstAnswerTokenMs !== undefined ? [`first answer token at ${formatMs(t.firstAnswerTokenMs)}`] : [])].join(' · ');
}

/** Agent mode: this run is one step of a task whose earlier steps were runs too; the task's cost is their sum. */
function exchangeLine(trace: Trace): string {
  const task = exchangeTotals(trace);
  if (!task || task.runs < 2) return '';
  const tokens = `${formatCount(task.promptTokens + task.completionTokens)} tokens`;
  return `Agent task, step ${task.turn}: all ${task.runs} runs so far · ${plural(task.calls, 'call')} · ${tokens} · ${formatCost(task)}`;
}

function denseLine(trace: Trace): string {
  const d = estimateDense(trace);
  if (!d) return '';
  const cost = d.usd !== undefined ? `, ~${formatUsd(d.usd)}` : '';
  return (
    `Estimate: a dense MoA of the same shape (${d.proposers} proposers × ${d.layers} layers, no judge, no early stop) ` +
    `would make ${d.calls} calls and use ~${formatCount(d.promptTokens + d.completionTokens)} tokens ` +
    `(~${formatCount(d.promptTokens)} in, ~${formatCount(d.completionTokens)} out)${cost}.`
  );
}
