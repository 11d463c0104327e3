import assert from 'node:assert/strict';
import type { FakeRequest, FakeServer } from '../../server/fake-openai';
import type { SmoaConfig, SmoaConfigInput } from '../../../src/pipeline/config';
import { STRATEGIES, type Strategy } from '../../../src/pipeline/strategy/traits';
import { kindOf, ofType, record, useFakeServer } from '../helpers/engine-harness';
import { testConfig } from '../helpers/config';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import { parseStrategySpecs } from '../../../src/pipeline/strategy/spec';
import { runEvaluation } from '../../../src/eval/harness';
import { MemoryStore } from '../../../src/eval/records';
import { estimateRun } from '../../../src/pipeline/estimate';

/**
 * The money invariants, against a server that counts what it serves (billedUsage: every prompt it started answering
 * and every token it wrote, also of streams it cut): at any concurrency, for every strategy, with streams cut and
 * retried, what the server counts never passes the budget, and the run's own totals equal it (or are marked estimated
 * and are not below it).
 */

const price = { inputPerMTok: 1, outputPerMTok: 4 };
const input = { prompt: 'Explain how to choose between a B-tree and an LSM tree for a write-heavy workload.' };
/** Long answers from models with no maxTokens: only the budget's caps keep them short. */
const LONG = Array.from({ length: 700 }, (_, i) => `word${i % 37}`).join(' ');

function config(server: FakeServer, strategy: Strategy, concurrency: number, budget: SmoaConfig['budget'], extra: Partial<SmoaConfigInput> = {}): SmoaConfig {
  const base = testConfig(server, {
    endpoints: [{ id: 'local', baseURL: server.url, maxConcurrency: concurrency, timeoutMs: 5_000, maxRetries: 3 }],
    models: ['a', 'b', 'c', 'd'].map((id) => ({ id, endpoint: 'local', model: `model-${id}`, price })),
    strategy,
    layers: 2,
    earlyStop: false,
    ...extra,
  });
  return { ...base, budget };
}

/** Dollars the server's count comes to at the models' prices. */
function serverUsd(requests: FakeRequest[]): number {
  return requests.reduce((sum, r) => sum + ((r.billed?.prompt_tokens ?? 0) * price.inputPerMTok + (r.billed?.completion_tokens ?? 0) * price.outputPerMTok) / 1e6, 0);
}

function serverTokens(server: FakeServer): number {
  const b = server.billedUsage();
  return b.prompt_tokens + b.completion_tokens;
}

export interface Measured {
  strategy: Strategy;
  concurrency: number;
  limit: number;
  server: number;
  product: number;
  estimated: boolean;
}

/** Figures the report quotes; printed once at the end when SMOA_PRINT_BUDGET is set. */
const measured: Measured[] = [];

describe('budget holds against the server\'s own count', () => {
  const fake = useFakeServer();
  let server: FakeServer;
  beforeEach(() => {
    server = fake();
    server.setResponder((req) => (kindOf(req) === 'plain' || kindOf(req) === 'synthesis' ? { text: LONG } : undefined));
  });

  for (const concurrency of [1, 4, 8]) {
    for (const strategy of STRATEGIES) {
      it(`${strategy}, concurrency ${concurrency}, streams cut and retried: server-counted tokens <= maxTokens, totals match`, async () => {
        const maxTokens = 3000;
        // Two streams are cut after 40 tokens: both attempts are billed.
        server.injectFault({ kind: 'cut-stream', afterTokens: 40 }, { times: 2 });
        const { result, events } = await record(config(server, strategy, concurrency, { maxTokens }), input);
        const served = serverTokens(server);
        const product = result.totals.promptTokens + result.totals.completionTokens;
        measured.push({ strategy, concurrency, limit: maxTokens, server: served, product, estimated: result.totals.estimated });

        assert.notEqual(result.answer, '', `${strategy} answers: ${result.error ?? ''}`);
        assert.ok(served <= maxTokens, `server counted ${served} tokens against a ${maxTokens}-token budget`);
        assert.ok(ofType(events, 'call-retry').length >= 1, 'a cut stream was retried');
        if (result.totals.estimated) assert.ok(product >= served, `estimated total ${product} is not below the server's ${served}`);
        else assert.equal(product, served);
        // Every request carried a completion cap: the models have no maxTokens, the budget gave them one.
        assert.ok(server.requests.every((r) => r.maxTokens !== undefined && r.maxTokens > 0), 'every request was capped');
      });
    }
  }

  for (const concurrency of [1, 8]) {
    it(`a dollar budget at concurrency ${concurrency}: the server's dollars stay within it`, async () => {
      const maxUsd = 0.004;
      server.injectFault({ kind: 'cut-stream', afterTokens: 25 }, { times: 3 });
      const { result } = await record(config(server, 'smoa', concurrency, { maxUsd }), input);
      const usd = serverUsd(server.requests);
      measured.push({ strategy: 'smoa', concurrency, limit: maxUsd, server: usd, product: result.totals.cost?.usd ?? NaN, estimated: result.totals.estimated });
      assert.notEqual(result.answer, '');
      assert.ok(usd <= maxUsd, `server-counted $${usd} against $${maxUsd}`);
      assert.ok(result.totals.cost!.usd >= usd - 1e-12, `the run's $${result.totals.cost!.usd} is not below the server's $${usd}`);
    });
  }

  it('a tight budget gives shorter answers, not a failed run (models without maxTokens)', async () => {
    const { result, events } = await record(config(server, 'smoa', 4, { maxTokens: 1500 }), input);
    assert.equal(result.status, 'ok', result.error);
    assert.notEqual(result.answer, '');
    assert.ok(serverTokens(server) <= 1500, `${serverTokens(server)} tokens`);
    const aggregator = server.requests.find((r) => r.headers['x-smoa-stage'] === 'aggregator');
    assert.ok(aggregator?.maxTokens !== undefined, 'the aggregator was called with a cap');
    assert.ok(ofType(events, 'call-done').length > 0);
  });

  it('a cancelled run records what its streams consumed', async () => {
    server.setResponder(() => ({ text: LONG, tokensPerSecond: 400 }));
    const controller = new AbortController();
    let tokens = 0;
    const { result, events } = await record(config(server, 'single', 1, undefined), input, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'call-token' && ++tokens === 60) controller.abort();
      },
    });
    await server.waitForIdle();
    assert.equal(result.status, 'cancelled');
    const failed = ofType(events, 'call-failed')[0];
    assert.ok(failed.usage && failed.usage.estimated, 'the cancelled call carries its estimated usage');
    const product = result.totals.promptTokens + result.totals.completionTokens;
    assert.ok(product >= serverTokens(server), `recorded ${product}, server served ${serverTokens(server)}`);
    assert.ok(result.totals.completionTokens > 0);
  });
});

