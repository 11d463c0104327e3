import type { SmoaConfig, Strategy } from '../pipeline/config';
import { validateTrace, type Trace } from '../pipeline/trace';
import type { RunHandle, RunService } from '../host/run-service';
import { describeEstimate, estimateRun } from '../pipeline/estimate';
import { coalesce, EventBatcher } from './batcher';
import { parseTrace, parseWebviewMessage, type HostMessage, type PanelDefaults, type RunSummary, type WebviewMessage } from './protocol';

/**
 * The host side of one trace panel, without any vscode import: what the panel asks for and what it is sent.
 * trace-panel.ts supplies the VS Code specifics (dialogs, clipboard, commands) through `PanelPort`, which keeps
 * this logic testable in plain Node against a real RunService.
 */

/** What the panel's controls change for one run. */
interface PanelOverrides {
  strategy?: Strategy;
  layers?: number;
  topK?: number;
  /** Merged into the setting `smoa.budget` (the panel's Max $ / Max tokens). */
  budget?: { maxUsd?: number; maxTokens?: number };
}

/** The panel's controls as overrides of the settings (empty budget fields leave the setting alone). */
function overridesOf(form: { strategy: Strategy; layers: number; topK: number; maxUsd?: number; maxTokens?: number }): PanelOverrides {
  const budget = { ...(form.maxUsd !== undefined ? { maxUsd: form.maxUsd } : {}), ...(form.maxTokens !== undefined ? { maxTokens: form.maxTokens } : {}) };
  return { strategy: form.strategy, layers: form.layers, topK: form.topK, ...(Object.keys(budget).length ? { budget } : {}) };
}

export interface TracePanelServices {
  runs: RunService;
  /**
   * The config a run from the panel would use, with the panel's own choices applied before validation (so a bad
   * setting they replace does not refuse the run), or why there is none. Without overrides: the controls' defaults.
   */
  currentConfig?(overrides?: PanelOverrides): Promise<{ ok: true; config: SmoaConfig } | { ok: false; problem: { message: string } }>;
  log?: { warn(message: string): void };
}

export interface PanelPort {
  post(message: HostMessage): void;
  /** Runs the extension's insert command (`smoa.insertLastAnswer`). */
  insert(target: { runId: string } | { text: string; label: string }): Promise<void>;
  copy(text: string): Promise<void>;
  /** Asks where to save; resolves to a name for the notice, or undefined when the user cancelled. */
  saveTrace(json: string, suggestedName: string): Promise<string | undefined>;
  /** Asks for a trace file; resolves to its name and text, or undefined when the user cancelled. */
  openTraceFile(): Promise<{ name: string; text: string } | undefined>;
}

export class PanelSession {
  private ready = false;
  private shown: { runId: string; unsubscribe: () => void; batcher: EventBatcher } | undefined;
  /**
   * The run something asked to show (chat's "Open trace", a newly started run) since the user last picked one. It
   * wins over the webview's restored selection: a hidden panel's webview is torn down and reloads when revealed.
   */
  private requestedRunId: string | undefined;
  /** Trace files opened in this panel, by their own entry id (never the run id inside: that run may be here too). */
  private readonly loaded = new Map<string, { trace: Trace; name: string }>();
  private loadedCount = 0;
  /** When each entry of the history first appeared (runs and opened files share one sequence). */
  private readonly order = new Map<string, number>();
  private lastDefaults: PanelDefaults | undefined;
  /** A problem found while the webview was still loading, shown once it is ready. */
  private pendingError: string | undefined;
  private readonly watched = new WeakSet<RunHandle>();
  private readonly disposers: (() => void)[] = [];

  constructor(
    private readonly services: TracePanelServices,
    private readonly port: PanelPort,
  ) {
    this.disposers.push(
      services.runs.onDidStartRun((run) => {
        this.watch(run);
        this.postRunList();
        // Follow the new run; the user can pick another one afterwards, and then that one stays.
        this.requestedRunId = run.runId;
        if (this.ready) this.attach(run.runId);
      }),
    );
  }

  /** Show a run (e.g. chat's "Open trace"); waits for the webview when it is still loading. */
  showRun(runId: string): void {
    this.requestedRunId = runId;
    if (this.ready) this.attach(runId);
  }

  /** Re-sends the controls' defaults (after the settings changed). */
  async refreshConfig(): Promise<void> {
    if (this.ready) this.postDefaults(await this.defaults());
  }

