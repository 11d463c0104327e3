/**
 * What the judge costs in tokens, and whether it ever needs its fallback rule. SMoA's saving over dense MoA comes from
 * the later layers and the aggregator seeing k answers instead of n, minus the judge, which reads all n; the judge's
 * own writing (reason, notes, stop) is the part the settings `judgeReasons` and `judgeNotes` control.
 */
import { startFakeServer, type FakeServer } from '../server/fake-openai';
import { createClientFactory, EndpointPool } from '../../src/pipeline/client-factory';
import { loadConfig, type SmoaConfigInput, type Strategy } from '../../src/pipeline/config';
import { runPipeline } from '../../src/pipeline/engine';
import type { SmoaEvent } from '../../src/pipeline/events';
import { MemoryRoleCache } from '../../src/pipeline/roles/prompt';
import { foldEvents, type Trace } from '../../src/pipeline/trace';
import { table } from '../../src/cli/format';

const MODELS = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'];
const PROMPTS = [
  'How do I reverse a linked list in place?',
  'Explain the CAP theorem with an example.',
  'What are the trade-offs of optimistic locking?',
  'Write a function that debounces another function in TypeScript.',
  'Why is floating point addition not associative?',
];

/** Answer length: the fake server's own short answers (~60 tokens), or every answer written up to a 400-token cap. */
type Size = 'short' | 'long';

function configFor(server: FakeServer, overrides: Partial<SmoaConfigInput>, size: Size = 'short') {
  return loadConfig({
    endpoints: [{ id: 'local', baseURL: server.url, maxConcurrency: 32, timeoutMs: 30_000 }],
    models: MODELS.map((m) => ({ id: m, endpoint: 'local', model: m, ...(size === 'long' ? { maxTokens: 400 } : {}) })),
    proposers: MODELS,
    aggregator: 'm1',
    judge: 'm2',
    layers: 3,
    topK: 2,
    earlyStop: false,
    roles: 'auto',
    taskDescription: 'Answer programming questions',
    ...overrides,
  });
}

async function run(server: FakeServer, overrides: Partial<SmoaConfigInput>, prompt: string, pool: EndpointPool, cache: MemoryRoleCache, size: Size = 'short'): Promise<Trace> {
  const config = configFor(server, overrides, size);
  const events: SmoaEvent[] = [];
  await runPipeline(config, { prompt }, { clientFor: createClientFactory(config, pool), roleCache: cache, onEvent: (e) => events.push(e) });
  return foldEvents(events);
}

const LONG_ANSWER = Array.from({ length: 80 }, (_, i) => `Point ${i + 1}: check the edge cases and measure before optimising.`).join(' ');

const tokens = (t: Trace) => t.totals!.promptTokens + t.totals!.completionTokens;

export async function benchJudge(): Promise<void> {
  const server = await startFakeServer({ ttftMs: 0, tokensPerSecond: 0 });
  const pool = new EndpointPool();
  const cache = new MemoryRoleCache();
  try {
    // Tokens with every layer run (no early stop), 6 proposers x 3 layers, top-2: SMoA against dense MoA, at two answer
    // lengths. The judge reads every answer once per layer while dense MoA's next layer reads them n times, so the
    // longer the answers, the more SMoA saves.
    const variants = [
      ['smoa, judgeNotes full', { judgeNotes: 'full' }],
      ['smoa, judgeNotes brief (default)', {}],
      ['smoa, judgeNotes off', { judgeNotes: 'off' }],
      ['smoa, notes off, judgeReasons false', { judgeNotes: 'off', judgeReasons: false }],
    ] as const;
    const rows: string[][] = [];
    for (const size of ['short', 'long'] as const) {
      // Long: every proposer and the aggregator write until their 400-token cap.
      server.setResponder(size === 'long' ? (req) => (req.responseFormat ? undefined : { text: LONG_ANSWER }) : undefined);
      let moa = 0;
      for (const p of PROMPTS) moa += tokens(await run(server, { strategy: 'moa' }, p, pool, cache, size));
      const label = size === 'short' ? 'fake answers (~60 tok)' : 'answers at 400 tok';
      rows.push([label, 'moa (dense)', String(Math.round(moa / PROMPTS.length)), '', '1.00']);
      for (const [name, overrides] of variants) {
        let total = 0;
        let judge = 0;
        for (const p of PROMPTS) {
          const trace = await run(server, { strategy: 'smoa', ...(overrides as Partial<SmoaConfigInput>) }, p, pool, cache, size);
          total += tokens(trace);
          for (const c of trace.calls) if (c.stage === 'judge' && c.usage) judge += c.usage.completionTokens;
        }
        rows.push([label, name, String(Math.round(total / PROMPTS.length)), String(Math.round(judge / PROMPTS.length / 3)), (total / moa).toFixed(3)]);
      }
    }
    server.setResponder(undefined);
    console.log(`\nTokens with every layer run, 6 proposers x 3 layers, top-2, ${PROMPTS.length} prompts, mean per prompt\n`);
    console.log(table(['answers', 'strategy', 'total tok', 'judge completion tok per layer', 'vs moa'], rows));
    console.log('target: smoa with brief notes <= 0.68 of moa at 400-token answers (the judge reads every answer: about 0.63 is the floor there)');

    // Against a constrained decoder that picks any schema-valid value (repeats, any enum member, any string length).
    const strategies: Strategy[] = ['smoa', 'adaptive', 'rank'];
    const seeds = [1, 2, 3, 4, 5, 6];
    const free: string[][] = [];
    for (const strategy of strategies) {
      let judged = 0;
      let fallbacks = 0;
      for (const seed of seeds) {
        server.setDecoder({ mode: 'free', seed });
        const trace = await run(server, { strategy, seed, earlyStop: strategy === 'adaptive' }, `${PROMPTS[seed % PROMPTS.length]} (${seed})`, pool, cache);
        for (const layer of trace.layers) {
          if (layer.judge?.ballots?.length) judged++;
          if (layer.judge?.fallback || layer.moderator?.fallback || layer.adaptive?.fallback) fallbacks++;
        }
      }
      free.push([strategy, String(seeds.length), String(judged), String(fallbacks)]);
    }
    server.setDecoder({ mode: 'plausible' });
    console.log('\nJudge against a free-choosing constrained decoder (any schema-valid value), 3 layers\n');
    console.log(table(['strategy', 'seeds', 'judged layers', 'fallbacks'], free));
    console.log('target: 0 fallbacks');
  } finally {
    await server.close();
  }
}

if (process.argv[1]?.endsWith('judge-bench.ts')) void benchJudge();
