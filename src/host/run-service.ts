import type { ChatClient } from '../pipeline/client';
import { withBudget } from '../pipeline/budget';
import type { ModelConfig, SmoaConfig, Strategy } from '../pipeline/config';
import type { RunInput, RunResult } from '../pipeline/engine';
import { Coalescer } from '../pipeline/coalesce';
import type { SmoaEvent } from '../pipeline/events';
import type { RoleCache } from '../pipeline/roles/prompt';
import type { RouterFile } from '../pipeline/route/router-file';
import { startRun } from '../pipeline/start-run';
import type { Trace } from '../pipeline/trace';
import { UserProblemError, type UserProblem } from './user-problem';

/**
 * The extension's one way to start a run, whoever asks (chat, trace panel, commands, model provider, tool).
 * It keeps every run of this window so the panel can attach to a run started elsewhere ("Open trace") and the
 * insert command can find the last answer. No vscode import: it is unit-tested in plain Node.
 */

export type RunOrigin = 'chat' | 'panel' | 'command' | 'provider' | 'tool' | 'test';

export interface RunRequest extends RunInput {
  /** Per-run changes the panel's controls make (strategy is on RunInput). */
  overrides?: { layers?: number; topK?: number; budget?: SmoaConfig['budget'] };
}

export interface RunHandle {
  readonly runId: string;
  readonly origin: RunOrigin;
  /** Live fold of the run's events; complete once `result` settles. */
  readonly trace: Trace;
  /** Every event so far, token events merged per call, so a late viewer can replay the run. */
  readonly events: readonly SmoaEvent[];
  readonly result: Promise<RunResult>;
  readonly done: boolean;
  cancel(): void;
  /** Listen to this run's further events; returns an unsubscribe function. */
  subscribe(listener: (event: SmoaEvent) => void): () => void;
}

export interface RunServiceDeps {
  /** Current configuration; throws a user-facing error (e.g. invalid settings) when none is usable. */
  getConfig(): SmoaConfig | Promise<SmoaConfig>;
  clientFor(config: SmoaConfig): (model: ModelConfig) => ChatClient;
  roleCache?: RoleCache;
  /** How many finished runs to keep in memory. */
  keepRuns?: number;
  /**
   * Asked before every run (the daily budget's confirmation, see ledger.ts): a problem refuses the run before anything
   * is sent; undefined lets it start.
   */
  admit?(origin: RunOrigin): Promise<UserProblem | undefined>;
  /** The `route` strategy's router (read from smoa.route.file by the caller); a problem refuses a route run. */
  routerFor?(config: SmoaConfig): { router?: RouterFile; problem?: UserProblem };
}

type Listener<T> = (value: T) => void;

export interface StartOptions {
  origin: RunOrigin;
  signal?: AbortSignal;
  onEvent?: Listener<SmoaEvent>;
  /**
   * A config the caller resolved itself, used instead of `getConfig()`. Chat needs this: with nothing configured the
   * model picked in the chat's dropdown becomes the aggregator, which differs per request.
   */
  config?: SmoaConfig;
}

/** The config a request runs with: the base config with the request's strategy and the panel's overrides. */
export function configForRequest(base: SmoaConfig, request: Pick<RunRequest, 'strategy' | 'overrides'>): SmoaConfig {
  return withBudget(
    {
      ...base,
      ...(request.strategy ? { strategy: request.strategy as Strategy } : {}),
      ...(request.overrides?.layers ? { layers: request.overrides.layers } : {}),
      ...(request.overrides?.topK ? { topK: Math.min(request.overrides.topK, base.proposers.length) } : {}),
    },
    request.overrides?.budget,
  );
}

export class RunService {
  private readonly runs: RunHandle[] = [];
  private readonly startListeners = new Set<Listener<RunHandle>>();
  /**
   * What the trace panel shows, set by the panel: "Insert Last Answer" inserts that answer rather than the newest.
   * `label` names a trace file when the panel shows one (its run is not in this window).
   */
  shown: { runId: string; trace: Trace; label?: string } | undefined;

  constructor(private readonly deps: RunServiceDeps) {}

  /** The router a `route` run with this config would use (for its estimate); a problem is reported by `start`. */
  router(config: SmoaConfig): RouterFile | undefined {
    return this.deps.routerFor?.(config).router;
  }

  /** Starts a run. Config problems reject here, before anything runs; model failures come back in the result. */
  async start(request: RunRequest, options: StartOptions): Promise<RunHandle> {
    const base = options.config ?? (await this.deps.getConfig());
    const refused = await this.deps.admit?.(options.origin);
    if (refused) throw new UserProblemError(refused);
    const config = configForRequest(base, request);
    const routing = (request.strategy ?? config.strategy) === 'route' ? this.deps.routerFor?.(config) : undefined;
    if (routing?.problem) throw new UserProblemError(routing.problem);
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) controller.abort(options.signal.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });

    // Token events are merged per call as they arrive: a late viewer replays a run in a few hundred events, and 50
    // kept runs do not hold every token twice (the trace has the text already).
    const replay = new Coalescer();
    const listeners = new Set<Listener<SmoaEvent>>();
    if (options.onEvent) listeners.add(options.onEvent);
    let done = false;
    const live = startRun(config, request, {
      clientFor: this.deps.clientFor(config),
      signal: controller.signal,
      ...(this.deps.roleCache ? { roleCache: this.deps.roleCache } : {}),
      ...(routing?.router ? { router: routing.router } : {}),
      onEvent: (event) => {
        replay.push(event);
        for (const listener of listeners) listener(event);
      },
    });
    const result = live.finished
      .then((finished) => finished.result)
      .finally(() => {
        done = true;
        options.signal?.removeEventListener('abort', onAbort);
      });
    const handle: RunHandle = {
      runId: live.runId,
      origin: options.origin,
      trace: live.trace,
      events: replay.events,
      result,
      get done() {
        return done;
      },
      cancel: () => controller.abort(new Error('cancelled')),
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    // Announced before the engine starts (startRun defers it), so listeners (the log, the panel) hear its first event.
    this.remember(handle);
    for (const listener of this.startListeners) listener(handle);
    return handle;
  }

  /** Called for every run started from anywhere; returns an unsubscribe function. */
  onDidStartRun(listener: Listener<RunHandle>): () => void {
    this.startListeners.add(listener);
    return () => this.startListeners.delete(listener);
  }

  get(runId: string): RunHandle | undefined {
    return this.runs.find((r) => r.runId === runId);
  }

  list(): readonly RunHandle[] {
    return this.runs;
  }

  /** The newest run that produced an answer (what "Insert Last Answer" inserts). */
  lastAnswered(): RunHandle | undefined {
    for (let i = this.runs.length - 1; i >= 0; i--) if (this.runs[i].trace.answer) return this.runs[i];
    return undefined;
  }

  cancelAll(): void {
    for (const run of this.runs) if (!run.done) run.cancel();
  }

  private remember(handle: RunHandle): void {
    this.runs.push(handle);
    const keep = this.deps.keepRuns ?? 50;
    while (this.runs.length > keep) {
      const oldest = this.runs.findIndex((r) => r.done);
      if (oldest < 0) break;
      this.runs.splice(oldest, 1);
    }
  }
}
