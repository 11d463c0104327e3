import assert from 'node:assert/strict';
import { resolveConfig } from '../../../src/host/config-resolver';
import { RunService } from '../../../src/host/run-service';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import { foldEvents } from '../../../src/pipeline/trace';
import { estimateDense } from '../../../src/views/dense-estimate';
import { PanelSession, type PanelPort } from '../../../src/views/panel-session';
import type { HostMessage } from '../../../src/views/protocol';
import { proseAnswer } from '../../../test/server/default-responder';
import { kindOf, record, withServer } from '../helpers/engine-harness';
import { testConfig, testConfigInput } from '../helpers/config';
import { testRunService } from '../helpers/run-service';

function fakePort(file?: { name: string; text: string }) {
  const posted: HostMessage[] = [];
  const inserted: unknown[] = [];
  const port: PanelPort = {
    post: (m) => void posted.push(m),
    insert: async (t) => void inserted.push(t),
    copy: async () => undefined,
    saveTrace: async () => 'x.json',
    openTraceFile: async () => file,
  };
  return { port, posted, inserted };
}

describe('trace panel host session', () => {
  it('opens a saved trace file, and inserts its answer as text (the run is not in this window)', async () => {
    await withServer({}, async (server) => {
      const { events } = await record(testConfig(server), { prompt: 'hello' });
      const trace = foldEvents(events);
      const { port, posted, inserted } = fakePort({ name: 'saved.json', text: JSON.stringify(trace) });
      const runs = testRunService(server);
      const session = new PanelSession({ runs }, port);
      await session.receive({ type: 'ready' });
      await session.receive({ type: 'openTraceFile' });
      const loaded = posted.find((m) => m.type === 'traceLoaded');
      assert.equal(loaded?.type === 'traceLoaded' && loaded.trace.answer, trace.answer);
      const entryId = loaded?.type === 'traceLoaded' ? loaded.runId : '';
      assert.deepEqual(posted.at(-1)?.type === 'runList' && posted.at(-1), { type: 'runList', runs: [{ runId: entryId, origin: 'saved.json', prompt: 'hello', strategy: 'smoa', startedAt: trace.startedAt, status: 'ok', offline: true }] });
      await session.receive({ type: 'insert', runId: entryId });
      assert.deepEqual(inserted, [{ text: trace.answer, label: 'saved.json' }]);
      session.dispose();
    });
  });

  for (const [what, text, expected] of [
    ['not JSON', '{oops', /not valid JSON/],
    ['another format', JSON.stringify({ version: 7 }), /unsupported trace version 7/],
    ['a broken trace', JSON.stringify({ version: 1, layers: [], calls: [{}], answer: '' }), /runId|calls/],
  ] as const) {
    it(`says clearly why a file is not a trace (${what})`, async () => {
      const { port, posted } = fakePort({ name: 'bad.json', text });
      const runs = new RunService({ getConfig: () => Promise.reject(new Error('unused')), clientFor: () => () => ({ complete: () => Promise.reject(new Error('unused')) }) });
      const session = new PanelSession({ runs }, port);
      await session.receive({ type: 'ready' });
      await session.receive({ type: 'openTraceFile' });
      const error = posted.find((m) => m.type === 'error');
      assert.ok(error?.type === 'error');
      assert.match(error.message, /^Cannot open bad\.json as a SMoA trace: /);
      assert.match(error.message, expected);
      session.dispose();
    });
  }

  it('reports a settings problem as the defaults\' error and ignores malformed messages', async () => {
    const { port, posted } = fakePort();
    const runs = new RunService({ getConfig: () => Promise.reject(new Error('no models')), clientFor: () => () => ({ complete: () => Promise.reject(new Error('x')) }) });
    const session = new PanelSession({ runs, currentConfig: async () => ({ ok: false, problem: { message: 'smoa.models: required' } }) }, port);
    await session.receive({ type: 'run', prompt: 'x' });
    assert.deepEqual(posted, [], 'an invalid message does nothing');
    await session.receive({ type: 'ready' });
    assert.deepEqual(posted[0], { type: 'config', defaults: { strategy: 'smoa', layers: 2, topK: 2, proposers: 0, configError: 'smoa.models: required' } });
    await session.receive({ type: 'run', prompt: 'x', strategy: 'smoa', layers: 2, topK: 2 });
    assert.equal(runs.list().length, 0, 'no run starts');
    assert.deepEqual((posted as HostMessage[]).filter((m) => m.type === 'error'), [], 'the problem next to Run is not repeated in a banner');
    session.dispose();
  });
});

