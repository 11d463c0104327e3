import assert from 'node:assert/strict';
import type { FakeServer } from '../../../test/server/fake-openai';
import type { SmoaConfig, SmoaConfigInput } from '../../../src/pipeline/config';
import { checkBudget } from '../../../src/pipeline/budget';
import { estimateRun, type StageEstimate } from '../../../src/pipeline/estimate';
import { foldEvents } from '../../../src/pipeline/trace';
import { kindOf, ofType, record, systemOf, useFakeServer } from '../helpers/engine-harness';
import { testConfig } from '../helpers/config';

const price = { inputPerMTok: 2, outputPerMTok: 10 };
const input = { prompt: 'Which sort is stable: quicksort or merge sort?' };

function bounded(server: FakeServer, overrides: Partial<SmoaConfigInput> = {}): SmoaConfig {
  return testConfig(server, {
    models: ['a', 'b', 'c', 'd'].map((id) => ({ id, endpoint: 'local', model: `model-${id}`, maxTokens: 200, price })),
    strategy: 'smoa',
    layers: 3,
    earlyStop: false,
    ...overrides,
  });
}

const tokens = (stages: StageEstimate[]) => stages.reduce((a, s) => a + s.promptTokens + s.completionTokens!, 0);
const usd = (stages: StageEstimate[]) => stages.reduce((a, s) => a + s.costUsd!, 0);
const withBudget = (config: SmoaConfig, budget: SmoaConfig['budget']): SmoaConfig => ({ ...config, budget });

