import assert from 'node:assert/strict';
import { resolveConfig } from '../../../src/host/config-resolver';
import { RunService } from '../../../src/host/run-service';
import { consultTool as consult, CONSULT_INPUT_SCHEMA } from '../../../src/models/consult';
import { describePlan } from '../../../src/host/consult';
import { answerWithEnsemble, conversationOf } from '../../../src/models/ensemble-model';
import { LM_ROLE, type LmMessage } from '../../../src/models/message-mapping';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import { loadConfig, STRATEGIES } from '../../../src/pipeline/config';
import { startFakeServer, type FakeServer } from '../../server/fake-openai';
import { kindOf } from '../helpers/engine-harness';

// The ensemble model and the consult tool end to end: real RunService, engine and SDK against the fake server.

const user = (value: string): LmMessage => ({ role: LM_ROLE.user, content: [{ value }] });
const assistant = (...content: unknown[]): LmMessage => ({ role: LM_ROLE.assistant, content });

function services(server: FakeServer, overrides: Record<string, unknown> = {}) {
  const settings: Record<string, unknown> = {
    endpoints: [{ id: 'local', baseURL: server.url, maxRetries: 0 }],
    models: [
      { id: 'a', endpoint: 'local', model: 'model-a' },
      { id: 'b', endpoint: 'local', model: 'model-b' },
    ],
    proposers: ['a', 'b', 'a'],
    aggregator: 'a',
    judge: 'b',
    layers: 2,
    topK: 2,
    roles: 'off',
    ...overrides,
  };
  const sources = { settingsInput: () => settings, vscodeModels: async () => [] };
  const pool = new EndpointPool();
  const runs = new RunService({
    getConfig: async () => {
      const r = await resolveConfig(sources);
      if (!r.ok) throw new Error(r.problem.message);
      return r.config;
    },
    clientFor: (config) => createClientFactory(config, pool),
  });
  return { runs, resolveConfig: () => resolveConfig(sources) };
}

describe('SMoA ensemble model', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer({ ttftMs: 0, tokensPerSecond: 0 });
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  it('makes the last user message the prompt and earlier turns the history; tool traffic becomes text, system is left out', () => {
    const { prompt, history } = conversationOf([
      { role: LM_ROLE.system, content: [{ value: 'You are an agent with tools.' }] },
      user('What is in a.ts?'),
      assistant({ callId: 'c1', name: 'readFile', input: { path: 'a.ts' } }),
      { role: LM_ROLE.user, content: [{ callId: 'c1', content: [{ value: 'export const a = 1;' }] }] },
      assistant({ value: 'It exports a.' }),
      user('Why?'),
    ]);
    assert.equal(prompt, 'Why?');
    assert.deepEqual(
      history.map((m) => m.role),
      ['user', 'assistant', 'user', 'assistant'],
    );
    assert.match(history[1].content, /called tool readFile with \{"path":"a.ts"\}/);
    assert.match(history[2].content, /export const a = 1;/);
    assert.ok(!history.some((m) => m.content.includes('agent with tools')));
  });

  it('streams the aggregator answer as the model stream, from a run kept with origin "provider"', async () => {
    server.setResponder((req) => (kindOf(req) === 'synthesis' ? { text: 'The synthesized answer.' } : undefined));
    const deps = services(server);
    const started: string[] = [];
    deps.runs.onDidStartRun((run) => started.push(run.origin));
    const pieces: string[] = [];
    const outcome = await answerWithEnsemble([user('How do I debounce?')], deps, new AbortController().signal, (t) => pieces.push(t));
    assert.equal(outcome.status, 'ok');
    assert.equal(pieces.join(''), 'The synthesized answer.', 'nothing but the answer');
    assert.ok(pieces.length > 1);
    assert.deepEqual(started, ['provider']);
    const run = deps.runs.get(outcome.runId);
    assert.ok(run?.done);
    assert.ok(server.requests.some((r) => kindOf(r) === 'judge'));
  });

  it('fails with the settings problem when the config is invalid, before any request', async () => {
    const deps = services(server, { aggregator: 'nope' });
    await assert.rejects(answerWithEnsemble([user('q')], deps, new AbortController().signal, () => {}), /smoa\.aggregator: unknown model "nope"/);
    assert.equal(server.requests.length, 0);
  });

  it('refuses a panel that names the ensemble itself, which would ask itself forever', async () => {
    const deps = services(server, {
      models: [{ id: 'loop', endpoint: 'vscode', model: 'smoa/smoa-ensemble' }],
      proposers: ['loop'],
      aggregator: 'loop',
      judge: 'loop',
      topK: 1,
    });
    await assert.rejects(answerWithEnsemble([user('q')], deps, new AbortController().signal, () => {}), /entry "loop" is the ensemble itself/);
    assert.equal(server.requests.length, 0);
  });

  it('fails with the run id and the reason when no answer came out', async () => {
    server.setResponder(() => ({ fault: { kind: 'server-error' } }));
    await assert.rejects(
      answerWithEnsemble([user('q')], services(server), new AbortController().signal, () => {}),
      /SMoA ensemble run \S+ failed: all 3 proposers failed in layer 1/,
    );
  });

  it('returns quietly when cancelled', async () => {
    const controller = new AbortController();
    server.setResponder(() => ({ text: 'slow '.repeat(200), tokensPerSecond: 40 }));
    setTimeout(() => controller.abort(), 100);
    const outcome = await answerWithEnsemble([user('q')], services(server), controller.signal, () => {});
    assert.equal(outcome.status, 'cancelled');
  });
});