describe('dense MoA estimate', () => {
  it('extrapolates the run\'s own calls to every proposer in every layer', async () => {
    await withServer({}, async (server) => {
      // Answers of a realistic length (the fake's own are ~50 tokens, shorter than the judge's instructions).
      server.setResponder((req) => (kindOf(req) === 'plain' || kindOf(req) === 'synthesis' ? { text: proseAnswer(req).repeat(6) } : undefined));
      const config = testConfig(server, { layers: 2, topK: 1 });
      const trace = foldEvents((await record(config, { prompt: 'hello' })).events);
      const dense = estimateDense(trace)!;
      assert.equal(dense.calls, 2 * 4 + 1);
      assert.equal(dense.usd, undefined, 'no prices: no cost');
      const actual = trace.totals!.promptTokens + trace.totals!.completionTokens;
      assert.ok(dense.promptTokens + dense.completionTokens > actual * 0.8, 'dense reads every answer, so it costs at least about as much');
      assert.equal(estimateDense({ ...trace, strategy: 'moa' }), undefined);
    });
  });
});

describe('trace panel host session: which run the panel shows (issue 10)', () => {
  function setup(server: Parameters<typeof testConfig>[0], file?: { name: string; text: string }) {
    const { port, posted, inserted } = fakePort(file);
    const runs = testRunService(server);
    const session = new PanelSession({ runs }, port);
    const shown = () => posted.filter((m) => m.type === 'runStarted' || m.type === 'traceLoaded').map((m) => (m.type === 'runStarted' ? m.runId : m.runId));
    return { runs, session, posted, inserted, shown };
  }

  it('a running run is listed with its prompt, not "(no prompt)" (issue 23, item 8)', async () => {
    await withServer({}, async (server) => {
      const { runs, session, posted } = setup(server);
      await session.receive({ type: 'ready' });
      const run = await runs.start({ prompt: 'explain closures' }, { origin: 'chat' });
      // The list the panel got when the run was announced (it is re-sent only when the run ends).
      const announced = posted.filter((m) => m.type === 'runList').at(-1);
      assert.ok(announced?.type === 'runList');
      assert.deepEqual(announced.runs.map((r) => [r.prompt, r.status, r.runId]), [['explain closures', 'running', run.runId]]);
      await run.result;
      session.dispose();
    });
  });

  it('"Open trace" of a run shows that run when the hidden panel reloads with another one selected (item 5)', async () => {
    await withServer({}, async (server) => {
      const { runs, session, shown } = setup(server);
      await session.receive({ type: 'ready' });
      const a = await runs.start({ prompt: 'a' }, { origin: 'chat' });
      await a.result;
      const b = await runs.start({ prompt: 'b' }, { origin: 'chat' });
      await b.result;
      await session.receive({ type: 'selectRun', runId: b.runId });
      // The panel goes behind another tab (its webview is torn down); chat's "Open trace" asks for run a.
      session.showRun(a.runId);
      const before = shown().length;
      // The webview comes back with its own saved selection (b): the requested run still wins.
      await session.receive({ type: 'ready', restoredRunId: b.runId });
      assert.deepEqual(shown().slice(before), [a.runId]);
      session.dispose();
    });
  });

  it('after a reload with nothing requested, the panel gets its restored run back', async () => {
    await withServer({}, async (server) => {
      const { runs, session, shown } = setup(server);
      const a = await runs.start({ prompt: 'a' }, { origin: 'chat' });
      await a.result;
      await session.receive({ type: 'ready', restoredRunId: a.runId });
      assert.deepEqual(shown(), [a.runId]);
      session.dispose();
    });
  });

  it('follows a new run, unless the user picked another run after it started (item 7)', async () => {
    await withServer({ ttftMs: 30, tokensPerSecond: 200 }, async (server) => {
      const { runs, session, shown } = setup(server);
      await session.receive({ type: 'ready' });
      const old = await runs.start({ prompt: 'old' }, { origin: 'chat' });
      await old.result;
      await session.receive({ type: 'selectRun', runId: old.runId });
      const live = await runs.start({ prompt: 'new' }, { origin: 'chat' });
      assert.equal(shown().at(-1), live.runId, 'a run started elsewhere is followed');
      await session.receive({ type: 'selectRun', runId: old.runId });
      await live.result;
      assert.equal(shown().at(-1), old.runId, 'the user picked the old run after the new one started: it stays');
      // The panel's own run is shown once, not twice.
      const count = shown().length;
      await session.receive({ type: 'run', prompt: 'mine', strategy: 'single', layers: 1, topK: 1 });
      assert.equal(shown().length, count + 1);
      await Promise.all(runs.list().map((r) => r.result));
      session.dispose();
    });
  });

  it('a loaded trace file is its own entry: own id, its file name, in the order it was opened (item 6)', async () => {
    await withServer({}, async (server) => {
      const first = await (async () => {
        const { runs } = setup(server);
        const run = await runs.start({ prompt: 'original' }, { origin: 'chat' });
        await run.result;
        return run;
      })();
      const { runs, session, posted, shown } = setup(server, { name: 'saved.json', text: JSON.stringify(first.trace) });
      // The original run is in this window too (runId shared with the file's trace).
      (runs as unknown as { runs: unknown[] }).runs.push(first);
      await session.receive({ type: 'ready' });
      await session.receive({ type: 'openTraceFile' });
      const loaded = posted.filter((m) => m.type === 'traceLoaded').at(-1)!;
      assert.ok(loaded.type === 'traceLoaded');
      assert.notEqual(loaded.runId, first.runId, 'the file gets an id of its own');
      assert.equal(loaded.trace.runId, first.runId, 'the trace inside is unchanged');
      const later = await runs.start({ prompt: 'later' }, { origin: 'chat' });
      await later.result;
      const list = posted.filter((m) => m.type === 'runList').at(-1)!;
      assert.ok(list.type === 'runList');
      assert.deepEqual(list.runs.map((r) => [r.runId === loaded.runId ? 'file' : r.prompt, r.origin]), [
        ['original', 'chat'],
        ['file', 'saved.json'],
        ['later', 'chat'],
      ]);
      assert.equal(new Set(list.runs.map((r) => r.runId)).size, 3, 'no two entries share an id');
      await session.receive({ type: 'selectRun', runId: loaded.runId });
      const again = posted.at(-1)!;
      assert.ok(again.type === 'traceLoaded' && again.source === 'saved.json' && again.runId === loaded.runId);
      assert.equal(shown().at(-1), loaded.runId);
      session.dispose();
    });
  });

  it("the panel's own Top k is checked, not the invalid setting it overrides; a problem shows once (item 8)", async () => {
    await withServer({}, async (server) => {
      const settings = { ...testConfig(server), topK: 9 } as Record<string, unknown>;
      const resolve = (overrides?: Record<string, unknown>) => resolveConfig({ settingsInput: () => settings, vscodeModels: async () => [] }, undefined, overrides);
      const { port, posted } = fakePort();
      const runs = new RunService({
        getConfig: async () => {
          const r = await resolve();
          if (!r.ok) throw new Error(r.problem.message);
          return r.config;
        },
        clientFor: (c) => createClientFactory(c, new EndpointPool()),
      });
      const session = new PanelSession({ runs, currentConfig: resolve }, port);
      await session.receive({ type: 'ready' });
      const defaults = posted.find((m) => m.type === 'config');
      assert.ok(defaults?.type === 'config');
      assert.match(defaults.defaults.configError ?? '', /smoa\.topK/);
      await session.receive({ type: 'run', prompt: 'x', strategy: 'smoa', layers: 1, topK: 2 });
      assert.deepEqual(posted.filter((m) => m.type === 'error'), [], 'top k 2 of 4 proposers is fine');
      const run = runs.list()[0];
      assert.ok(run, 'the run started');
      assert.equal(run.trace.config.topK, 2);
      await run.result;
      // With the panel's strategy needing no top k, the same bad setting is already shown once: no second banner.
      settings.aggregator = 'no-such-model';
      await session.refreshConfig();
      await session.receive({ type: 'run', prompt: 'x', strategy: 'moa', layers: 1, topK: 2 });
      const shownTwice = posted.filter((m) => m.type === 'error');
      assert.equal(runs.list().length, 1);
      const lastDefaults = posted.filter((m) => m.type === 'config').at(-1)!;
      assert.ok(lastDefaults.type === 'config');
      assert.match(lastDefaults.defaults.configError ?? '', /smoa\.aggregator: unknown model/, 'what refused the run is shown next to Run');
      assert.deepEqual(shownTwice, [], 'and not again as a banner');
      session.dispose();
    });
  });
});

