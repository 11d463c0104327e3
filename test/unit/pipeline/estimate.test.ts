import assert from 'node:assert/strict';
import type { FakeServer } from '../../../test/server/fake-openai';
import { STRATEGIES, type SmoaConfigInput } from '../../../src/pipeline/config';
import { describeEstimate, estimateRun, stagePlans } from '../../../src/pipeline/estimate';
import { tokenBound } from '../../../src/pipeline/tokens';
import { MemoryRoleCache } from '../../../src/pipeline/roles/prompt';
import { kindOf, ofType, record, scoresFor, useFakeServer } from '../helpers/engine-harness';
import { testConfig } from '../helpers/config';

const price = { inputPerMTok: 3, outputPerMTok: 15 };
const bounded = (server: FakeServer, overrides: Partial<SmoaConfigInput> = {}) =>
  testConfig(server, {
    models: ['a', 'b', 'c', 'd'].map((id) => ({ id, endpoint: 'local', model: `model-${id}`, maxTokens: 300, price })),
    ...overrides,
  });

const LONG = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
const input = {
  prompt: 'How should I cache HTTP responses in a CLI tool? Keep it short.',
  history: [
    { role: 'user' as const, content: 'We talked about caching before.' },
    { role: 'assistant' as const, content: 'Yes: ETags and max-age, mostly.' },
  ],
  context: [{ label: 'src/cache.ts', content: 'export const cache = new Map<string, Response>();\n' }],
};

