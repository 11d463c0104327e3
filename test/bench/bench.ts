/**
 * `npm run bench`: engine overhead figures against the fake server with set latencies. Prints tables; asserts
 * nothing (targets are printed next to the figures). Not part of `npm test`.
 */
import { startFakeServer, type FakeServer } from '../server/fake-openai';
import { createClientFactory, EndpointPool } from '../../src/pipeline/client-factory';
import { loadConfig, STRATEGIES, type SmoaConfig, type SmoaConfigInput, type Strategy } from '../../src/pipeline/config';
import { estimateRun } from '../../src/pipeline/estimate';
import { runPipeline } from '../../src/pipeline/engine';
import { MemoryRoleCache } from '../../src/pipeline/roles/prompt';
import { foldEvents, type Trace } from '../../src/pipeline/trace';
import type { SmoaEvent } from '../../src/pipeline/events';
import { table } from '../../src/cli/format';
import { RunService } from '../../src/host/run-service';
import { benchEval } from './eval-bench';
import { benchJudge } from './judge-bench';

const PROPOSERS = 6;
const LAYERS = 3;
const MODELS = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'];
// Different speeds per model, as in a real mixed panel: the slowest proposer sets each layer's pace.
const TTFT_MS: Record<string, number> = { m1: 80, m2: 120, m3: 160, m4: 100, m5: 140, m6: 200 };
const TOKENS_PER_SECOND = 400;
const PROMPTS = [
  'How do I reverse a linked list in place?',
  'Explain the CAP theorem with an example.',
  'What are the trade-offs of optimistic locking?',
  'Write a function that debounces another function in TypeScript.',
  'Why is floating point addition not associative?',
];

function config(server: FakeServer, strategy: Strategy, earlyStop: boolean, overrides: Partial<SmoaConfigInput> = {}): SmoaConfig {
  return loadConfig({
    endpoints: [{ id: 'local', baseURL: server.url, maxConcurrency: 32, timeoutMs: 30_000 }],
    models: MODELS.map((m) => ({ id: m, endpoint: 'local', model: m })),
    strategy,
    proposers: MODELS.slice(0, PROPOSERS),
    aggregator: 'm1',
    judge: 'm2',
    layers: LAYERS,
    topK: 2,
    earlyStop,
    roles: 'auto',
    taskDescription: 'Answer programming questions',
    ...overrides,
  });
}

interface Measured {
  trace: Trace;
  /** ms from the aggregator's first token leaving the server to the engine's first answer-token event. */
  firstTokenDelayMs?: number;
}

async function measure(server: FakeServer, cfg: SmoaConfig, prompt: string, pool: EndpointPool, cache: MemoryRoleCache): Promise<Measured> {
  const events: SmoaEvent[] = [];
  let firstAnswerAt: number | undefined;
  server.reset();
  await runPipeline(cfg, { prompt }, {
    clientFor: createClientFactory(cfg, pool),
    roleCache: cache,
    onEvent: (e) => {
      if (e.type === 'answer-token' && firstAnswerAt === undefined) firstAnswerAt = performance.now();
      events.push(e);
    },
  });
  const trace = foldEvents(events);
  const aggregatorRequest = server.requests.at(-1);
  const firstTokenDelayMs =
    firstAnswerAt !== undefined && aggregatorRequest?.firstTokenWrittenAt !== undefined
      ? firstAnswerAt - aggregatorRequest.firstTokenWrittenAt
      : undefined;
  return { trace, firstTokenDelayMs };
}