describe('trace panel host session: a trace file opened before the webview is ready (issue 10, item 9)', () => {
  it('shows the file once the webview is ready, and a bad file\'s problem too', async () => {
    await withServer({}, async (server) => {
      const { events } = await record(testConfig(server), { prompt: 'saved' });
      const trace = foldEvents(events);
      const { port, posted } = fakePort({ name: 'kept.json', text: JSON.stringify(trace) });
      const runs = testRunService(server);
      const session = new PanelSession({ runs }, port);
      await session.openTraceFile();
      await session.receive({ type: 'ready' });
      const loaded = posted.filter((m) => m.type === 'traceLoaded');
      assert.equal(loaded.length, 1);
      assert.ok(loaded[0].type === 'traceLoaded' && loaded[0].source === 'kept.json');
      assert.equal(runs.shown?.label, 'kept.json', '"Insert Last Answer" now inserts this file\'s answer');
      session.dispose();

      const bad = fakePort({ name: 'bad.json', text: '{' });
      const session2 = new PanelSession({ runs }, bad.port);
      await session2.openTraceFile();
      await session2.receive({ type: 'ready' });
      assert.match(bad.posted.find((m) => m.type === 'error')?.type === 'error' ? (bad.posted.find((m) => m.type === 'error') as { message: string }).message : '', /Cannot open bad\.json/);
      session2.dispose();
    });
  });
});

