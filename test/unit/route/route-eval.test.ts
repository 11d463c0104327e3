import assert from 'node:assert/strict';
import { startFakeServer, type FakeServer } from '../../server/fake-openai';
import { assignFolds, compareRoute, runEvaluationWithRoute } from '../../../src/eval/route-eval';
import { routeComparisonLines } from '../../../src/eval/route-report';
import { MemoryStore } from '../../../src/eval/records';
import { summarize } from '../../../src/eval/report';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import { loadConfig, type SmoaConfig } from '../../../src/pipeline/config';
import { parseStrategySpecs } from '../../../src/pipeline/strategy/spec';
import { skillResponder, skillTasks } from '../helpers/route-fixtures';

describe('route in an evaluation (k-fold: never graded on a task it learned from)', function () {
  this.timeout(60_000);
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer({ tokensPerSecond: Infinity, ttftMs: 0 });
    server.setResponder(skillResponder);
  });
  after(() => server.close());

  function config(): SmoaConfig {
    return loadConfig({
      endpoints: [{ id: 'local', baseURL: server.url, maxRetries: 0, maxConcurrency: 16 }],
      models: ['arith', 'coder', 'neither'].map((id) => ({ id, endpoint: 'local', model: `model-${id}`, maxTokens: 100, price: { inputPerMTok: 1, outputPerMTok: 1 } })),
      proposers: ['arith', 'coder', 'neither'],
      aggregator: 'neither',
      layers: 1,
      roles: 'off',
      earlyStop: false,
    });
  }

  it('folds spread every category over every fold', () => {
    const folds = assignFolds(skillTasks(5), 2);
    const tasks = skillTasks(5);
    for (const c of ['arithmetic', 'code']) {
      const of = tasks.map((t, i) => (t.category === c ? folds[i] : -1)).filter((f) => f >= 0);
      assert.deepEqual([of.filter((f) => f === 0).length, of.filter((f) => f === 1).length], [3, 2]);
    }
  });

  it('a router built from one half reaches the best fixed strategy (moa, 100%, 4 calls a task) on the other half with 1 call a task', async () => {
    const cfg = config();
    const tasks = skillTasks(10);
    const parsed = parseStrategySpecs('moa,single:arith,route', cfg);
    assert.ok(parsed.ok);
    const store = new MemoryStore();
    const notices: string[] = [];
    const plan = { tasks, specs: parsed.specs, grader: 'exact' as const, repeat: 1 };
    const result = await runEvaluationWithRoute(plan, {
      config: cfg,
      clientFor: createClientFactory(cfg, new EndpointPool()),
      store,
      signal: new AbortController().signal,
      concurrency: 4,
      onNotice: (m) => notices.push(m),
    }, 2);
    assert.equal(result.outcome.ending, 'done');
    assert.deepEqual(result.added, ['single:coder', 'single:neither']);
    assert.match(notices.join('\n'), /added single:coder, single:neither/);
    // Each fold's router learned from the other 10 tasks only, and routed its own 10.
    assert.deepEqual(result.folds.map((f) => [f.test.length, f.train]), [[10, 10], [10, 10]]);
    assert.equal(new Set(result.folds.flatMap((f) => f.test)).size, 20, 'every task is routed once, by the fold that did not learn from it');

    const strategies = ['moa', 'single:arith', 'single:coder', 'single:neither', 'route'];
    const comparison = compareRoute({ tasks, strategies, answers: store.answers(), grades: store.grades(), grader: 'exact', repeat: 1, folds: 2 });
    assert.ok(comparison);
    // The numbers: best fixed strategy moa scores 100% at 4 calls a task (3 proposers + the aggregator); each model
    // alone scores 50%; route scores 100% at 1 call a task, a quarter of moa's calls.
    const report = summarize({ ...plan, strategies, seed: 0, answers: store.answers(), grades: store.grades() });
    for (const single of ['single:arith', 'single:coder']) assert.equal(report.rows.find((r) => r.strategy === single)!.score, 0.5);
    assert.equal(report.rows.find((r) => r.strategy === 'single:neither')!.score, 0);
    assert.equal(comparison.bestFixed.strategy, 'moa');
    assert.equal(comparison.bestFixed.score, 1);
    assert.equal(comparison.bestFixed.callsPerTask, 4);
    assert.equal(comparison.route.score, 1);
    assert.equal(comparison.route.callsPerTask, 1);
    assert.equal(comparison.callsRatio, 0.25);
    assert.ok(comparison.costRatio! < 0.5, `route cost ${comparison.costRatio} of moa's`);
    assert.deepEqual(comparison.route.chosen, { 'single:arith': 10, 'single:coder': 10 });
    assert.match(routeComparisonLines(comparison, 'exact').join('\n'), /score 100\.0% vs 100\.0%; calls per task 1\.00 vs 4\.00 \(25%\)/);
  });
});
