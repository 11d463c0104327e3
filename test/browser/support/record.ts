import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import { loadConfig, type SmoaConfig, type SmoaConfigInput } from '../../../src/pipeline/config';
import { runPipeline, type RunInput } from '../../../src/pipeline/engine';
import type { SmoaEvent } from '../../../src/pipeline/events';
import { startFakeServer, type FakeServer, type Responder } from '../../server/fake-openai';
import { kindOf, scoresFor } from '../../unit/helpers/engine-harness';

export const ROLES = [
  'A careful senior engineer who checks edge cases first.',
  'A pragmatic reviewer who prefers the simplest thing that works.',
  'A performance specialist who measures before optimising.',
  'A teacher who explains each step for a newcomer.',
  'A security reviewer who looks for misuse and injection.',
  'A functional programmer who favours pure functions.',
];

/** n proposer models on one fake endpoint, priced so cost and the dense estimate have numbers. */
export function panelConfig(server: FakeServer, overrides: Partial<SmoaConfigInput> = {}, timeoutMs = 10_000): SmoaConfig {
  const n = 6;
  const models = Array.from({ length: n }, (_, i) => ({
    id: `m${i + 1}`,
    endpoint: 'local',
    model: `model-${String.fromCharCode(97 + i)}`,
    price: { inputPerMTok: 0.5 + i * 0.25, outputPerMTok: 1.5 + i * 0.5 },
  }));
  return loadConfig({
    endpoints: [{ id: 'local', baseURL: server.url, maxConcurrency: 32, timeoutMs, maxRetries: 0 }],
    models: [...models, { id: 'judge', endpoint: 'local', model: 'judge-model', price: { inputPerMTok: 1, outputPerMTok: 3 } }],
    proposers: models.map((m) => m.id),
    aggregator: 'm1',
    judge: 'judge',
    layers: 3,
    topK: 2,
    roles: ROLES,
    ...overrides,
  });
}

export interface RecordOptions {
  prompt: string;
  responder?: Responder;
  server?: { ttftMs?: number; tokensPerSecond?: number };
  config?: Partial<SmoaConfigInput>;
  /** The endpoint's timeoutMs: how long a hanging proposer takes to time out. */
  timeoutMs?: number;
  /** Faults by model id, injected once each (e.g. a 500, or a hang that the endpoint's timeout turns into a timeout). */
  setup?: (server: FakeServer) => void;
  onEvent?: (event: SmoaEvent) => void;
  signal?: AbortSignal;
  /** More of the run's input (e.g. an agent turn's aggregatorTools). */
  input?: Omit<RunInput, 'prompt'>;
}

/** Runs the real engine against the fake server and returns every event it emitted. */
export async function recordRun(options: RecordOptions): Promise<SmoaEvent[]> {
  const server = await startFakeServer({ ttftMs: 5, tokensPerSecond: 5000, ...options.server, ...(options.responder ? { responder: options.responder } : {}) });
  try {
    options.setup?.(server);
    const config = panelConfig(server, options.config, options.timeoutMs);
    const events: SmoaEvent[] = [];
    await runPipeline(config, { ...options.input, prompt: options.prompt }, {
      clientFor: createClientFactory(config, new EndpointPool()),
      ...(options.signal ? { signal: options.signal } : {}),
      onEvent: (e) => {
        events.push(e);
        options.onEvent?.(e);
      },
    });
    return events;
  } finally {
    await server.close();
  }
}

/**
 * A run that shows everything the panel has to show: a failed and a timed-out proposer, an unusable judge reply
 * (fallback rule) with the moderator continuing in layer 1, real picks and a stop in layer 2, layer 3 skipped.
 */
export async function recordShowcaseRun(): Promise<SmoaEvent[]> {
  let judgeCalls = 0;
  return recordRun({
    prompt: 'Write a TypeScript function that debounces calls, and explain the trade-offs.',
    timeoutMs: 1500,
    responder: (req) => {
      if (kindOf(req) !== 'judge') return undefined;
      judgeCalls++;
      if (judgeCalls === 1) return { text: 'They are all quite good, hard to say!' };
      return {
        text: JSON.stringify({
          reason: 'Response 2 handles cancellation and Response 1 explains the timing clearly.',
          scores: scoresFor(req, [2, 1]),
          agreements: ['Both clear the pending timer before starting a new one.'],
          contradictions: [],
          droppedInsights: ['Response 4 notes that the debounced function should pass through `this`.'],
          stop: true,
          stopReason: 'The kept answers agree on the approach; another round would not change the result.',
        }),
      };
    },
    setup: (server) => {
      server.injectFault({ kind: 'server-error', status: 500 }, { model: 'model-d', times: 1 });
      server.injectFault({ kind: 'hang' }, { model: 'model-f', times: 1 });
    },
  });
}