/** Sum over the dependent stages (roles, each layer's proposers, each judge, the aggregator) of the slowest call. */
function criticalPathMs(trace: Trace): number {
  const groups = new Map<string, number>();
  for (const call of trace.calls) {
    const key = call.stage === 'proposer' || call.stage === 'judge' || call.stage === 'moderator' ? `${call.stage}:${call.layer}` : call.stage;
    const duration = (call.endedMs ?? call.startedMs) - call.startedMs;
    // Judge and moderator of one layer run side by side: one group.
    const group = key.startsWith('moderator') ? key.replace('moderator', 'judge') : key;
    groups.set(group, Math.max(groups.get(group) ?? 0, duration));
  }
  return [...groups.values()].reduce((a, b) => a + b, 0);
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function main() {
  const server = await startFakeServer({ tokensPerSecond: TOKENS_PER_SECOND, responder: (req) => ({ ttftMs: TTFT_MS[req.model] ?? 100 }) });
  const pool = new EndpointPool();
  const cache = new MemoryRoleCache();
  try {
    // Warm-up: JIT, sockets, role cache.
    await measure(server, config(server, 'smoa', false), PROMPTS[0], pool, cache);

    // 1 and 2: overhead at 6 proposers x 3 layers (no early stop, so every layer runs).
    const ratios: number[] = [];
    const delays: number[] = [];
    const overheads: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { trace, firstTokenDelayMs } = await measure(server, config(server, 'smoa', false), PROMPTS[i % PROMPTS.length], pool, cache);
      const critical = criticalPathMs(trace);
      ratios.push(trace.totals!.wallMs / critical);
      overheads.push(trace.totals!.wallMs - critical);
      if (firstTokenDelayMs !== undefined) delays.push(firstTokenDelayMs);
    }
    console.log(`\nEngine overhead, SMoA ${PROPOSERS} proposers x ${LAYERS} layers, 10 runs (ttft 80-200 ms, ${TOKENS_PER_SECOND} tok/s)\n`);
    console.log(
      table(
        ['figure', 'median', 'p95', 'max', 'target'],
        [
          ['wall time / critical path', fmt(pct(ratios, 50), 4), fmt(pct(ratios, 95), 4), fmt(Math.max(...ratios), 4), '<= 1.02'],
          ['wall - critical path (ms)', fmt(pct(overheads, 50)), fmt(pct(overheads, 95)), fmt(Math.max(...overheads)), ''],
          ['aggregator token: wire -> engine (ms)', fmt(pct(delays, 50), 2), fmt(pct(delays, 95), 2), fmt(Math.max(...delays), 2), '< 10'],
        ],
      ),
    );

    // 3: SMoA vs MoA on the same prompts and panel.
    const rows: string[][] = [];
    for (const [label, strategy, earlyStop] of [
      ['moa (dense)', 'moa', false],
      ['smoa, no early stop', 'smoa', false],
      ['smoa (early stop on)', 'smoa', true],
      ['self (Self-MoA, m1 x 6)', 'self', false],
      ['debate (early stop on)', 'debate', true],
      ['adaptive (early stop on)', 'adaptive', true],
      ['single (aggregator alone)', 'single', false],
    ] as const) {
      let calls = 0, prompt = 0, completion = 0, wall = 0, first = 0, layers = 0;
      for (const p of PROMPTS) {
        const { trace } = await measure(server, config(server, strategy, earlyStop), p, pool, cache);
        const t = trace.totals!;
        calls += t.calls;
        prompt += t.promptTokens;
        completion += t.completionTokens;
        wall += t.wallMs;
        first += t.firstAnswerTokenMs ?? 0;
        layers += t.layersRun;
      }
      const n = PROMPTS.length;
      rows.push([label, fmt(calls / n), fmt(layers / n), Math.round(prompt / n).toString(), Math.round(completion / n).toString(), Math.round((prompt + completion) / n).toString(), `${Math.round(wall / n)} ms`, `${Math.round(first / n)} ms`]);
    }
    console.log(`\nStrategies, ${PROMPTS.length} prompts, ${PROPOSERS} proposers, up to ${LAYERS} layers, mean per prompt\n`);
    console.log(table(['strategy', 'calls', 'layers', 'prompt tok', 'completion tok', 'total tok', 'wall', 'first answer token'], rows));

    // 3b: the estimate (an upper bound) against what each strategy used, with every model capped at 400 tokens.
    const bounds: string[][] = [];
    for (const strategy of STRATEGIES) {
      const capped = { ...config(server, strategy, true), models: MODELS.map((m) => ({ id: m, endpoint: 'local', model: m, maxTokens: 400 })) };
      let est = 0, used = 0, estMs = 0;
      for (const p of PROMPTS) {
        const t0 = performance.now();
        const e = estimateRun(capped, { prompt: p });
        estMs += performance.now() - t0;
        est += e.promptTokens + (e.completionTokens ?? 0);
        const t = (await measure(server, capped, p, pool, cache)).trace.totals!;
        used += t.promptTokens + t.completionTokens;
      }
      bounds.push([strategy, Math.round(est / PROMPTS.length).toString(), Math.round(used / PROMPTS.length).toString(), `${(est / used).toFixed(1)}x`, `${(estMs / PROMPTS.length).toFixed(2)} ms`]);
    }
    console.log(`\nEstimate vs use (maxTokens 400, early stop on), mean per prompt\n`);
    console.log(table(['strategy', 'bound tok', 'used tok', 'bound/used', 'estimate time'], bounds));
    console.log('target: bound >= used for every strategy (tests assert it); estimate well under 5 ms');

    // 4: adaptive stops narrow when the first two agree; the fake server's moderator agrees on about one run in three.
    let narrow = 0;
    let adaptiveCalls = 0;
    const ADAPTIVE_RUNS = 30;
    for (let i = 0; i < ADAPTIVE_RUNS; i++) {
      const { trace } = await measure(server, config(server, 'adaptive', true), `${PROMPTS[i % PROMPTS.length]} (variant ${i})`, pool, cache);
      if (trace.layers[0]?.adaptive?.agree) narrow++;
      adaptiveCalls += trace.totals!.calls;
    }
    console.log(
      `\nadaptive over ${ADAPTIVE_RUNS} prompts: stopped narrow in ${narrow} (${Math.round((100 * narrow) / ADAPTIVE_RUNS)}%; the fake moderator agrees on ~1 in 3), ${fmt(adaptiveCalls / ADAPTIVE_RUNS)} calls per run`,
    );


    // 5: what judging adds to each layer: one order, both orders (two calls at once), a 3-judge jury (three at once).
    const judgeRows: string[][] = [];
    for (const [label, overrides] of [
      ['judgeOrders 1 (m2)', {}],
      ['judgeOrders 2 (m2 twice)', { judgeOrders: 2 }],
      ['jury m2, m3, m4', { judge: ['m2', 'm3', 'm4'] }],
    ] as const) {
      const spans: number[] = [];
      const sums: number[] = [];
      let judgeTokens = 0;
      let fallbacks = 0;
      let judged = 0;
      for (const p of PROMPTS) {
        const { trace } = await measure(server, config(server, 'smoa', false, overrides as Partial<SmoaConfigInput>), p, pool, cache);
        for (const layer of trace.layers) {
          const calls = trace.calls.filter((c) => c.stage === 'judge' && c.layer === layer.layer && c.endedMs !== undefined);
          if (!calls.length) continue;
          judged++;
          spans.push(Math.max(...calls.map((c) => c.endedMs!)) - Math.min(...calls.map((c) => c.startedMs)));
          sums.push(calls.reduce((a, c) => a + (c.endedMs! - c.startedMs), 0));
          judgeTokens += calls.reduce((a, c) => a + (c.usage ? c.usage.promptTokens + c.usage.completionTokens : 0), 0);
          if (layer.judge?.fallback) fallbacks++;
        }
      }
      judgeRows.push([
        label,
        `${fmt(pct(spans, 50), 0)} ms`,
        `${fmt(pct(spans, 95), 0)} ms`,
        `${fmt(pct(sums, 50), 0)} ms`,
        Math.round(judgeTokens / judged).toString(),
        `${fallbacks} of ${judged}`,
      ]);
    }
    console.log(`\nJudge wall time added per layer, ${PROMPTS.length} prompts x ${LAYERS} layers (judge ttft: m2 ${TTFT_MS.m2} ms, m3 ${TTFT_MS.m3} ms, m4 ${TTFT_MS.m4} ms)\n`);
    console.log(table(['judge', 'added per layer, median', 'p95', 'sum of its calls, median', 'judge tokens per layer', 'fallbacks'], judgeRows));
    console.log('target: both orders and a jury add about the slowest call, not the sum; fallbacks 0');

    await benchJudge();
    await memoryOfManyRuns();
    await benchEval();
    const mem = process.memoryUsage();
    console.log(`\nmemory after the benchmark: rss ${Math.round(mem.rss / 1e6)} MB, heap used ${Math.round(mem.heapUsed / 1e6)} MB`);
  } finally {
    await server.close();
  }
}

