import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { RunService } from '../../src/host/run-service';
import { createClientFactory, EndpointPool } from '../../src/pipeline/client-factory';
import type { HostMessage } from '../../src/views/protocol';
import { PanelSession, type PanelPort } from '../../src/views/panel-session';
import { startFakeServer, type FakeServer, type Responder } from '../server/fake-openai';
import { kindOf } from '../unit/helpers/engine-harness';
import { launch, openPanel, settled, type PanelPage } from './support/browser';
import { panelConfig } from './support/record';

/** A long proposal (~300 tokens) with a code block, so every card streams markdown for a while. */
function longAnswer(model: string, layer: number): string {
  const para = `${model} in round ${layer}: debouncing waits until the calls stop for a while, then runs once with the last arguments. `;
  const code = '```ts\nfunction debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number) {\n  let t: ReturnType<typeof setTimeout> | undefined;\n  return (...a: A) => {\n    clearTimeout(t);\n    t = setTimeout(() => fn(...a), ms); // restart the wait\n  };\n}\n```';
  return [`### ${model}`, para.repeat(3), '- keeps the last call\n- one timer per debounced function', code, para.repeat(3)].join('\n\n');
}

const proposersWriteLong: Responder = (req) => {
  if (kindOf(req) === 'judge' || kindOf(req) === 'moderator' || kindOf(req) === 'roles') return undefined;
  const layer = req.messages.some((m) => m.content.includes('### Candidate')) ? 2 : 1;
  return { text: longAnswer(req.model, layer) };
};