describe('estimate: an upper bound of what a run uses, before it sends anything', () => {
  const fake = useFakeServer();
  let server: FakeServer;
  beforeEach(() => {
    server = fake();
  });

  /** Proposers write as much as they may (the server cuts them at max_tokens); JSON requests get the default reply. */
  function verbose(stop?: boolean) {
    server.setResponder((req) => {
      const kind = kindOf(req);
      if (kind === 'judge' && stop !== undefined) {
        return { text: JSON.stringify({ reason: 'r', scores: scoresFor(req, [1, 2]), stop, stopReason: 'because' }) };
      }
      if (kind === 'moderator' && stop !== undefined) return { text: JSON.stringify({ stop, reason: 'because' }) };
      if (kind === 'judge' || kind === 'moderator' || kind === 'roles') return undefined;
      return { text: LONG };
    });
  }

  const cases: { name: string; overrides: Partial<SmoaConfigInput>; stop?: boolean }[] = [
    ...STRATEGIES.map((strategy) => ({ name: `${strategy}, no early stop`, overrides: { strategy, earlyStop: false, layers: 3 } })),
    ...STRATEGIES.map((strategy) => ({ name: `${strategy}, early stop after layer 1`, overrides: { strategy, earlyStop: true, layers: 3 }, stop: true })),
    { name: 'smoa, early stop asked but never taken', overrides: { strategy: 'smoa', layers: 3 }, stop: false },
    { name: 'smoa with generated roles', overrides: { strategy: 'smoa', roles: 'auto', layers: 2 } },
    { name: 'smoa with a separate moderator', overrides: { strategy: 'smoa', moderator: 'c', layers: 3 }, stop: false },
    { name: 'smoa with configured roles and proposerMaxTokens', overrides: { strategy: 'smoa', roles: ['You are terse.', 'You are careful.', 'You doubt.', 'You teach.'], proposerMaxTokens: 120 } },
    { name: 'moa, 4 layers', overrides: { strategy: 'moa', layers: 4 } },
    { name: 'smoa with a jury of two judges, both orders, recusal', overrides: { strategy: 'smoa', judge: ['b', 'c'], judgeOrders: 2, judgeRecusal: true, layers: 2 } },
    { name: 'self with windowed synthesis (Self-MoA-Seq)', overrides: { strategy: 'self', samples: 7, selfWindow: 2, layers: 1 } },
    { name: 'debate, the moderator never stops it', overrides: { strategy: 'debate', layers: 3 }, stop: false },
    { name: 'adaptive, the first proposers disagree and the rest join', overrides: { strategy: 'adaptive', layers: 2 }, stop: false },
  ];
  for (const c of cases) {
    it(`bounds the actual usage at the fake server: ${c.name}`, async () => {
      verbose(c.stop);
      const config = bounded(server, c.overrides);
      const estimate = estimateRun(config, input);
      const { result, events } = await record(config, input, { roleCache: new MemoryRoleCache() });
      assert.equal(result.status, 'ok', result.error);
      const usage = server.totalUsage();
      assert.ok(estimate.completionTokens !== null && estimate.costUsd !== null, 'every model has maxTokens and a price');
      assert.ok(estimate.calls >= result.totals.calls, `calls ${estimate.calls} >= ${result.totals.calls}`);
      assert.ok(estimate.promptTokens >= usage.prompt_tokens, `prompt ${estimate.promptTokens} >= ${usage.prompt_tokens}`);
      assert.ok(estimate.completionTokens >= usage.completion_tokens, `completion ${estimate.completionTokens} >= ${usage.completion_tokens}`);
      assert.ok(estimate.costUsd >= result.totals.cost!.usd, `cost ${estimate.costUsd} >= ${result.totals.cost!.usd}`);
      // Per stage too: what each stage used is within its own bound.
      const calls = ofType(events, 'call-started');
      // (Self-MoA-Seq's synthesis steps are compared together: which step a call was is in its note only.)
      const keys = new Set(estimate.stages.map((st) => `${st.stage}/${st.layer}`));
      for (const key of keys) {
        const stages = estimate.stages.filter((st) => `${st.stage}/${st.layer}` === key);
        const ids = new Set(calls.filter((st) => `${st.stage}/${st.layer}` === key).map((st) => st.callId));
        const used = ofType(events, 'call-done').filter((d) => ids.has(d.callId)).reduce((a, d) => a + d.usage.promptTokens, 0);
        const bound = stages.reduce((a, st) => a + st.promptTokens, 0);
        assert.ok(bound >= used, `${key}: prompt ${bound} >= ${used}`);
        assert.ok(stages.reduce((a, st) => a + st.calls, 0) >= ids.size, `${key}: calls`);
      }
      // Strategies with a moderator end early when it says stop (adaptive: when its first proposers agree).
      if (c.stop && ['smoa', 'debate', 'adaptive'].includes(config.strategy)) {
        assert.ok(estimate.calls > result.totals.calls, `an early stop uses less than the bound (${estimate.calls} > ${result.totals.calls})`);
      }
    });
  }

  it('is not wildly loose for plain prose: within 4x of the prompt tokens a full run used', async () => {
    verbose();
    const config = bounded(server, { strategy: 'moa', layers: 2 });
    const estimate = estimateRun(config, input);
    await record(config, input);
    assert.ok(estimate.promptTokens <= 4 * server.totalUsage().prompt_tokens, `${estimate.promptTokens} vs ${server.totalUsage().prompt_tokens}`);
  });

  it('says "unbounded" for a stage whose model has no maxTokens, and does not guess a cost', () => {
    const config = testConfig(
      { url: 'http://127.0.0.1:1/v1' } as FakeServer,
      {
        strategy: 'smoa',
        models: [
          { id: 'a', endpoint: 'local', model: 'model-a', maxTokens: 500, price },
          { id: 'b', endpoint: 'local', model: 'model-b', price },
          { id: 'c', endpoint: 'local', model: 'model-c', maxTokens: 500, price },
          { id: 'd', endpoint: 'local', model: 'model-d', maxTokens: 500, price },
        ],
        proposers: ['a', 'c', 'd'],
        judge: 'b',
      },
    );
    const estimate = estimateRun(config, input);
    const judge = estimate.stages.find((s) => s.stage === 'judge')!;
    assert.equal(judge.completionTokens, null);
    assert.equal(judge.costUsd, null);
    assert.deepEqual(judge.unbounded, ['b']);
    const layer1 = estimate.stages.find((s) => s.label === 'layer 1 proposers')!;
    assert.equal(layer1.completionTokens, 1500, 'the other stages stay bounded');
    assert.equal(estimate.completionTokens, null);
    assert.equal(estimate.costUsd, null);
    assert.match(describeEstimate(estimate), /unbounded completion tokens \(no maxTokens: b\)/);
  });

  it('gives tokens but no cost when a model has no price', () => {
    const config = testConfig({ url: 'http://127.0.0.1:1/v1' } as FakeServer, {
      strategy: 'single',
      models: [{ id: 'a', endpoint: 'local', model: 'model-a', maxTokens: 100 }],
      proposers: ['a'],
      aggregator: 'a',
      judge: undefined,
    });
    const estimate = estimateRun(config, { prompt: 'hi' });
    assert.equal(estimate.calls, 1);
    assert.equal(estimate.completionTokens, 100);
    assert.equal(estimate.costUsd, null);
    assert.match(describeEstimate(estimate), /cost unknown \(no price for a\)/);
  });

  it('reads each strategy\'s stages from its traits', () => {
    const config = bounded({ url: 'http://127.0.0.1:1/v1' } as FakeServer, { layers: 2, earlyStop: true });
    assert.deepEqual(
      stagePlans(config, 'smoa').map((p) => p.stage),
      ['proposer', 'judge', 'proposer', 'judge', 'aggregator'],
    );
    assert.equal(estimateRun(config, input, { strategy: 'single' }).calls, 1);
    assert.equal(estimateRun(config, input, { strategy: 'rank' }).calls, 5);
    assert.equal(estimateRun(config, input, { strategy: 'moa' }).calls, 9);
  });

  it('bounds a prompt by two UTF-8 bytes a token, so other scripts are not undercounted', () => {
    assert.equal(tokenBound('abcd'), 2);
    assert.equal(tokenBound('日本語'), 5, 'three bytes a character');
    assert.equal(tokenBound('😀'), 2, 'an astral character is four bytes');
    assert.equal(tokenBound(''), 0);
  });
});