/** RSS after 100 in-process 6x3 SMoA runs through RunService (it keeps up to 50 runs, replayable). Target: flat. */
async function memoryOfManyRuns(): Promise<void> {
  const server = await startFakeServer({ ttftMs: 0, tokensPerSecond: 0 });
  try {
    const runs = new RunService({ getConfig: () => config(server, 'smoa', false), clientFor: (c) => createClientFactory(c, new EndpointPool()), roleCache: new MemoryRoleCache() });
    const gc = (globalThis as { gc?: () => void }).gc;
    const rss = () => {
      gc?.();
      return process.memoryUsage().rss / 1e6;
    };
    const samples: [number, number][] = [];
    for (let i = 1; i <= 100; i++) {
      const handle = await runs.start({ prompt: `${PROMPTS[i % PROMPTS.length]} #${i}` }, { origin: 'test' });
      await handle.result;
      if (i === 1 || i % 25 === 0) samples.push([i, rss()]);
    }
    const base = samples[0][1];
    console.log(`\nRunService memory, 100 runs of SMoA ${PROPOSERS}x${LAYERS} (keeps 50)${gc ? '' : ' (run with --expose-gc for steadier figures)'}\n`);
    console.log(table(['after run', 'rss MB', 'above run 1'], samples.map(([i, mb]) => [String(i), fmt(mb), `${fmt(mb - base)} MB`])));
    console.log(`target: flat, well under 100 MB above run 1`);
  } finally {
    await server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
