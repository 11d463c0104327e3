import assert from 'node:assert/strict';
import { startFakeServer, type FakeServer } from '../../../test/server/fake-openai';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import { loadConfig, type SmoaConfig, type SmoaConfigInput } from '../../../src/pipeline/config';
import { STRATEGIES } from '../../../src/pipeline/strategy/traits';
import { applyStrategySpec, parseStrategySpec, parseStrategySpecs, type StrategySpec } from '../../../src/pipeline/strategy/spec';
import { estimateRun } from '../../../src/pipeline/estimate';
import { runEvaluation, type EvalPlan, type EvalProgress } from '../../../src/eval/harness';
import { MemoryStore } from '../../../src/eval/records';
import { renderSvg, summarize } from '../../../src/eval/report';
import type { EvalTask } from '../../../src/eval/tasks';
import { lastUser } from '../helpers/engine-harness';

const price = { inputPerMTok: 1000, outputPerMTok: 1000 };

function tasks(n: number): EvalTask[] {
  return Array.from({ length: n }, (_, i) => ({ id: `t${i + 1}`, prompt: `What is ${i + 1} + ${i + 1}?`, reference: String(2 * (i + 1)), match: 'numeric', source: `line ${i + 1}` }));
}

describe('eval harness', function () {
  this.timeout(20_000);
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer({ tokensPerSecond: Infinity, ttftMs: 0 });
  });
  beforeEach(() => {
    server.reset();
    server.setResponder(undefined);
  });
  after(() => server.close());

  function config(overrides: Partial<SmoaConfigInput> = {}): SmoaConfig {
    return loadConfig({
      endpoints: [{ id: 'local', baseURL: server.url, maxRetries: 0, maxConcurrency: 16 }],
      models: [
        { id: 'a', endpoint: 'local', model: 'model-a', price },
        { id: 'b', endpoint: 'local', model: 'model-b', price },
        { id: 'c', endpoint: 'local', model: 'model-c', price },
      ],
      proposers: ['a', 'b', 'c'],
      aggregator: 'a',
      judge: 'b',
      layers: 2,
      topK: 2,
      roles: 'off',
      ...overrides,
    });
  }
  const specs = (cfg: SmoaConfig, list: string): StrategySpec[] => {
    const parsed = parseStrategySpecs(list, cfg);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
    return parsed.specs;
  };
  // Model a answers arithmetic right, b and c never do: single:a must score 1, single:b 0.
  const arithmetic = () =>
    server.setResponder((req) => {
      const m = /What is (\d+) \+ (\d+)\?/.exec(lastUser(req));
      if (!m || req.responseFormat) return undefined;
      return { text: req.model === 'model-a' ? `It is ${Number(m[1]) + Number(m[2])}.` : 'I am not sure, maybe 0.' };
    });

  it('strategy specs: every engine strategy and single:<model>; unknown names and models are named', () => {
    const cfg = config();
    for (const s of STRATEGIES) assert.deepEqual(parseStrategySpec(s, cfg), { ok: true, spec: { label: s, strategy: s } });
    assert.deepEqual(parseStrategySpec(' single:b ', cfg), { ok: true, spec: { label: 'single:b', strategy: 'single', modelId: 'b' } });
    const bad = parseStrategySpecs('smoa,single:zz,fancy,moa:a', cfg);
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.message : '', /"single:zz": unknown model "zz" \(known: a, b, c\)/);
    assert.match(!bad.ok ? bad.message : '', /unknown strategy "fancy"/);
    assert.match(!bad.ok ? bad.message : '', /only "single" takes a model/);
  });

  it('scores each strategy; single:<model> asks only that model; runs go `concurrency` at a time', async () => {
    arithmetic();
    const cfg = config({ earlyStop: false });
    const store = new MemoryStore();
    let maxRunning = 0;
    const plan: EvalPlan = { tasks: tasks(6), specs: specs(cfg, 'single:a,single:b,smoa'), grader: 'exact', repeat: 1 };
    const outcome = await runEvaluation(plan, {
      config: cfg,
      clientFor: createClientFactory(cfg, new EndpointPool()),
      store,
      signal: new AbortController().signal,
      concurrency: 3,
      onProgress: (p) => (maxRunning = Math.max(maxRunning, p.running)),
    });
    assert.equal(outcome.ending, 'done');
    assert.equal(maxRunning, 3);
    const report = summarize({ ...plan, strategies: ['single:a', 'single:b', 'smoa'], seed: 0, answers: store.answers(), grades: store.grades() });
    const row = (s: string) => report.rows.find((r) => r.strategy === s)!;
    assert.equal(row('single:a').score, 1);
    assert.equal(row('single:b').score, 0);
    assert.deepEqual(row('single:b').ci, [0, 0]);
    assert.equal(row('single:a').n, 6);
    const singleB = store.answers().filter((a) => a.strategy === 'single:b');
    assert.ok(singleB.every((a) => a.totals.calls === 1));
    assert.ok(row('smoa').seats && row('smoa').seats!.length === 3, 'judged strategies report how often each model was kept');
    assert.equal(row('smoa').seats!.reduce((s, x) => s + x.answered, 0), 6 * 3 * 2);
    assert.ok(row('smoa').firstPickRate!.decisions > 0);
    assert.ok(row('smoa').costUsd! > row('single:a').costUsd!);
    assert.match(renderSvg(report), /<text[^>]*>single:a<\/text>/);
  });

  it('a jury judging smoa: each answer keeps its judges\' pair sums, the row says how often they agreed and what they are worth', async () => {
    arithmetic();
    const cfg = config({ judge: ['a', 'b', 'c'] });
    const store = new MemoryStore();
    const plan: EvalPlan = { tasks: tasks(3), specs: specs(cfg, 'single:a,smoa'), grader: 'exact', repeat: 1 };
    const outcome = await runEvaluation(plan, { config: cfg, clientFor: createClientFactory(cfg, new EndpointPool()), store, signal: new AbortController().signal, concurrency: 2 });
    assert.equal(outcome.ending, 'done');
    const smoa = store.answers().filter((a) => a.strategy === 'smoa');
    assert.equal(smoa.length, 3);
    for (const a of smoa) assert.deepEqual(a.jury?.pairs.map((p) => `${p.a}-${p.b}`), ['a-b', 'a-c', 'b-c'], 'three judges: three pairs');
    assert.equal(store.answers().find((a) => a.strategy === 'single:a')!.jury, undefined, 'no judge, no jury');
    const report = summarize({ ...plan, strategies: ['single:a', 'smoa'], seed: 0, answers: store.answers(), grades: store.grades() });
    const jury = report.rows.find((r) => r.strategy === 'smoa')!.jury!;
    assert.deepEqual(jury.judges, ['a', 'b', 'c']);
    // Every judged layer of every task compares each of the three pairs once.
    const judgedLayers = smoa.reduce((s, a) => s + a.jury!.pairs[0].decisions, 0);
    assert.ok(judgedLayers >= 3);
    assert.equal(jury.decisions, 3 * judgedLayers);
    assert.ok(jury.agreement >= 0 && jury.agreement <= 1);
    if (jury.effectiveVotes !== null) assert.ok(jury.effectiveVotes >= 1 && jury.effectiveVotes <= 3, String(jury.effectiveVotes));
    assert.equal(report.rows.find((r) => r.strategy === 'single:a')!.jury, undefined);
  });

  it('resume: after an interruption, a second run asks only what did not finish, and every unit ends with one answer', async () => {
    const cfg = config();
    const store = new MemoryStore();
    const plan: EvalPlan = { tasks: tasks(8), specs: specs(cfg, 'single:a,single:b'), grader: 'exact', repeat: 1 };
    const controller = new AbortController();
    const first = await runEvaluation(plan, {
      config: cfg,
      clientFor: createClientFactory(cfg, new EndpointPool()),
      store,
      signal: controller.signal,
      concurrency: 2,
      onProgress: (p: EvalProgress) => {
        if (p.done >= 5) controller.abort(new Error('interrupted'));
      },
    });
    assert.equal(first.ending, 'cancelled');
    const finished = new Set(store.answers().map((a) => `${a.strategy === 'single:a' ? 'model-a' : 'model-b'}|${a.taskId}`));
    assert.ok(finished.size >= 5 && finished.size < 16, `finished ${finished.size}`);
    assert.equal(store.grades().length, store.answers().length);

    server.reset();
    const second = await runEvaluation(plan, { config: cfg, clientFor: createClientFactory(cfg, new EndpointPool()), store, signal: new AbortController().signal, concurrency: 2 });
    assert.equal(second.ending, 'done');
    const asked = server.requests.map((r) => `${r.model}|t${Number(/What is (\d+)/.exec(lastUser(r))![1])}`);
    assert.equal(asked.length, 16 - finished.size);
    for (const key of asked) assert.ok(!finished.has(key), `${key} was asked again`);
    assert.equal(new Set(store.answers().map((a) => a.key)).size, 16);
    assert.equal(store.answers().length, 16);
  });

  it('resume: an edited prompt is asked again; a different grader reuses the answers and only grades', async () => {
    const cfg = config();
    const store = new MemoryStore();
    const base: EvalPlan = { tasks: tasks(3), specs: specs(cfg, 'single:a'), grader: 'exact', repeat: 1 };
    const deps = () => ({ config: cfg, clientFor: createClientFactory(cfg, new EndpointPool()), store, signal: new AbortController().signal, concurrency: 2 });
    await runEvaluation(base, deps());
    server.reset();
    const edited = tasks(3);
    edited[1].prompt = 'What is 2 + 2? Show your work.';
    await runEvaluation({ ...base, tasks: edited }, deps());
    assert.equal(server.requests.length, 1);

    server.reset();
    await runEvaluation({ ...base, tasks: edited, grader: 'rubric', graderModel: 'c' }, deps());
    assert.equal(server.requests.length as number, 3);
    assert.ok(server.requests.every((r) => r.headers['x-smoa-stage'] === 'grader' && r.model === 'model-c'));
  });

  it('--max-usd: each run holds its bound before it starts; runs that do not fit are not run, and it says so', async () => {
    const cfg = config({ models: ['a', 'b', 'c'].map((id) => ({ id, endpoint: 'local', model: `model-${id}`, price, maxTokens: 50 })) });
    const store = new MemoryStore();
    const notices: string[] = [];
    const plan: EvalPlan = { tasks: tasks(12), specs: specs(cfg, 'single:a'), grader: 'exact', repeat: 1 };
    // Room for about three and a half runs at their upper bound.
    const routed = applyStrategySpec(cfg, specs(cfg, 'single:a')[0]);
    const bound = estimateRun(routed.config, { prompt: tasks(1)[0].prompt }, { strategy: routed.strategy }).costUsd!;
    const maxUsd = bound * 3.5;
    const outcome = await runEvaluation(plan, {
      config: cfg,
      clientFor: createClientFactory(cfg, new EndpointPool()),
      store,
      signal: new AbortController().signal,
      concurrency: 1,
      maxUsd,
      onNotice: (m) => notices.push(m),
    });
    assert.equal(outcome.ending, 'budget');
    const spent = store.answers().reduce((s, a) => s + a.totals.cost!.usd, 0);
    assert.ok(spent <= maxUsd, `spent ${spent} > ${maxUsd}`);
    assert.ok(store.answers().length >= 3, `ran ${store.answers().length}`);
    assert.equal(outcome.notRun, 12 - store.answers().length);
    assert.match(notices.join('\n'), /--max-usd .*not starting \d+ more run\(s\) \(reported as not run\)/);
  });

  it('pairwise: the baseline runs first for each task and is not graded against itself', async () => {
    const cfg = config();
    const store = new MemoryStore();
    server.setResponder((req) => (req.responseFormat && req.headers['x-smoa-stage'] === 'grader' ? { text: '{"reason":"r","winner":"tie"}' } : undefined));
    const plan: EvalPlan = { tasks: tasks(3), specs: specs(cfg, 'single:b,single:a'), grader: 'pairwise', graderModel: 'c', baseline: 'single:b', repeat: 2 };
    await runEvaluation(plan, { config: cfg, clientFor: createClientFactory(cfg, new EndpointPool()), store, signal: new AbortController().signal, concurrency: 4 });
    const report = summarize({ ...plan, strategies: ['single:b', 'single:a'], seed: 0, answers: store.answers(), grades: store.grades() });
    assert.equal(report.rows[0].score, null);
    assert.equal(report.rows[1].score, 0.5);
    assert.equal(report.rows[1].runs, 6);
    assert.equal(store.grades().length, 6);
  });

  it('a grade that failed (grader down) is made on the next run, from the stored answer, without asking the strategy again', async () => {
    const cfg = config();
    const store = new MemoryStore();
    const plan: EvalPlan = { tasks: tasks(2), specs: specs(cfg, 'single:a'), grader: 'rubric', graderModel: 'c', repeat: 1 };
    const deps = () => ({ config: cfg, clientFor: createClientFactory(cfg, new EndpointPool()), store, signal: new AbortController().signal, concurrency: 1 });
    server.injectFault({ kind: 'server-error', status: 503 }, { model: 'model-c', times: 100 });
    await runEvaluation(plan, deps());
    let report = summarize({ ...plan, strategies: ['single:a'], seed: 0, answers: store.answers(), grades: store.grades() });
    assert.equal(report.rows[0].ungraded, 2);
    assert.equal(report.rows[0].score, null);

    server.reset();
    await runEvaluation(plan, deps());
    assert.ok(server.requests.length === 2 && server.requests.every((r) => r.model === 'model-c'), 'only the grader is asked');
    report = summarize({ ...plan, strategies: ['single:a'], seed: 0, answers: store.answers(), grades: store.grades() });
    assert.equal(report.rows[0].ungraded, 0);
    assert.equal(report.rows[0].n, 2);
  });

  it('pairwise with a new baseline: stored answers wait for the baseline runs without blocking them (no deadlock)', async () => {
    const cfg = config();
    const store = new MemoryStore();
    server.setResponder((req) => (req.headers['x-smoa-stage'] === 'grader' ? { text: '{"reason":"r","winner":"A"}' } : undefined));
    const deps = () => ({ config: cfg, clientFor: createClientFactory(cfg, new EndpointPool()), store, signal: new AbortController().signal, concurrency: 1 });
    // First: exact grading of single:a only.
    await runEvaluation({ tasks: tasks(3), specs: specs(cfg, 'single:a'), grader: 'exact', repeat: 1 }, deps());
    server.reset();
    // Then pairwise against single:b, which has no answers yet; single:a's stored answers are graded once b's exist.
    const plan: EvalPlan = { tasks: tasks(3), specs: specs(cfg, 'single:b,single:a'), grader: 'pairwise', graderModel: 'c', baseline: 'single:b', repeat: 1 };
    const outcome = await runEvaluation(plan, deps());
    assert.equal(outcome.ending, 'done');
    const report = summarize({ ...plan, strategies: ['single:b', 'single:a'], seed: 0, answers: store.answers(), grades: store.grades() });
    assert.equal(report.rows[1].n, 3);
    assert.equal(report.rows[1].score, 0.5, 'a grader that always says A nets a tie over both orders');
    assert.equal(server.requests.filter((r) => r.model === 'model-a').length, 0, 'single:a was not asked again');
  });
});
