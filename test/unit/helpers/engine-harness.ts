import { startFakeServer, type FakeRequest, type FakeServer, type FakeServerOptions } from '../../../test/server/fake-openai';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import type { SmoaConfig } from '../../../src/pipeline/config';
import { runPipeline, type RunInput, type RunResult } from '../../../src/pipeline/engine';
import type { SmoaEvent } from '../../../src/pipeline/events';
import type { RoleCache } from '../../../src/pipeline/roles/prompt';

/** What kind of engine call a request to the fake server is, by the `x-smoa-stage` header the transport sends. */
export type CallKind = 'judge' | 'moderator' | 'roles' | 'synthesis' | 'plain';

export function stageOf(req: FakeRequest): string {
  return String(req.headers['x-smoa-stage'] ?? '');
}

/** `synthesis`: a call that is shown earlier answers (aggregator, Self-MoA-Seq step, later-layer proposer). */
export function kindOf(req: FakeRequest): CallKind {
  const stage = stageOf(req);
  if (stage === 'judge' || stage === 'moderator' || stage === 'roles') return stage;
  if (stage === 'aggregator' || stage === 'synthesis') return 'synthesis';
  return systemOf(req).includes('### Candidate 1') ? 'synthesis' : 'plain';
}

export function systemOf(req: FakeRequest): string {
  return req.messages.find((m) => m.role === 'system')?.content ?? '';
}

export function lastUser(req: FakeRequest): string {
  return req.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
}

export interface Recorded {
  result: RunResult;
  events: SmoaEvent[];
}

export async function record(
  config: SmoaConfig,
  input: RunInput,
  options: { signal?: AbortSignal; roleCache?: RoleCache; pool?: EndpointPool; onEvent?: (e: SmoaEvent) => void } = {},
): Promise<Recorded> {
  const events: SmoaEvent[] = [];
  // Fast backoff keeps retry tests quick; the policy itself is tested with its own numbers.
  const pool = options.pool ?? new EndpointPool({ backoff: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 60_000 } });
  const result = await runPipeline(config, input, {
    clientFor: createClientFactory(config, pool),
    signal: options.signal,
    roleCache: options.roleCache,
    onEvent: (e) => {
      events.push(e);
      options.onEvent?.(e);
    },
  });
  return { result, events };
}

/** One fake server for a describe block, reset before each test. Returns a getter: the server exists only once `before` ran. */
export function useFakeServer(opts: FakeServerOptions = {}): () => FakeServer {
  let server: FakeServer | undefined;
  before(async () => {
    server = await startFakeServer(opts);
  });
  beforeEach(() => server!.reset());
  after(() => server?.close());
  return () => server!;
}

export async function withServer<T>(opts: FakeServerOptions, body: (server: FakeServer) => Promise<T>): Promise<T> {
  const server = await startFakeServer(opts);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

export function ofType<T extends SmoaEvent['type']>(events: SmoaEvent[], type: T): Extract<SmoaEvent, { type: T }>[] {
  return events.filter((e): e is Extract<SmoaEvent, { type: T }> => e.type === type);
}

/** The response numbers a judge request asks scores for (the keys of its `scores` schema; every shown one without a schema). */
export function scoredLabels(req: FakeRequest): number[] {
  const rf = req.responseFormat as { json_schema?: { schema?: { properties?: { scores?: { properties?: Record<string, unknown> } } } } } | undefined;
  const keys = rf?.json_schema?.schema?.properties?.scores?.properties;
  if (keys) return Object.keys(keys).map(Number);
  return [...lastUser(req).matchAll(/^### Response (\d+)/gm)].map((m) => Number(m[1]));
}

/**
 * A judge's `scores` that rank the given response numbers first, in that order (10, 9, ...), and score every other
 * response it was asked about 1: the scoring form of "picks".
 */
export function scoresFor(req: FakeRequest, bestFirst: readonly number[]): Record<string, number> {
  return Object.fromEntries(scoredLabels(req).map((n) => [String(n), bestFirst.includes(n) ? 10 - bestFirst.indexOf(n) : 1]));
}