  async receive(raw: unknown): Promise<void> {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.services.log?.warn(`trace panel: ignored an invalid message: ${parsed.error}`);
      return;
    }
    try {
      await this.handle(parsed.message);
    } catch (err) {
      this.port.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  dispose(): void {
    this.detach();
    if (this.services.runs.shown && this.has(this.services.runs.shown.runId)) this.services.runs.shown = undefined;
    for (const dispose of this.disposers.splice(0)) dispose();
  }

  private async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready': {
        this.ready = true;
        this.detach();
        const defaults = await this.defaults();
        this.postDefaults(defaults);
        this.postRunList();
        const wanted = [this.requestedRunId, message.restoredRunId].find((id) => id !== undefined && this.has(id));
        if (wanted) this.attach(wanted);
        if (this.pendingError) this.port.post({ type: 'error', message: this.pendingError });
        this.pendingError = undefined;
        return;
      }
      case 'run':
        return this.startRun(message);
      case 'stop':
        this.services.runs.get(message.runId)?.cancel();
        return;
      case 'selectRun':
        this.requestedRunId = undefined;
        this.attach(message.runId);
        return;
      case 'insert': {
        if (this.services.runs.get(message.runId)) return this.port.insert({ runId: message.runId });
        return this.port.insert({ text: this.traceOf(message.runId).answer, label: this.loaded.get(message.runId)?.name ?? message.runId });
      }
      case 'copy':
        await this.port.copy(this.traceOf(message.runId).answer);
        this.port.post({ type: 'notice', message: 'Answer copied to the clipboard.' });
        return;
      case 'export': {
        const trace = this.traceOf(message.runId);
        const saved = await this.port.saveTrace(`${JSON.stringify(trace, null, 2)}\n`, `smoa-trace-${trace.runId || 'run'}.json`);
        if (saved) this.port.post({ type: 'notice', message: `Trace saved to ${saved}.` });
        return;
      }
      case 'openTraceFile':
        return this.openFile();
      case 'estimate':
        return this.postEstimate(message);
    }
  }

  private async startRun(message: Extract<WebviewMessage, { type: 'run' }>): Promise<void> {
    const overrides = overridesOf(message);
    let config: SmoaConfig | undefined;
    if (this.services.currentConfig) {
      // Validate what this run will use: the settings with the panel's own strategy, layers and top k.
      const resolved = await this.services.currentConfig(overrides);
      if (!resolved.ok) {
        // One place for a settings problem: next to the Run button, now saying what refused this run.
        const defaults = this.lastDefaults ?? (await this.defaults());
        this.postDefaults({ ...defaults, configError: resolved.problem.message });
        return;
      }
      config = resolved.config;
    }
    const run = await this.services.runs.start(
      config ? { prompt: message.prompt, strategy: message.strategy } : { prompt: message.prompt, strategy: message.strategy, overrides },
      { origin: 'panel', ...(config ? { config } : {}) },
    );
    this.attach(run.runId);
  }

  private postDefaults(defaults: PanelDefaults): void {
    this.lastDefaults = defaults;
    this.port.post({ type: 'config', defaults });
  }

  private has(runId: string): boolean {
    return !!this.services.runs.get(runId) || this.loaded.has(runId);
  }

  /** Asks for a trace file and shows it as its own entry (once the webview is ready, if it is still loading). */
  openTraceFile(): Promise<void> {
    return this.openFile();
  }

  /** One line under the controls: what Run would use at most with this prompt and these controls. */
  private async postEstimate(form: Extract<WebviewMessage, { type: 'estimate' }>): Promise<void> {
    // The config this Run would use: the settings with the panel's strategy, layers and top k (as startRun resolves it).
    const resolved = await this.services.currentConfig?.(overridesOf(form)).catch(() => undefined);
    if (!resolved?.ok) return;
    const estimate = estimateRun(resolved.config, { prompt: form.prompt });
    this.port.post({ type: 'estimate', text: `Estimate: ${describeEstimate(estimate)}` });
  }

  private async openFile(): Promise<void> {
    const file = await this.port.openTraceFile();
    if (!file) return;
    const fail = (why: string) => {
      const message = `Cannot open ${file.name} as a SMoA trace: ${why}.`;
      if (this.ready) this.port.post({ type: 'error', message });
      else this.pendingError = message;
    };
    let data: unknown;
    try {
      data = JSON.parse(file.text);
    } catch (err) {
      return fail(`it is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    const quick = validateTrace(data);
    if (!quick.ok) return fail(quick.message);
    const full = parseTrace(data);
    if (!full.ok) return fail(full.message);
    this.showTrace(full.trace, file.name);
  }

  /** Shows a finished trace that is not a run of this window: a file, or one run of an evaluation. */
  showTrace(trace: Trace, name: string): void {
    const entryId = `file-${++this.loadedCount}`;
    this.loaded.set(entryId, { trace, name });
    this.sequence(entryId);
    this.requestedRunId = entryId;
    this.services.runs.shown = { runId: entryId, trace, label: name };
    if (!this.ready) return;
    this.detach();
    this.port.post({ type: 'traceLoaded', runId: entryId, trace, source: name });
    this.postRunList();
  }

  private attach(runId: string): void {
    const run = this.services.runs.get(runId);
    if (!run) {
      const file = this.loaded.get(runId);
      if (file) {
        this.detach();
        this.port.post({ type: 'traceLoaded', runId, trace: file.trace, source: file.name });
        this.services.runs.shown = { runId, trace: file.trace, label: file.name };
      } else this.port.post({ type: 'error', message: `Run ${runId} is no longer available in this window.` });
      return;
    }
    // Already showing this live run (the panel's own run is announced by the start and by the request).
    if (this.shown?.runId === runId && !run.done) return;
    this.detach();
    this.watch(run);
    const batcher = new EventBatcher((events) => this.port.post({ type: 'events', runId, events }));
    // Replay and subscription happen in the same tick, so no event falls between them.
    this.port.post({ type: 'runStarted', runId, origin: run.origin, events: coalesce(run.events) });
    const unsubscribe = run.done ? () => undefined : run.subscribe((event) => batcher.push(event));
    this.shown = { runId, unsubscribe, batcher };
    this.services.runs.shown = { runId, trace: run.trace };
  }

  private detach(): void {
    if (!this.shown) return;
    this.shown.unsubscribe();
    this.shown.batcher.flush();
    this.shown.batcher.dispose();
    this.shown = undefined;
  }

  /** Keeps the history's statuses current: the list is re-sent when a run ends. */
  private watch(run: RunHandle): void {
    if (this.watched.has(run)) return;
    this.watched.add(run);
    void run.result.finally(() => this.postRunList());
  }

  private postRunList(): void {
    if (!this.ready) return;
    // Oldest first, runs and opened files interleaved by when they started or were opened.
    const entries: { at: number; run: RunSummary }[] = this.services.runs.list().map((run) => {
      this.watch(run);
      return { at: this.sequence(run.runId), run: summary(run.trace, run.runId, run.origin) };
    });
    for (const [entryId, file] of this.loaded) entries.push({ at: this.sequence(entryId), run: { ...summary(file.trace, entryId, file.name), offline: true } });
    const runs = entries.sort((a, b) => a.at - b.at).map((e) => e.run);
    this.port.post({ type: 'runList', runs });
  }

  private sequence(entryId: string): number {
    let at = this.order.get(entryId);
    if (at === undefined) this.order.set(entryId, (at = this.order.size));
    return at;
  }

  private traceOf(runId: string): Trace {
    const trace = this.services.runs.get(runId)?.trace ?? this.loaded.get(runId)?.trace;
    if (!trace) throw new Error(`Run ${runId} is no longer available in this window.`);
    return trace;
  }

  private async defaults(): Promise<PanelDefaults> {
    const fallback: PanelDefaults = { strategy: 'smoa', layers: 2, topK: 2, proposers: 0 };
    if (!this.services.currentConfig) return fallback;
    const resolved = await this.services.currentConfig().catch((err: unknown) => ({
      ok: false as const,
      problem: { message: err instanceof Error ? err.message : String(err) },
    }));
    if (!resolved.ok) return { ...fallback, configError: resolved.problem.message };
    const { strategy, layers, topK, proposers, budget } = resolved.config;
    return { strategy, layers, topK, proposers: proposers.length, ...(budget ? { budget } : {}) };
  }
}

function summary(trace: Trace, runId: string, origin: string): RunSummary {
  return { runId, origin, prompt: trace.prompt, strategy: trace.strategy, startedAt: trace.startedAt, status: trace.status };
}