describe('smoa_consult tool', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer({ ttftMs: 0, tokensPerSecond: 0 });
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  it('returns the answer, then the run totals and which models the judge kept', async () => {
    server.setResponder((req) => (kindOf(req) === 'synthesis' ? { text: 'Use a trie.' } : undefined));
    const text = await consult({ prompt: 'Fastest prefix search?', context: 'We have 1M words.' }, services(server), new AbortController().signal);
    const [answer, notes] = text.split('\n\n---\n');
    assert.equal(answer, 'Use a trie.');
    assert.match(notes, /^SMoA run \S+ \(SMoA\): ok; \d layers?, \d+ calls/);
    assert.match(notes, /judge kept: layer 1: [ab], [ab]/);
    const proposal = server.requests.find((r) => kindOf(r) === 'plain');
    assert.match(proposal?.messages.at(-1)?.content ?? '', /We have 1M words\.[\s\S]*Fastest prefix search\?/);
  });

  it('runs the strategy the agent asks for', async () => {
    const text = await consult({ prompt: 'q', strategy: 'single' }, services(server), new AbortController().signal);
    assert.equal(server.requests.length, 1);
    assert.match(text, /\(Single model\): ok; 1 call, /);
    assert.doesNotMatch(text, /judge kept/);
  });

  it('describes the plan for the confirmation: strategy, proposers, layers', () => {
    const config = loadConfig({
      endpoints: [{ id: 'e', baseURL: 'http://127.0.0.1:1/v1' }],
      models: [{ id: 'a', endpoint: 'e', model: 'm' }],
      proposers: ['a', 'a'],
      aggregator: 'a',
      topK: 1,
    });
    assert.equal(describePlan(config), 'SMoA: proposers a, a; up to 2 layers; a writes the answer');
    assert.equal(describePlan(config, 'moa'), 'MoA: proposers a, a; 2 layers; a writes the answer');
    assert.equal(describePlan(config, 'rank'), 'Rank: proposers a, a; 1 layer; the judge picks the best answer');
    assert.equal(describePlan(config, 'single'), 'Single model: a answers alone');
    assert.equal(describePlan(config, 'self'), 'Self-MoA: proposers a, a; 2 layers; a writes the answer');
    assert.equal(describePlan(config, 'adaptive'), 'Adaptive: proposers a, a; up to 2 layers; a writes the answer');
  });

  it('offers every strategy in its input schema', () => {
    assert.deepEqual(CONSULT_INPUT_SCHEMA.properties.strategy.enum, [...STRATEGIES]);
    // "prompt" as over MCP; the old name "question" is still accepted for one release, so neither is required here.
    assert.deepEqual(Object.keys(CONSULT_INPUT_SCHEMA.properties).sort(), ['context', 'prompt', 'question', 'strategy']);
    assert.equal(CONSULT_INPUT_SCHEMA.required, undefined);
  });

  it('still accepts the deprecated "question" for one release', async () => {
    server.setResponder((req) => (kindOf(req) === 'synthesis' ? { text: 'Old name works.' } : undefined));
    const text = await consult({ question: 'Fastest prefix search?', strategy: 'single' }, services(server), new AbortController().signal);
    assert.match(text, /^Old name works\.\n\n---\nSMoA run /);
    assert.match(server.requests[0].messages.at(-1)?.content ?? '', /Fastest prefix search\?/);
  });

  it('refuses a consultation without a question, naming the field, before any request', async () => {
    await assert.rejects(consult({ context: 'only context' }, services(server), new AbortController().signal), /smoa_consult: "prompt" must be a non-empty string/);
    await assert.rejects(consult({ prompt: 'q', strategy: 'fast' as never }, services(server), new AbortController().signal), /"strategy" must be one of smoa, moa/);
    assert.equal(server.requests.length, 0);
  });
});
