import type { Strategy } from '../../../pipeline/strategy/traits';
import type { SmoaEvent } from '../../../pipeline/events';
import { applyEvent, emptyTrace, type Trace } from '../../../pipeline/trace';
import type { HostMessage, PanelDefaults, RunSummary } from '../../protocol';

/** What survives a reload of the webview (vscode.setState). */
export interface SavedState {
  form: FormState;
  selectedRunId?: string;
  /** The shown trace, kept when small so a panel restored after a restart still has something to show. */
  trace?: Trace;
  offline?: boolean;
  /** Where the shown run came from ("chat", a file name), so a restored panel can still say it. */
  origin?: string;
  expanded: string[];
}

export interface FormState {
  prompt: string;
  strategy: Strategy;
  layers: number;
  topK: number;
  /** This run's budget; unset: the setting. */
  maxUsd?: number;
  maxTokens?: number;
}

const MAX_SAVED_TRACE_CHARS = 2_000_000;

/**
 * The panel's model: the shown trace (folded from events with the engine's own applyEvent), the run list and the
 * form. Renderers read it once per animation frame; `version` and `structure` tell them what changed.
 */
export class PanelState {
  trace: Trace | undefined;
  runId: string | undefined;
  origin = '';
  offline = false;
  /**
   * The shown trace came from the webview's saved state (after a reload) and the extension has not sent it again:
   * the header says so, since the run may no longer exist in this window.
   */
  restored = false;
  runs: RunSummary[] = [];
  defaults: PanelDefaults | undefined;
  form: FormState = { prompt: '', strategy: 'smoa', layers: 2, topK: 2 };
  expanded = new Set<string>();
  error: string | undefined;
  notice: string | undefined;
  /** The host's estimate for the prompt box's current prompt and controls. */
  estimate: string | undefined;
  /** Bumped on every change; renderers skip work when it has not moved. */
  version = 0;
  /** Bumped when the set of layers, cards or decisions changed (not for mere tokens). */
  structure = 0;
  private formTouched = false;

  restore(saved: SavedState | undefined): void {
    if (!saved) return;
    this.form = { ...this.form, ...saved.form };
    this.formTouched = true;
    this.expanded = new Set(saved.expanded);
    this.runId = saved.selectedRunId;
    if (saved.trace) {
      this.trace = saved.trace;
      this.offline = saved.offline ?? false;
      this.origin = saved.origin ?? '';
      this.restored = true;
    }
    this.changed(true);
  }

  save(): SavedState {
    const state: SavedState = { form: this.form, expanded: [...this.expanded], ...(this.runId ? { selectedRunId: this.runId } : {}) };
    if (this.trace && this.trace.status !== 'running' && JSON.stringify(this.trace).length < MAX_SAVED_TRACE_CHARS) {
      state.trace = this.trace;
      state.offline = this.offline;
      state.origin = this.origin;
    }
    return state;
  }

  receive(message: HostMessage): void {
    switch (message.type) {
      case 'config':
        this.defaults = message.defaults;
        if (!this.formTouched) {
          const { strategy, layers, topK } = message.defaults;
          this.form = { ...this.form, strategy, layers, topK };
        }
        break;
      case 'runList':
        this.runs = message.runs;
        break;
      case 'runStarted':
        this.trace = emptyTrace();
        this.runId = message.runId;
        this.origin = message.origin;
        this.offline = false;
        this.restored = false;
        this.error = undefined;
        this.applyEvents(message.events);
        break;
      case 'events':
        if (message.runId === this.runId && this.trace && !this.offline) this.applyEvents(message.events);
        break;
      case 'traceLoaded':
        this.trace = message.trace;
        this.runId = message.runId;
        this.origin = message.source;
        this.offline = true;
        this.restored = false;
        this.error = undefined;
        break;
      case 'error':
        this.error = message.message;
        break;
      case 'notice':
        this.notice = message.message;
        break;
      case 'estimate':
        this.estimate = message.text;
        break;
    }
    this.changed(message.type !== 'events' || message.events.some(isStructural));
  }

  updateForm(patch: Partial<FormState>): void {
    this.form = { ...this.form, ...patch };
    this.formTouched = true;
    this.changed(true);
  }

  toggleExpanded(key: string): void {
    if (!this.expanded.delete(key)) this.expanded.add(key);
    this.changed(true);
  }

  get running(): boolean {
    return !!this.trace && !this.offline && this.trace.status === 'running';
  }

  private applyEvents(events: readonly SmoaEvent[]): void {
    for (const event of events) applyEvent(this.trace!, event);
  }

  private changed(structural: boolean): void {
    this.version++;
    if (structural) this.structure++;
  }
}

function isStructural(event: SmoaEvent): boolean {
  return event.type !== 'call-token' && event.type !== 'answer-token';
}