describe('eval --concurrency 8 --max-usd holds against the server\'s count', () => {
  const fake = useFakeServer();

  for (const maxTokens of [undefined, 120]) {
    it(`${maxTokens ? 'models with maxTokens' : 'models without maxTokens'}: runs hold their bound first; what does not fit is reported as not run`, async () => {
      const server = fake();
      server.setResponder((req) => (kindOf(req) === 'plain' || kindOf(req) === 'synthesis' ? { text: LONG } : undefined));
      server.injectFault({ kind: 'cut-stream', afterTokens: 30 }, { times: 4 });
      const cfg = testConfig(server, {
        endpoints: [{ id: 'local', baseURL: server.url, maxConcurrency: 8, timeoutMs: 5_000, maxRetries: 3 }],
        models: ['a', 'b', 'c', 'd'].map((id) => ({ id, endpoint: 'local', model: `model-${id}`, price, ...(maxTokens ? { maxTokens } : {}) })),
        layers: 2,
        earlyStop: false,
      });
      const parsed = parseStrategySpecs('smoa,single', cfg);
      assert.ok(parsed.ok);
      const store = new MemoryStore();
      const notices: string[] = [];
      const maxUsd = 0.02;
      const tasks = Array.from({ length: 16 }, (_, i) => ({ id: `t${i + 1}`, prompt: `Question ${i + 1}: how do B-trees split?`, source: `line ${i + 1}` }));
      const outcome = await runEvaluation(
        { tasks, specs: parsed.specs, grader: 'exact', repeat: 1 },
        { config: cfg, clientFor: createClientFactory(cfg, new EndpointPool({ backoff: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 60_000 } })), store, signal: new AbortController().signal, concurrency: 8, maxUsd, onNotice: (m) => notices.push(m) },
      );
      const usd = serverUsd(server.requests);
      const product = store.answers().reduce((s, a) => s + (a.totals.cost?.usd ?? 0), 0);
      measured.push({ strategy: 'smoa' as Strategy, concurrency: 8, limit: maxUsd, server: usd, product, estimated: store.answers().some((a) => a.totals.estimated) });
      assert.ok(usd <= maxUsd, `the server counted $${usd} against --max-usd ${maxUsd}`);
      assert.ok(product >= usd - 1e-12, `the answers' $${product} are not below the server's $${usd}`);
      assert.equal(outcome.ending, 'budget');
      assert.equal(outcome.notRun, 32 - store.answers().length, 'every run not started is reported as not run');
      assert.ok(store.answers().length > 0);
      assert.match(notices.join('\n'), /not starting \d+ more run\(s\) \(reported as not run\)/);
      assert.doesNotMatch(notices.join('\n'), /\$0\.0000 held/);
    });
  }
});

after(() => {
  if (process.env.SMOA_PRINT_BUDGET) console.log(JSON.stringify(measured));
});

describe('run --estimate is an upper bound of what the run uses', () => {
  const fake = useFakeServer();
  const longWords = Array.from({ length: 500 }, (_, i) => `incomprehensibilities${i % 10}`).join(' ');
  for (const reported of [true, false]) {
    for (const strategy of STRATEGIES) {
      it(`${strategy}, long-word answers, usage ${reported ? 'reported' : 'not reported (counted with the token rule)'}`, async () => {
        const server = fake();
        server.setResponder((req) => ({ ...(kindOf(req) === 'plain' || kindOf(req) === 'synthesis' ? { text: longWords } : {}), ...(reported ? {} : { usage: false }) }));
        const cfg = testConfig(server, {
          models: ['a', 'b', 'c', 'd'].map((id, i) => ({ id, endpoint: 'local', model: `model-${id}`, price, maxTokens: 150 + 50 * i })),
          strategy,
          layers: 2,
          roles: 'auto',
        });
        const estimate = estimateRun(cfg, input);
        const { result } = await record(cfg, input);
        const used = result.totals.promptTokens + result.totals.completionTokens;
        const bound = estimate.promptTokens + estimate.completionTokens!;
        assert.ok(estimate.completionTokens !== null && !estimate.promptUnbounded, 'bounded');
        assert.ok(used <= bound, `${strategy}: used ${used} > estimate ${bound}`);
        assert.ok(result.totals.completionTokens <= estimate.completionTokens!, 'completions within their caps');
        assert.ok(result.totals.cost!.usd <= estimate.costUsd! + 1e-12);
      });
    }
  }
});
