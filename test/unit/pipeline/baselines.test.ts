import assert from 'node:assert/strict';
import type { FakeRequest } from '../../server/fake-openai';
import { parseConfig } from '../../../src/pipeline/config';
import { foldEvents } from '../../../src/pipeline/trace';
import { ofType, record, stageOf, systemOf, useFakeServer } from '../helpers/engine-harness';
import { testConfig } from '../helpers/config';

// The baselines of issue 12 as call graphs: which models are called, how often, and which answers reach which call.

const candidatesIn = (req: FakeRequest, label = 'Candidate') => (systemOf(req).match(new RegExp(`### ${label} \\d+`, 'g')) ?? []).length;

describe('strategies: self, debate, adaptive', () => {
  const fake = useFakeServer({ ttftMs: 0, tokensPerSecond: 0 });

  /** Proposers answer "answer of <model> #n" (n counts that model's calls), the moderator says what the test wants. */
  function respond(moderatorStops: boolean) {
    const server = fake();
    const counts = new Map<string, number>();
    server.setResponder((req) => {
      const stage = stageOf(req);
      if (stage === 'moderator') return { text: JSON.stringify({ stop: moderatorStops, reason: moderatorStops ? 'they agree' : 'they differ' }) };
      if (stage !== 'proposer') return undefined;
      const n = (counts.get(req.model) ?? 0) + 1;
      counts.set(req.model, n);
      return { text: `answer of ${req.model} #${n}` };
    });
    return server;
  }

  it('self: only selfModel proposes, samples times per layer, every answer feeds the next layer and the aggregator', async () => {
    const server = respond(false);
    const config = testConfig(server, { strategy: 'self', selfModel: 'c', samples: 3, layers: 2 });
    const { result } = await record(config, { prompt: 'q' });
    assert.equal(result.status, 'ok', result.error);
    const proposals = server.requests.filter((r) => stageOf(r) === 'proposer');
    assert.equal(proposals.length, 6);
    assert.ok(proposals.every((r) => r.model === 'model-c'), 'only the self model proposes');
    assert.deepEqual(proposals.slice(3).map((r) => candidatesIn(r)), [3, 3, 3], 'layer 2 sees all three samples');
    const aggregator = server.requests.filter((r) => stageOf(r) === 'aggregator');
    assert.equal(aggregator.length, 1);
    assert.equal(aggregator[0].model, 'model-a');
    assert.equal(candidatesIn(aggregator[0]), 3);
    assert.equal(server.requests.filter((r) => stageOf(r) === 'judge' || stageOf(r) === 'roles').length, 0);
  });

  it('self with selfWindow: the aggregator folds the samples in windows (Self-MoA-Seq)', async () => {
    const server = respond(false);
    const config = testConfig(server, { strategy: 'self', samples: 5, selfWindow: 2, layers: 1 });
    const { result, events } = await record(config, { prompt: 'q' });
    assert.equal(result.status, 'ok', result.error);
    const steps = server.requests.filter((r) => stageOf(r) === 'synthesis');
    assert.deepEqual(steps.map((r) => candidatesIn(r)), [2, 3], 'window 1: two answers; window 2: the synthesis and two more');
    assert.ok(systemOf(steps[1]).includes(`### Candidate 1\n${ofType(events, 'call-done').find((e) => e.callId === ofType(events, 'call-started').find((s) => s.stage === 'synthesis')!.callId)!.text.trim()}`));
    const final = server.requests.filter((r) => stageOf(r) === 'aggregator');
    assert.equal(final.length, 1);
    assert.equal(candidatesIn(final[0]), 2, 'the running synthesis and the last answer');
    assert.ok(server.requests.every((r) => stageOf(r) !== 'proposer' || r.model === 'model-a'), 'selfModel defaults to the first proposer');
    assert.equal(foldEvents(events).answer, result.answer);
  });

  it('debate: each debater sees the others\' previous answers, not its own among them, and no judge runs', async () => {
    const server = respond(false);
    const config = testConfig(server, { strategy: 'debate', layers: 2, earlyStop: false });
    const { result } = await record(config, { prompt: 'q' });
    assert.equal(result.status, 'ok', result.error);
    const proposals = server.requests.filter((r) => stageOf(r) === 'proposer');
    assert.equal(proposals.length, 8);
    for (const req of proposals.slice(4)) {
      const system = systemOf(req);
      assert.equal(candidatesIn(req, 'Other debater'), 3, 'three other debaters');
      const others = system.slice(0, system.indexOf('### Your previous answer'));
      assert.ok(!others.includes(`answer of ${req.model} #1`), `${req.model} is not shown its own answer as another's`);
      for (const m of ['model-a', 'model-b', 'model-c', 'model-d'].filter((m) => m !== req.model)) assert.ok(others.includes(`answer of ${m} #1`));
      assert.ok(system.includes(`### Your previous answer\nanswer of ${req.model} #1`), 'and its own as its own');
    }
    assert.equal(server.requests.filter((r) => stageOf(r) === 'judge').length, 0);
    assert.equal(candidatesIn(server.requests.find((r) => stageOf(r) === 'aggregator')!), 4, 'the aggregator gets the last round');
  });

  it('debate with earlyStop: the moderator ends the debate when the debaters agree', async () => {
    const server = respond(true);
    const config = testConfig(server, { strategy: 'debate', layers: 3 });
    const { result, events } = await record(config, { prompt: 'q' });
    assert.equal(result.status, 'ok', result.error);
    assert.equal(server.requests.filter((r) => stageOf(r) === 'proposer').length, 4, 'one round only');
    assert.deepEqual(ofType(events, 'layer-skipped').map((e) => e.layer), [2, 3]);
    assert.equal(ofType(events, 'moderator-decision')[0].stop, true);
  });

  it('adaptive, agreement: two proposers answer, the aggregator answers from them, the rest is skipped and said', async () => {
    const server = respond(true);
    const config = testConfig(server, { strategy: 'adaptive', layers: 2 });
    const { result, events } = await record(config, { prompt: 'q' });
    assert.equal(result.status, 'ok', result.error);
    const proposals = server.requests.filter((r) => stageOf(r) === 'proposer');
    assert.deepEqual(proposals.map((r) => r.model).sort(), ['model-a', 'model-b']);
    assert.equal(server.requests.filter((r) => stageOf(r) === 'judge').length, 0);
    assert.equal(candidatesIn(server.requests.find((r) => stageOf(r) === 'aggregator')!), 2);
    const [decision] = ofType(events, 'adaptive-decision');
    assert.equal(decision.agree, true);
    assert.equal(decision.callsSaved, 2 + 1 + 1 * (4 + 1), 'two proposers and the judge of layer 1, and all of layer 2');
    assert.deepEqual(ofType(events, 'layer-skipped').map((e) => e.layer), [2]);
    const trace = foldEvents(events);
    assert.equal(trace.layers[0].adaptive?.agree, true);
    assert.equal(trace.layers[0].proposers.length, 2);
  });

  it('adaptive, disagreement: the rest of layer 1 joins, then the run goes on as SMoA (judge keeps k)', async () => {
    const server = respond(false);
    const config = testConfig(server, { strategy: 'adaptive', layers: 2, earlyStop: false });
    const { result, events } = await record(config, { prompt: 'q' });
    assert.equal(result.status, 'ok', result.error);
    const proposals = server.requests.filter((r) => stageOf(r) === 'proposer');
    assert.equal(proposals.length, 8, 'four in layer 1 (two, then two more), four in layer 2');
    assert.deepEqual(proposals.slice(0, 2).map((r) => r.model).sort(), ['model-a', 'model-b'], 'the first two go first');
    assert.equal(ofType(events, 'layer-widened')[0].proposers.map((p) => p.slot).join(), '2,3');
    assert.equal(server.requests.filter((r) => stageOf(r) === 'judge').length, 2);
    assert.deepEqual(proposals.slice(4).map((r) => candidatesIn(r)), [2, 2, 2, 2], 'layer 2 sees the judge\'s two');
    const trace = foldEvents(events);
    assert.equal(trace.layers[0].proposers.length, 4);
    assert.equal(trace.layers[0].adaptive?.agree, false);
  });

  it('names the field when a baseline setting is wrong', () => {
    const base = { models: [{ id: 'a', endpoint: 'vscode', model: 'x' }, { id: 'b', endpoint: 'vscode', model: 'y' }], proposers: ['a', 'b'], aggregator: 'a', topK: 1 };
    const issues = (input: object) => {
      const r = parseConfig({ ...base, ...input });
      return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
    };
    assert.match(issues({ selfModel: 'x' })[0], /^selfModel: unknown model "x"/);
    assert.match(issues({ adaptiveStart: 3 })[0], /^adaptiveStart: must be between 1 and the number of proposers \(2\)/);
    assert.match(issues({ samples: 4, selfWindow: 4 })[0], /^selfWindow: must be less than the number of samples \(4\)/);
  });
});
