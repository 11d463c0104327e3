import { redactSecrets } from '../pipeline/secrets';
import type { CallInfo, SmoaEvent } from '../pipeline/events';
import type { RunHandle } from './run-service';

/** The part of vscode.LogOutputChannel the call log writes to. */
export interface CallLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * One line per model call (model, stage, timing, tokens, error) for the "SMoA" output channel. Only events are
 * logged and events never carry keys, so nothing secret can reach the log; prompts and answers stay out too.
 */
export function logRun(run: Pick<RunHandle, 'runId' | 'origin' | 'subscribe'>, log: CallLogger): () => void {
  const calls = new Map<string, CallInfo>();
  const where = (callId: string) => {
    const c = calls.get(callId);
    if (!c) return callId;
    const layer = c.layer !== undefined ? ` layer ${c.layer}` : '';
    const slot = c.slot !== undefined ? ` slot ${c.slot + 1}` : '';
    return `${c.stage}${layer}${slot} ${c.modelId} (${c.model})`;
  };
  const short = run.runId.slice(0, 8);
  return run.subscribe((event: SmoaEvent) => {
    switch (event.type) {
      case 'run-started':
        log.info(`[${short}] run started from ${run.origin}: strategy ${event.strategy}, ${event.config.proposers.length} proposers, aggregator ${event.config.aggregator}`);
        break;
      case 'call-started':
        calls.set(event.callId, event);
        break;
      case 'call-done': {
        const u = event.usage;
        const tokens = `${u.promptTokens} in / ${u.completionTokens} out${u.estimated ? ' (estimated)' : ''}`;
        const ttft = event.ttftMs !== undefined ? `, first token ${event.ttftMs} ms` : '';
        const attempts = event.attempts > 1 ? `, ${event.attempts} attempts` : '';
        log.info(`[${short}] ${where(event.callId)}: ${event.latencyMs} ms${ttft}, ${tokens}${attempts}`);
        break;
      }
      case 'call-retry':
        log.warn(`[${short}] ${where(event.callId)}: retry ${event.attempt} in ${event.delayMs} ms (${event.reason})`);
        break;
      case 'call-failed':
        if (event.error.kind === 'cancelled') log.info(`[${short}] ${where(event.callId)}: cancelled after ${event.latencyMs} ms`);
        else log.error(`[${short}] ${where(event.callId)}: failed after ${event.latencyMs} ms [${event.error.kind}] ${event.error.message}`);
        break;
      case 'run-finished': {
        const t = event.totals;
        const error = event.error ? `: ${event.error}` : '';
        log.info(`[${short}] run ${event.status} in ${t.wallMs} ms, ${t.calls} calls, ${t.promptTokens + t.completionTokens} tokens${error}`);
        break;
      }
      default:
        break;
    }
  });
}

/** The output channel with every written line passed through the process's redactor (error texts quote servers). */
export function redactingLog<T extends object>(channel: T): T {
  const writers = new Set(['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine', 'replace']);
  return new Proxy(channel, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (typeof prop !== 'string' || !writers.has(prop)) return (value as (...a: unknown[]) => unknown).bind(target);
      return (...args: unknown[]) =>
        (value as (...a: unknown[]) => unknown).apply(target, args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a)));
    },
  });
}