describe('trace panel: a budget for one run', () => {
  it("the panel's Max tokens overrides smoa.budget for that run: the stages past it are not started, and said", async () => {
    await withServer({ ttftMs: 0, tokensPerSecond: 0 }, async (server) => {
      // Priced and capped models: the setting's $100 alone lets the run go ahead.
      const base = testConfigInput(server);
      const models = base.models.map((m) => ({ ...m, maxTokens: 200, price: { inputPerMTok: 1, outputPerMTok: 1 } }));
      const settings = { ...base, models, budget: { maxUsd: 100 } };
      const runs = testRunService(server);
      const sources = { settingsInput: () => settings, vscodeModels: async () => [] };
      const { port } = fakePort();
      const session = new PanelSession({ runs, currentConfig: (overrides) => resolveConfig(sources, undefined, overrides ? { ...overrides } : undefined) }, port);
      await session.receive({ type: 'ready' });
      await session.receive({ type: 'run', prompt: 'Design a cache', strategy: 'smoa', layers: 2, topK: 2, maxTokens: 1 });
      const run = runs.list().at(-1)!;
      await run.result;
      assert.deepEqual(run.trace.config.budget, { maxUsd: 100, maxTokens: 1 }, 'the setting\'s other limit stays');
      assert.ok(run.trace.budgetStops?.length, 'a budget-stop says what was not started');
      assert.equal(server.requests.length, 0, 'a 1-token budget starts nothing');
      session.dispose();
    });
  });

  it('Max tokens 1500 with models that have no maxTokens: an answer within the budget (shorter answers, not a failed run)', async () => {
    await withServer({ ttftMs: 0 }, async (server) => {
      server.setResponder((req) => (req.responseFormat ? undefined : { text: Array.from({ length: 600 }, (_, i) => `point${i % 17}`).join(' ') }));
      const settings = testConfigInput(server);
      const runs = testRunService(server);
      const sources = { settingsInput: () => settings, vscodeModels: async () => [] };
      const { port } = fakePort();
      const session = new PanelSession({ runs, currentConfig: (overrides) => resolveConfig(sources, undefined, overrides ? { ...overrides } : undefined) }, port);
      await session.receive({ type: 'ready' });
      await session.receive({ type: 'run', prompt: 'Design a cache', strategy: 'smoa', layers: 2, topK: 2, maxTokens: 1500 });
      const run = runs.list().at(-1)!;
      const result = await run.result;
      assert.equal(result.status, 'ok', result.error);
      assert.notEqual(result.answer, '');
      const billed = server.billedUsage();
      assert.ok(billed.prompt_tokens + billed.completion_tokens <= 1500, `the server counted ${billed.prompt_tokens + billed.completion_tokens} tokens`);
      assert.ok(server.requests.every((r) => r.maxTokens !== undefined), 'every call was sent a cap');
      session.dispose();
    });
  });
});
