import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { foldEvents } from '../../../src/pipeline/trace';
import { coalesce, EventBatcher } from '../../../src/views/batcher';
import { panelCsp, panelHtml } from '../../../src/views/html';
import { parseHostMessage, parseTrace, parseWebviewMessage } from '../../../src/views/protocol';
import { record, withServer } from '../helpers/engine-harness';
import { testConfig } from '../helpers/config';

describe('trace panel protocol', () => {
  it('accepts the messages the webview sends and refuses anything else', () => {
    assert.ok(parseWebviewMessage({ type: 'run', prompt: 'hi', strategy: 'smoa', layers: 2, topK: 2 }).ok);
    assert.ok(parseWebviewMessage({ type: 'insert', runId: 'r1' }).ok);
    for (const bad of [
      null,
      'ready',
      { type: 'eval', code: '1' },
      { type: 'run', prompt: '   ', strategy: 'smoa', layers: 2, topK: 2 },
      { type: 'run', prompt: 'x', strategy: 'dense', layers: 2, topK: 2 },
      { type: 'run', prompt: 'x', strategy: 'smoa', layers: 99, topK: 2 },
      { type: 'stop' },
      { type: 'export', runId: 42 },
    ]) {
      assert.equal(parseWebviewMessage(bad).ok, false, JSON.stringify(bad));
    }
  });

  it('validates host messages down to each event', async () => {
    await withServer({}, async (server) => {
      const { events } = await record(testConfig(server), { prompt: 'hello' });
      assert.ok(parseHostMessage({ type: 'runStarted', runId: 'r', origin: 'chat', events }).ok);
      assert.ok(parseHostMessage({ type: 'traceLoaded', runId: 'file-1', trace: foldEvents(events), source: 'f.json' }).ok);
      const broken = events.map((e) => (e.type === 'call-done' ? { ...e, usage: 'lots' } : e));
      const result = parseHostMessage({ type: 'events', runId: 'r', events: broken });
      assert.equal(result.ok, false);
      assert.match((result as { error: string }).error, /usage/);
      assert.equal(parseHostMessage({ type: 'events', runId: 'r', events: [{ type: 'self-destruct', t: 0 }] }).ok, false);
    });
  });

  it('names what is wrong with a trace file', () => {
    const result = parseTrace({ version: 1, runId: 'x', layers: [], calls: [{ callId: 1 }], answer: '' });
    assert.equal(result.ok, false);
    assert.match((result as { message: string }).message, /startedAt|calls/);
  });
});

describe('event batching', () => {
  it('merges each call\'s tokens and folds to the same trace as the raw events', async () => {
    await withServer({}, async (server) => {
      const { events } = await record(testConfig(server), { prompt: 'Write a function that adds numbers' });
      const squeezed = coalesce(events);
      assert.ok(squeezed.length < events.length / 3, `${squeezed.length} of ${events.length}`);
      assert.deepEqual(foldEvents(squeezed), foldEvents(events));
    });
  });

  it('a retried aggregator\'s restarted answer folds the same batched as raw (answer-reset closes the merge)', async () => {
    await withServer({ ttftMs: 0, tokensPerSecond: 0 }, async (server) => {
      let aggregatorCalls = 0;
      server.setResponder((req) => {
        if (req.headers['x-smoa-stage'] !== 'aggregator') return undefined;
        aggregatorCalls++;
        const text = 'alpha beta gamma delta';
        return aggregatorCalls === 1 ? { text, fault: { kind: 'cut-stream', afterTokens: 2 } } : { text };
      });
      const { events } = await record(testConfig(server, { strategy: 'moa', layers: 1 }), { prompt: 'hi' });
      assert.ok(events.some((e) => e.type === 'answer-reset'), 'the engine says the answer restarts');
      const raw = foldEvents(events);
      assert.equal(raw.answer, 'alpha beta gamma delta');
      assert.deepEqual(foldEvents(coalesce(events)), raw);
    });
  });

  it('sends a batch per interval and flushes at once when the run finishes', async () => {
    const batches: number[] = [];
    const batcher = new EventBatcher((events) => batches.push(events.length), 20);
    batcher.push({ type: 'call-token', callId: 'c1', text: 'a', t: 1 });
    batcher.push({ type: 'call-token', callId: 'c1', text: 'b', t: 2 });
    batcher.push({ type: 'call-token', callId: 'c2', text: 'c', t: 3 });
    assert.deepEqual(batches, []);
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(batches, [2]);
    batcher.push({ type: 'answer-token', text: 'x', t: 4 });
    batcher.push({
      type: 'run-finished',
      status: 'ok',
      answer: 'x',
      totals: { calls: 1, failedCalls: 0, promptTokens: 1, completionTokens: 1, estimated: false, wallMs: 5, layersRun: 0 },
      t: 5,
    });
    assert.deepEqual(batches, [2, 2]);
    batcher.dispose();
  });
});

describe('panel page', () => {
  it('allows no remote content and only nonce scripts', () => {
    const csp = panelCsp('https://file%2B.vscode-resource.vscode-cdn.net/ext/media/panel.css', 'abc');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc'/);
    // the one wildcard: the resource host's first label ('+' cannot be written in a CSP host), with the file's exact path
    assert.doesNotMatch(csp, /https:(?!\/\/\*\.vscode-resource\.vscode-cdn\.net\/ext\/media\/panel\.css;)|unsafe|\*(?!\.vscode-resource)/);
    // no 'self': in code-server it admits /proxy/<port>/ to any local port; images only as data:
    assert.doesNotMatch(csp, /'self'/);
    assert.match(csp, /img-src data:;/);
    assert.match(csp, /font-src 'none'/);
    assert.match(panelCsp('https://h.example/media/a;b c.css', 'n'), /style-src https:\/\/h\.example\/media\/a%3Bb%20c\.css;/);
    const html = panelHtml({ nonce: 'n"x', scriptUri: 's.js', styleUri: 'c.css' });
    assert.doesNotMatch(html, /\s(style|on\w+)=/i);
    assert.match(html, /nonce="n&quot;x"/);
  });

  it('the browser-test harness runs under the same policy as the real panel', () => {
    const harness = readFileSync('test/browser/harness.html', 'utf8');
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(harness)?.[1];
    assert.equal(csp, panelCsp('file:', 'harness'));
  });
});
