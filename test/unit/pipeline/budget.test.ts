import assert from 'node:assert/strict';
import type { FakeServer } from '../../../test/server/fake-openai';
import type { SmoaConfig, SmoaConfigInput } from '../../../src/pipeline/config';
import { estimateRun, type StageEstimate } from '../../../src/pipeline/estimate';
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

  it('a strategy without roles never reports the role writer as skipped (moa with roles "auto")', async () => {
    const config = bounded(server, { strategy: 'moa', roles: 'auto' });
    const { events } = await record(withBudget(config, { maxTokens: 10 }), input);
    const stops = ofType(events, 'budget-stop');
    assert.ok(stops.length > 0, 'the tiny budget stops the run');
    assert.ok(!stops.some((s) => s.skipped.includes('roles')), JSON.stringify(stops));
  });

  it('runs every layer at the models\' own maxTokens when the budget allows them all, and says nothing', async () => {
    const config = bounded(server);
    const maxTokens = tokens(estimateRun(config, input).stages);
    const { result, events } = await record(withBudget(config, { maxTokens }), input);
    assert.equal(result.status, 'ok');
    assert.equal(ofType(events, 'budget-stop').length, 0);
    assert.equal(result.totals.layersRun, 3);
    assert.ok(server.requests.every((r) => r.maxTokens === 200), 'no call was cut below its maxTokens');
  });

  it('a tight budget cuts every call\'s max_tokens before it drops a layer, and stays within the limit', async () => {
    const config = bounded(server);
    const full = tokens(estimateRun(config, input).stages);
    const { result } = await record(withBudget(config, { maxTokens: Math.floor(full * 0.3) }), input);
    assert.equal(result.status, 'ok');
    const caps = server.requests.map((r) => r.maxTokens!);
    assert.ok(caps.some((c) => c < 200), `some call was capped below its maxTokens: ${caps.join(', ')}`);
    const billed = server.billedUsage();
    assert.ok(billed.prompt_tokens + billed.completion_tokens <= full * 0.3);
  });

  it('a layer is capped so that the aggregator after it still fits: the run ends with a synthesis', async () => {
    // Proposers write their whole cap of long words, and the server reports no usage: the run counts with the rule.
    server.setResponder((req) => (kindOf(req) === 'plain' ? { text: Array.from({ length: 400 }, () => 'incomprehensibilities').join(' '), usage: false } : { usage: false }));
    const config = bounded(server, { layers: 1 });
    const layer1 = estimateRun(config, input).stages.filter((s) => s.layer === 1);
    const maxTokens = tokens(layer1) + 5;
    const { result, events } = await record(withBudget(config, { maxTokens }), input);

    assert.equal(result.status, 'ok', result.error);
    assert.equal(ofType(events, 'budget-stop').length, 0);
    const caps = server.requests.map((r) => [r.headers['x-smoa-stage'], r.maxTokens]);
    assert.ok(caps.filter(([stage]) => stage !== 'aggregator').every(([, cap]) => (cap as number) < 200), JSON.stringify(caps));
    assert.equal(caps.at(-1)![0], 'aggregator');
    assert.ok(result.totals.promptTokens + result.totals.completionTokens <= maxTokens);
  });

  it('with no room even for short answers, nothing is sent and the run says why', async () => {
    const config = bounded(server);
    const none = await record(withBudget(config, { maxTokens: 50 }), input);
    assert.equal(none.result.status, 'failed');
    assert.match(none.result.error!, /^over budget: the aggregator may use up to [\d,]+ tokens; 50 of the 50-token budget are left, even with answers cut to 32 tokens/);
    assert.equal(server.requests.length, 0);
  });

  it('a model without maxTokens is sent the cap the budget allows, so the run answers (it is not refused)', async () => {
    const config = bounded(server, { strategy: 'single' });
    config.models[0] = { ...config.models[0], maxTokens: undefined };
    const { result } = await record(withBudget(config, { maxTokens: 600 }), input);
    assert.equal(result.status, 'ok', result.error);
    assert.equal(server.requests.length, 1);
    assert.ok(server.requests[0].maxTokens! > 0 && server.requests[0].maxTokens! <= 600);
  });

  it('a dollar limit cannot allow a model without a price', async () => {
    const config = bounded(server, { strategy: 'single' });
    config.models[0] = { ...config.models[0], price: undefined };
    const { result } = await record(withBudget(config, { maxUsd: 1 }), input);
    assert.equal(result.status, 'failed');
    assert.match(result.error!, /no cost bound \(no price for a\), so the \$1\.0+ budget cannot allow it/);
    assert.equal(server.requests.length, 0);
  });

  it('a retried call reserves again; a retry that does not fit is not sent', async () => {
    // The single call may use most of the budget; its stream is cut after 150 tokens, which are billed.
    server.setResponder(() => ({ text: Array.from({ length: 400 }, () => 'data').join(' ') }));
    server.injectFault({ kind: 'cut-stream', afterTokens: 150 }, { times: 5 });
    const config = bounded(server, { strategy: 'single' });
    config.models[0] = { ...config.models[0], maxTokens: undefined };
    const { result, events } = await record(withBudget(config, { maxTokens: 700 }), input);
    const billed = server.billedUsage();
    assert.ok(billed.prompt_tokens + billed.completion_tokens <= 700, JSON.stringify(billed));
    const failed = ofType(events, 'call-failed');
    assert.equal(result.status, 'failed');
    assert.match(failed.at(-1)!.error.message, /not retried: /);
    assert.ok(failed.at(-1)!.usage!.completionTokens >= 150, 'the cut attempts are counted');
  });
});