describe('trace panel: a live run from the panel (host session + RunService + fake server)', function () {
  let browser: Browser;
  let server: FakeServer;
  let panel: PanelPage;
  let session: PanelSession;
  let runs: RunService;
  const inserted: unknown[] = [];
  const saved: string[] = [];

  before(async () => {
    browser = await launch();
    server = await startFakeServer({ ttftMs: 80, tokensPerSecond: 120 });
    server.setResponder(proposersWriteLong);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    panel = await openPanel(browser);
    const config = panelConfig(server, { earlyStop: false });
    runs = new RunService({ getConfig: () => config, clientFor: (c) => createClientFactory(c, new EndpointPool()) });
    // Host → webview in order, as VS Code delivers them.
    let queue = Promise.resolve();
    const port: PanelPort = {
      post: (message: HostMessage) => {
        queue = queue.then(() => panel.dispatch(message)).catch(() => undefined);
      },
      insert: async (target) => void inserted.push(target),
      copy: async () => undefined,
      saveTrace: async (json) => {
        saved.push(json);
        return 'trace.json';
      },
      openTraceFile: async () => undefined,
    };
    session = new PanelSession({ runs, currentConfig: async () => ({ ok: true, config }) }, port);
    await panel.page.exposeFunction('__smoaHost', (message: unknown) => session.receive(message));
    await session.receive({ type: 'ready' });
    await settled(panel.page);
  });
  afterEach(async () => {
    runs.cancelAll();
    session.dispose();
    await panel.close();
  });

  it('streams 3 layers x 6 proposers smoothly, then Insert and Export post the run id', async () => {
    const page = panel.page;
    assert.equal(await page.getByTestId('layers-input').inputValue(), '3', 'defaults come from the host');
    await page.getByTestId('prompt-input').fill('Write a debounce function in TypeScript');
    // Frame deltas, measured in the page for the whole run.
    // A string, not a function: the test runner's transpiler would add helpers the page does not have.
    await page.evaluate(`
      window.__frames = [];
      let last = performance.now();
      const tick = (now) => { window.__frames.push(now - last); last = now; requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    `);
    const started = Date.now();
    await page.getByTestId('run-button').click();
    await page.locator('[data-testid="proposal-card"][data-status="streaming"]').first().waitFor();
    // Responsive while 6 cards stream: a click on "Show all" takes effect promptly.
    const streamingCard = page.locator('[data-testid="proposal-card"][data-status="streaming"]').first();
    const clickAt = Date.now();
    await streamingCard.getByTestId('card-expand').click();
    await page.locator('[data-testid="proposal-card"].expanded').first().waitFor({ timeout: 10_000 });
    const clickMs = Date.now() - clickAt;
    // The click took effect while the run was still streaming (how fast is a figure, printed below, not a pass mark:
    // a loaded CI machine makes any threshold flaky; the frame-time target lives in the printed figures and the bench).
    assert.equal(await page.locator('[data-testid="answer"][data-status="ok"]').count(), 0, 'the run was still going when the click took effect');

    await page.locator('[data-testid="answer"][data-status="ok"]').waitFor({ timeout: 60_000 });
    const wallMs = Date.now() - started;
    const frames = await page.evaluate(() => (window as unknown as { __frames: number[] }).__frames.slice(1));
    const sorted = [...frames].sort((a, b) => a - b);
    const mean = frames.reduce((a, b) => a + b, 0) / frames.length;
    const p95 = sorted[Math.floor(sorted.length * 0.95)];
    const max = sorted.at(-1)!;
    console.log(
      `      live run ${(wallMs / 1000).toFixed(1)} s, ${frames.length} frames: mean ${mean.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${max.toFixed(1)} ms; click-to-expand ${clickMs} ms`,
    );

    assert.equal(await page.getByTestId('proposal-card').count(), 18);
    assert.equal(await page.locator('[data-testid="proposal-card"][data-status="done"]').count(), 18);
    assert.equal(await page.locator('[data-testid="pick-badge"]:visible').count(), 6, 'top 2 in each of 3 layers');
    const runId = runs.list()[0].runId;
    assert.equal((await page.getByTestId('final-answer').innerText()).length > 100, true);
    assert.equal(await page.getByTestId('history-item').count(), 1);

    await page.getByTestId('insert-button').click();
    await page.getByTestId('export-button').click();
    await page.getByTestId('copy-button').click();
    await page.getByTestId('panel-notice').waitFor();
    // The estimate line asks the host as the form changes; it is not part of this sequence.
    const posted = (await panel.messages()).filter((m) => m.type !== 'estimate').map((m) => ('runId' in m ? `${m.type}:${m.runId}` : m.type));
    assert.deepEqual(posted, ['ready', 'run', `insert:${runId}`, `export:${runId}`, `copy:${runId}`]);
    const run = (await panel.messages()).filter((m) => m.type !== 'estimate')[1];
    assert.deepEqual(run, { type: 'run', prompt: 'Write a debounce function in TypeScript', strategy: 'smoa', layers: 3, topK: 2 });
    assert.deepEqual(inserted.at(-1), { runId });
    assert.equal(JSON.parse(saved.at(-1)!).runId, runId, 'the exported trace is the run');
    assert.ok(!saved.at(-1)!.includes('apiKey"'), 'no key in the export');
  });

  it('Stop aborts every request of the run', async () => {
    server.reset();
    server.setResponder(proposersWriteLong);
    const page = panel.page;
    await page.getByTestId('prompt-input').fill('Something long');
    await page.getByTestId('strategy-select').selectOption('moa');
    await page.getByTestId('run-button').click();
    await page.locator('[data-testid="proposal-card"][data-status="streaming"]').first().waitFor();
    assert.equal(await page.getByTestId('run-button').isDisabled(), true, 'one run at a time from the panel');
    await page.getByTestId('stop-button').click();
    await page.locator('[data-testid="answer"][data-status="cancelled"]').waitFor({ timeout: 10_000 });
    await server.waitForIdle(5000);
    assert.equal(server.activeRequests(), 0);
    const runId = runs.list()[0].runId;
    assert.deepEqual((await panel.messages()).filter((m) => m.type === 'stop'), [{ type: 'stop', runId }]);
    assert.equal(await runs.list()[0].result.then((r) => r.status), 'cancelled');
    assert.equal(server.abortedRequests, 6, 'the six proposer requests were aborted on the wire');
    // The OpenAI SDK ends an aborted stream quietly, so the engine currently reports the partial text as a finished
    // proposal (status "done") rather than a cancelled one; what matters here is that nothing is left streaming.
    const statuses = await page.getByTestId('proposal-card').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.status));
    assert.deepEqual(statuses.filter((s) => s === 'streaming' || s === 'waiting'), []);
  });
});
