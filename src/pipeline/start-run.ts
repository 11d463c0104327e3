import type { BudgetPool } from './budget-pool';
import type { ChatClient } from './client';
import type { ModelConfig, SmoaConfig } from './config';
import { runPipeline, type RunInput, type RunResult } from './engine';
import type { SmoaEvent } from './events';
import { summarizeTotals } from './format';
import { randomId } from './random';
import type { RoleCache } from './roles/prompt';
import type { RouterFile } from './route/router-file';
import { applyEvent, emptyTrace, type Trace } from './trace';

/**
 * "Start a run with a live trace", written once for every surface: the extension's RunService, `smoa run`, `compare`,
 * `mcp` and the evaluation harness. It starts the engine and folds each event into the run's trace before anyone else
 * hears it, so a listener always sees a trace that already includes the event.
 */

export interface StartRunOptions {
  clientFor: (model: ModelConfig) => ChatClient;
  signal?: AbortSignal;
  roleCache?: RoleCache;
  /** The `route` strategy's router, loaded by the host or the CLI. */
  router?: RouterFile;
  /** A budget shared with other runs (an evaluation's --max-usd hold): the run's calls reserve from it. */
  budgetPool?: BudgetPool;
  /** Every event of the run, after the trace folded it. */
  onEvent?: (event: SmoaEvent) => void;
}

interface FinishedRun {
  result: RunResult;
  /** The fold of every event: what the panel shows and `--trace` saves. */
  trace: Trace;
  /** One line: layers, calls, tokens, cost, wall time. */
  summary: string;
}

export interface LiveRun {
  readonly runId: string;
  /** Folds the run's events as they come; complete once `finished` settles. */
  readonly trace: Trace;
  /** Settles when the run ends (model failures and cancellation are in the result; only a bug rejects). */
  readonly finished: Promise<FinishedRun>;
}

export function startRun(config: SmoaConfig, input: RunInput, options: StartRunOptions): LiveRun {
  const runId = input.runId ?? randomId();
  // What the run is about is known now: whoever the run is announced to before its run-started event (the panel's run
  // list) shows its prompt, not an empty entry. The run-started event sets the same values.
  const trace: Trace = { ...emptyTrace(), runId, prompt: input.prompt, strategy: input.strategy ?? config.strategy };
  // The engine starts a microtask later: the caller can announce the run (and subscribe) first and hear its first event.
  const finished = Promise.resolve().then(() => runPipeline(config, { ...input, runId }, {
    clientFor: options.clientFor,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.roleCache ? { roleCache: options.roleCache } : {}),
    ...(options.budgetPool ? { budgetPool: options.budgetPool } : {}),
    ...(options.router ? { router: options.router } : {}),
    onEvent: (event) => {
      applyEvent(trace, event);
      options.onEvent?.(event);
    },
  })).then((result) => ({ result, trace, summary: summarizeTotals(result.totals) }));
  return { runId, trace, finished };
}