describe('budget: a stage that could pass the limit is not started', () => {
  const fake = useFakeServer();
  let server: FakeServer;
  beforeEach(() => {
    server = fake();
    // Each proposer answers with its model and layer, so the test can see which answers reached the aggregator.
    server.setResponder((req) => {
      if (kindOf(req) !== 'plain' && kindOf(req) !== 'synthesis') return undefined;
      const layer = (req.headers['x-smoa-layer'] as string | undefined) ?? (systemOf(req).includes('### Candidate') ? 'later' : '1');
      return { text: `ANSWER layer ${layer} from ${req.model}` };
    });
  });

  it('stops before the layer that would pass maxTokens; the aggregator answers from what layer 1 kept', async () => {
    const config = bounded(server);
    const stages = estimateRun(config, input).stages;
    const layer1 = stages.filter((s) => s.layer === 1);
    const aggregator = stages.filter((s) => s.stage === 'aggregator');
    const maxTokens = tokens([...layer1, ...aggregator]) + 20;
    const { result, events } = await record(withBudget(config, { maxTokens }), input);

    assert.equal(result.status, 'ok', 'the answer is real, just cheaper');
    const stop = ofType(events, 'budget-stop');
    assert.equal(stop.length, 1);
    assert.deepEqual(stop[0].skipped, ['layer 2', 'layer 3']);
    assert.match(stop[0].reason, /layer 2 .* may use up to [\d,]+ tokens; [\d,]+ of the [\d,]+-token budget are spent/);
    assert.equal(stop[0].outcome, 'the aggregator answers from the 2 kept answers');
    assert.deepEqual(ofType(events, 'layer-skipped').map((e) => e.layer), [2, 3]);
    assert.equal(result.totals.layersRun, 1);
    // 4 proposers, 1 judge, 1 aggregator; the aggregator saw layer 1's two kept answers.
    assert.equal(server.requests.length, 6);
    const aggregatorRequest = server.requests.at(-1)!;
    const kept = ofType(events, 'layer-done')[0].kept.map((slot) => `ANSWER layer 1 from model-${'abcd'[slot]}`);
    for (const text of kept) assert.ok(systemOf(aggregatorRequest).includes(text), `aggregator sees ${text}`);
    assert.ok(result.totals.promptTokens + result.totals.completionTokens <= maxTokens, 'the run stayed within the budget');
    assert.deepEqual(foldEvents(events).budgetStops, [{ skipped: stop[0].skipped, reason: stop[0].reason, outcome: stop[0].outcome }]);
  });

  it('a strategy without roles never reports the role writer as skipped (moa with roles "auto")', async () => {
    const config = bounded(server, { strategy: 'moa', roles: 'auto' });
    const { events } = await record(withBudget(config, { maxTokens: 10 }), input);
    const stops = ofType(events, 'budget-stop');
    assert.ok(stops.length > 0, 'the tiny budget stops the run');
    assert.ok(!stops.some((s) => s.skipped.includes('roles')), JSON.stringify(stops));
  });

  it('stops a debate the same way: the aggregator answers from the last round it could afford', async () => {
    const config = bounded(server, { strategy: 'debate' });
    const stages = estimateRun(config, input).stages;
    const maxTokens = tokens(stages.filter((s) => s.layer === 1 || s.stage === 'aggregator')) + 20;
    const { result, events } = await record(withBudget(config, { maxTokens }), input);
    assert.equal(result.status, 'ok');
    assert.deepEqual(ofType(events, 'budget-stop').map((s) => s.skipped), [['layer 2', 'layer 3']]);
    assert.equal(ofType(events, 'budget-stop')[0].outcome, 'the aggregator answers from the 4 kept answers');
    assert.equal(server.requests.filter((r) => kindOf(r) === 'plain').length, 4, 'one round of 4 debaters');
    assert.ok(result.totals.promptTokens + result.totals.completionTokens <= maxTokens);
  });

  it('runs every layer when the budget allows them all, and says nothing', async () => {
    const config = bounded(server);
    const maxTokens = tokens(estimateRun(config, input).stages);
    const { result, events } = await record(withBudget(config, { maxTokens }), input);
    assert.equal(result.status, 'ok');
    assert.equal(ofType(events, 'budget-stop').length, 0);
    assert.equal(result.totals.layersRun, 3);
  });

  it('when even the aggregator would not fit, the best kept answer is the answer', async () => {
    // The aggregator may write far more than a layer: after layer 1 nothing is left that could hold it.
    const config = bounded(server, { proposerMaxTokens: 200 });
    config.models[0] = { ...config.models[0], maxTokens: 8000 };
    const layer1 = estimateRun(config, input).stages.filter((s) => s.layer === 1);
    const { result, events } = await record(withBudget(config, { maxTokens: tokens(layer1) + 5 }), input);

    assert.equal(result.status, 'ok');
    const stops = ofType(events, 'budget-stop');
    assert.deepEqual(stops.map((s) => s.skipped), [['layer 2', 'layer 3'], ['aggregator']]);
    assert.equal(stops[1].outcome, 'the best kept answer is the answer');
    const best = ofType(events, 'layer-done')[0].kept[0];
    assert.equal(result.answer, `ANSWER layer 1 from model-${'abcd'[best]}`);
    assert.match(result.answerSource!, /best kept answer.*budget/);
    assert.equal(server.requests.filter((r) => kindOf(r) === 'synthesis').length, 0, 'no aggregator call was sent');
  });

  it('with no room for a layer, the aggregator answers alone; with no room at all, nothing is sent and the run says why', async () => {
    const config = bounded(server);
    const alone = estimateRun(config, input, { strategy: 'single' }).stages;
    const { result, events } = await record(withBudget(config, { maxTokens: tokens(alone) + 5 }), input);
    assert.equal(result.status, 'ok');
    assert.equal(ofType(events, 'budget-stop')[0].outcome, 'the aggregator answers alone, with no earlier answers');
    assert.equal(server.requests.length, 1);
    assert.equal(result.answer, 'ANSWER layer 1 from model-a');

    server.reset();
    const none = await record(withBudget(config, { maxTokens: 50 }), input);
    assert.equal(none.result.status, 'failed');
    assert.match(none.result.error!, /^over budget: the aggregator may use up to [\d,]+ tokens; 0 of the 50-token budget are spent/);
    assert.equal(server.requests.length, 0);
  });

  it('a dollar budget stops at the right stage too, and skips the role writer first', async () => {
    const config = bounded(server, { roles: 'auto', layers: 2 });
    const stages = estimateRun(config, input).stages;
    // Room for layer 1 and the aggregator, not for the role writer on top, nor for layer 2.
    const maxUsd = usd(stages.filter((s) => s.layer === 1 || s.stage === 'aggregator')) * 1.001;
    const { result, events } = await record(withBudget(config, { maxUsd }), input);
    assert.equal(result.status, 'ok');
    const stops = ofType(events, 'budget-stop');
    assert.deepEqual(stops.map((s) => s.skipped), [['roles'], ['layer 2']]);
    assert.match(stops[0].reason, /may cost up to \$[\d.]+; \$0\.0000 of the \$[\d.]+ budget is spent/);
    assert.equal(server.requests.filter((r) => kindOf(r) === 'roles').length, 0);
    assert.ok(result.totals.cost!.usd <= maxUsd);
  });

  it('a stage with no bound is never started under a limit, and the reason names the model', async () => {
    const config = bounded(server, { strategy: 'single' });
    config.models[0] = { ...config.models[0], maxTokens: undefined };
    const { result } = await record(withBudget(config, { maxTokens: 1_000_000 }), input);
    assert.equal(result.status, 'failed');
    assert.match(result.error!, /has no token bound \(no maxTokens for a\)/);
    assert.equal(server.requests.length, 0);
  });

  it('a dollar limit cannot allow a model without a price', () => {
    const verdict = checkBudget(
      { maxUsd: 1 },
      { tokens: 0, usd: 0, usdIncomplete: false },
      { promptTokens: 10, completionTokens: 10, costUsd: null, unbounded: [], unpriced: ['local-llama'] },
      'layer 1',
    );
    assert.deepEqual(verdict, { ok: false, reason: 'layer 1 has no cost bound (no price for local-llama), so the $1.00 budget cannot allow it' });
  });
});
