import assert from 'node:assert/strict';
import { startFakeServer, type FakeServer } from '../../server/fake-openai';
import { buildRouter } from '../../../src/eval/route-build';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import { loadConfig, type SmoaConfig, type SmoaConfigInput } from '../../../src/pipeline/config';
import { runPipeline } from '../../../src/pipeline/engine';
import { describeEstimate, estimateRun } from '../../../src/pipeline/estimate';
import type { EventOf, SmoaEvent } from '../../../src/pipeline/events';
import { ProgressNarrator } from '../../../src/pipeline/narrator';
import type { RouterFile } from '../../../src/pipeline/route/router-file';
import { applyEvent, emptyTrace } from '../../../src/pipeline/trace';
import { skillRecords, skillResponder, skillTasks } from '../helpers/route-fixtures';

const price = { inputPerMTok: 1, outputPerMTok: 2 };

describe('route strategy: a run', function () {
  let server: FakeServer;
  let router: RouterFile;
  before(async () => {
    server = await startFakeServer({ tokensPerSecond: Infinity, ttftMs: 0 });
    const built = buildRouter([{ name: 'fixture', tasks: skillTasks(), ...skillRecords(skillTasks()), grader: 'exact' }]);
    assert.ok(built.ok);
    router = built.router;
  });
  beforeEach(() => {
    server.reset();
    server.setResponder(skillResponder);
  });
  after(() => server.close());

  function config(overrides: Partial<SmoaConfigInput> = {}): SmoaConfig {
    return loadConfig({
      endpoints: [{ id: 'local', baseURL: server.url, maxRetries: 0 }],
      models: ['arith', 'coder', 'neither'].map((id) => ({ id, endpoint: 'local', model: `model-${id}`, maxTokens: 200, price })),
      proposers: ['arith', 'coder', 'neither'],
      aggregator: 'neither',
      strategy: 'route',
      roles: 'off',
      ...overrides,
    });
  }

  async function run(cfg: SmoaConfig, prompt: string, withRouter: RouterFile | null = router) {
    const events: SmoaEvent[] = [];
    const trace = emptyTrace();
    const result = await runPipeline(cfg, { prompt }, {
      clientFor: createClientFactory(cfg, new EndpointPool()),
      ...(withRouter ? { router: withRouter } : {}),
      onEvent: (e) => {
        events.push(e);
        applyEvent(trace, e);
      },
    });
    return { result, events, trace };
  }

  it('emits route-decision after run-started, then runs only the routed plan; the trace keeps the decision', async () => {
    const { result, events, trace } = await run(config(), 'What is 40 + 2? Answer with the number.');
    assert.deepEqual(events.slice(0, 2).map((e) => e.type), ['run-started', 'route-decision']);
    const decision = events[1] as EventOf<'route-decision'>;
    assert.equal(decision.chosen, 'single:arith');
    assert.ok(decision.nearest.length >= 5 && decision.nearest.every((n) => n.category === 'arithmetic'));
    assert.deepEqual(decision.expected.map((e) => e.modelId), ['arith', 'coder', 'neither']);
    assert.equal(result.answer, 'The sum is 42.');
    assert.deepEqual(server.requests.map((r) => r.model), ['model-arith'], 'one call, to the model the router chose');
    assert.equal(trace.strategy, 'single');
    assert.equal(trace.config.aggregator, 'arith');
    assert.equal(trace.route?.chosen, 'single:arith');
    assert.equal((events[0] as EventOf<'run-started'>).strategy, 'route');
  });

  it('an unlike prompt runs the fallback strategy, and the event, the narrator and the trace say why', async () => {
    const narrator = new ProgressNarrator();
    const { events, trace } = await run(config({ route: { fallback: 'moa' }, layers: 1 }), 'Compose a sonnet about autumn leaves in Kyoto');
    const decision = events.find((e) => e.type === 'route-decision') as EventOf<'route-decision'>;
    assert.equal(decision.fallback, true);
    assert.equal(trace.strategy, 'moa');
    assert.equal(server.requests.length, 4, 'the configured panel of three, then the aggregator');
    const lines = events.map((e) => narrator.describe(e)).filter(Boolean);
    assert.match(lines[0]!, /^Route: fell back to moa: no evaluated task is like this prompt: best similarity 0\.\d\d < route\.minSimilarity 0\.2/);
    assert.match(narrator.record[0], /^Route: fell back to moa/);
  });

  it('without a router file, route runs the fallback and says how to make one', async () => {
    const { events } = await run(config(), 'What is 1 + 2?', null);
    const decision = events.find((e) => e.type === 'route-decision') as EventOf<'route-decision'>;
    assert.match(decision.reason, /no router file is loaded.*smoa route build/);
    assert.equal(decision.strategy, 'smoa');
  });

  it('the estimate and the budget are those of the routed plan', async () => {
    const cfg = config();
    const routed = estimateRun(cfg, { prompt: 'What is 40 + 2?' }, { router });
    assert.equal(routed.calls, 1);
    assert.equal(routed.route?.chosen, 'single:arith');
    assert.match(describeEstimate(routed), /^at most 1 call \(routed: single:arith\)/);
    const smoa = estimateRun(cfg, { prompt: 'What is 40 + 2?' }, { strategy: 'smoa' });
    assert.ok(smoa.calls > routed.calls);
    // A budget that fits one arithmetic model call but not the SMoA panel: the routed run is not stopped.
    const budget = { maxUsd: routed.costUsd! * 1.5 };
    assert.ok(smoa.costUsd! > budget.maxUsd);
    const { events, result } = await run(config({ budget }), 'What is 40 + 2?');
    assert.equal(events.filter((e) => e.type === 'budget-stop').length, 0);
    assert.equal(result.answer, 'The sum is 42.');
  });
});
