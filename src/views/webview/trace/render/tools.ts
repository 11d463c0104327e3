import { clip } from '../../../../pipeline/format';
import type { Trace } from '../../../../pipeline/trace';
import { h, setData, show } from '../../dom';

/** A tool result can be a whole file: the card shows its start, the saved trace keeps all of it. */
const RESULT_CHARS = 2_000;
const INPUT_CHARS = 500;

/**
 * Agent turns, in the aggregator's card: the tool results this turn was given, and the tools the aggregator called.
 * Tool output and call arguments come from models and tools, so they are written as text only (never markup).
 */
export class ToolActivityView {
  readonly el = h('div', { class: 'tool-activity', testid: 'tool-activity' });
  private rendered = '';

  update(trace: Trace): void {
    const results = trace.toolResults ?? [];
    const calls = trace.calls.filter((c) => c.stage === 'aggregator').flatMap((c) => c.toolCalls ?? []);
    show(this.el, results.length > 0 || calls.length > 0);
    // Both lists change a few times per run at most: rebuild when their content changed, not every frame.
    const key = JSON.stringify([results, calls]);
    if (key === this.rendered) return;
    this.rendered = key;
    const blocks: HTMLElement[] = [];
    if (results.length) {
      blocks.push(
        h(
          'details',
          { class: 'tool-results', testid: 'tool-results' },
          h('summary', { text: `${results.length} tool result${results.length === 1 ? '' : 's'} given to this turn` }),
          ...results.map((r) =>
            h(
              'div',
              { class: 'tool-item', testid: 'tool-result' },
              h('code', { class: 'tool-name', text: r.name ?? 'tool' }),
              h('span', { class: 'note', text: ` (${r.toolCallId})` }),
              h('pre', { class: 'tool-text', text: clip(r.text, RESULT_CHARS, { ellipsis: true }) }),
            ),
          ),
        ),
      );
    }
    if (calls.length) {
      blocks.push(
        h(
          'div',
          { class: 'tool-calls', testid: 'tool-calls' },
          h('p', { class: 'note', text: `The aggregator called ${calls.length === 1 ? 'a tool' : `${calls.length} tools`}; the agent runs ${calls.length === 1 ? 'it' : 'them'} and sends the result back:` }),
          ...calls.map((c) =>
            h(
              'div',
              { class: 'tool-item', testid: 'tool-call' },
              h('code', { class: 'tool-name', text: c.name }),
              h('pre', { class: 'tool-text', text: clip(JSON.stringify(c.input, null, 1), INPUT_CHARS, { ellipsis: true }) }),
            ),
          ),
        ),
      );
    }
    setData(this.el, 'calls', String(calls.length));
    setData(this.el, 'results', String(results.length));
    this.el.replaceChildren(...blocks);
  }
}
