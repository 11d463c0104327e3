import type { Trace } from '../../../../pipeline/trace';
import { h, setData, setText, show } from '../../dom';
import { AnswerView } from './answer';
import { LayersView } from './layers';

/** What the surface says about where the shown run came from, under its prompt. */
export interface TraceHeader {
  /** Parts of the meta line after the strategy and the start time ("started from chat"). */
  where: string[];
  /** The run was restored from saved state and is no longer among the window's runs. */
  restored?: string;
}

/**
 * One run drawn read-only: the prompt and where it came from, the roles line, every layer with its cards, judge and
 * moderator, and the answer with what it cost. The trace panel puts its controls around it; the MCP App shows it alone.
 */
export class TraceView {
  readonly layers = new LayersView();
  readonly answer: AnswerView;
  private readonly runPrompt = h('p', { class: 'run-prompt', testid: 'run-prompt' });
  private readonly runMeta = h('p', { class: 'note', testid: 'run-meta' });
  private readonly rolesLine = h('p', { class: 'note roles-line', testid: 'roles-line' });
  private readonly runHeader = h('section', { class: 'run-header', testid: 'run-header' }, this.runPrompt, this.runMeta, this.rolesLine);

  /** `onToggle` gets the key of a card whose "expand" was clicked; `answerActions: false` leaves out Insert/Copy/Export. */
  constructor(onToggle: (key: string) => void, options: { answerActions: boolean }) {
    this.answer = new AnswerView(options);
    this.layers.el.addEventListener('click', (e) => {
      const target = e.target as Element;
      if (!target.closest('[data-action="expand"]')) return;
      const key = target.closest<HTMLElement>('[data-key]')?.dataset.key;
      if (key) onToggle(key);
    });
  }

  get elements(): HTMLElement[] {
    return [this.runHeader, this.layers.el, this.answer.el];
  }

  /** Brings the DOM up to date; returns true when some streaming text awaits a later frame. */
  render(trace: Trace | undefined, header: TraceHeader, expanded: Set<string>, now: number): boolean {
    show(this.runHeader, !!trace);
    if (trace) {
      setText(this.runPrompt, trace.prompt);
      const when = trace.startedAt ? new Date(trace.startedAt).toLocaleString() : '';
      setText(this.runMeta, [trace.strategy, when, ...header.where, header.restored ?? ''].filter(Boolean).join(' · '));
      setData(this.runMeta, 'restored', header.restored ? 'true' : undefined);
      const roles = rolesLine(trace);
      show(this.rolesLine, !!roles.text);
      setText(this.rolesLine, roles.text);
      setData(this.rolesLine, 'callIds', roles.callIds);
      setData(this.rolesLine, 'status', roles.status);
    }
    const pendingLayers = this.layers.update(trace, expanded, now);
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
