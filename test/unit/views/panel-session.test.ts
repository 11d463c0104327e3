import assert from 'node:assert/strict';
import { RunService } from '../../../src/host/run-service';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/clients';
import { foldEvents } from '../../../src/pipeline/trace';
import { estimateDense } from '../../../src/views/dense-estimate';
import { PanelSession, type PanelPort } from '../../../src/views/panel-session';
import type { HostMessage } from '../../../src/views/protocol';
import { record, testConfig, withServer } from '../helpers/engine-harness';

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
      const runs = new RunService({ getConfig: () => testConfig(server), clientFor: (c) => createClientFactory(c, new EndpointPool()) });
      const session = new PanelSession({ runs }, port);
      await session.receive({ type: 'ready' });
      await session.receive({ type: 'openTraceFile' });
      const loaded = posted.find((m) => m.type === 'traceLoaded');
      assert.equal(loaded?.type === 'traceLoaded' && loaded.trace.answer, trace.answer);
      assert.deepEqual(posted.at(-1)?.type === 'runList' && posted.at(-1), { type: 'runList', runs: [{ runId: trace.runId, origin: 'file', prompt: 'hello', strategy: 'smoa', startedAt: trace.startedAt, status: 'ok', offline: true }] });
      await session.receive({ type: 'insert', runId: trace.runId });
      assert.deepEqual(inserted, [{ text: trace.answer }]);
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
    assert.deepEqual(posted.at(-1), { type: 'error', message: 'no models' });
    session.dispose();
  });
});

describe('dense MoA estimate', () => {
  it('extrapolates the run\'s own calls to every proposer in every layer', async () => {
    await withServer({}, async (server) => {
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
