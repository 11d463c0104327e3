import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { configForRequest, RunService } from '../../src/host/run-service';
import { createClientFactory, EndpointPool } from '../../src/pipeline/client-factory';
import type { SmoaConfig } from '../../src/pipeline/config';
import { estimateRun } from '../../src/pipeline/estimate';
import type { HostMessage } from '../../src/views/protocol';
import { PanelSession, type PanelPort } from '../../src/views/panel-session';
import { startFakeServer, type FakeServer } from '../server/fake-openai';
import { launch, openPanel, settled, type PanelPage } from './support/browser';
import { panelConfig } from './support/record';

describe('trace panel: the estimate before Run, the budget during it', function () {
  let browser: Browser;
  let server: FakeServer;
  let panel: PanelPage;
  let session: PanelSession;

  before(async () => {
    browser = await launch();
    server = await startFakeServer();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    session?.dispose();
    await panel?.close();
  });

  async function open(config: SmoaConfig) {
    panel = await openPanel(browser);
    const runs = new RunService({ getConfig: () => config, clientFor: (c) => createClientFactory(c, new EndpointPool()) });
    let queue = Promise.resolve();
    const port: PanelPort = {
      post: (message: HostMessage) => {
        queue = queue.then(() => panel.dispatch(message)).catch(() => undefined);
      },
      insert: async () => undefined,
      copy: async () => undefined,
      saveTrace: async () => undefined,
      openTraceFile: async () => undefined,
    };
    // As the extension resolves it: the settings with the panel's strategy, layers and top k.
    const currentConfig = async (o?: { strategy?: SmoaConfig['strategy']; layers?: number; topK?: number }) => ({
      ok: true as const,
      config: configForRequest(config, { strategy: o?.strategy, overrides: { layers: o?.layers, topK: o?.topK } }),
    });
    session = new PanelSession({ runs, currentConfig }, port);
    await panel.page.exposeFunction('__smoaHost', (message: unknown) => session.receive(message));
    await session.receive({ type: 'ready' });
    await settled(panel.page);
  }

  it('states the upper bound for the current prompt and controls, and follows them, sending nothing', async () => {
    const capped = panelConfig(server, { earlyStop: false });
    capped.models = capped.models.map((m) => ({ ...m, maxTokens: 500 }));
    await open(capped);
    const page = panel.page;
    const estimate = page.getByTestId('estimate');
    // 3 layers x (6 proposers + judge) + aggregator.
    await page.waitForFunction(() => /at most 22 calls/.test(document.querySelector('[data-testid="estimate"]')?.textContent ?? ''));
    const empty = await estimate.innerText();
    assert.match(empty, /^Estimate: at most 22 calls, [\d,]+ prompt tokens, 11,000 completion tokens, at most \$\d+\.\d{4}$/);

    await page.getByTestId('prompt-input').fill('x'.repeat(4000));
    await page.waitForFunction((before) => document.querySelector('[data-testid="estimate"]')?.textContent !== before, empty);
    const promptTokens = (text: string) => Number(/([\d,]+) prompt tokens/.exec(text)![1].replace(/,/g, ''));
    // 4,000 characters are at most 2,000 tokens in each of the 22 calls' prompts (the judge sees a shortened request).
    assert.ok(promptTokens(await estimate.innerText()) - promptTokens(empty) >= 19 * 2000);

    await page.getByTestId('strategy-select').selectOption('single');
    await page.waitForFunction(() => /at most 1 call,/.test(document.querySelector('[data-testid="estimate"]')?.textContent ?? ''));
    assert.match(await estimate.innerText(), /500 completion tokens/);
    assert.equal(server.requests.length, 0, 'an estimate sends no request');
  });

  it('shows what the budget did not start, and the answer from what was kept', async () => {
    // Proposers write their whole cap and the server reports no usage: the run counts as the budget does, so after
    // layer 1 only the aggregator still fits.
    server.setResponder((req) => (req.responseFormat ? { usage: false } : { text: Array.from({ length: 400 }, (_, i) => `backpressure${i % 7}`).join(' '), usage: false }));
    const config = panelConfig(server, { earlyStop: false });
    config.models = config.models.map((m) => ({ ...m, maxTokens: 300 }));
    const stages = estimateRun(config, { prompt: 'Explain backpressure.' }).stages;
    const fits = stages.filter((s) => s.layer === 1 || s.stage === 'aggregator').reduce((a, s) => a + s.promptTokens + s.completionTokens!, 0);
    await open({ ...config, budget: { maxTokens: fits + 10 } });
    const page = panel.page;
    await page.getByTestId('prompt-input').fill('Explain backpressure.');
    await page.getByTestId('run-button').click();
    await page.locator('[data-testid="answer"][data-status="ok"]').waitFor({ timeout: 30_000 });
    assert.match(
      await page.getByTestId('budget-stop').innerText(),
      /^Budget: layer 2, layer 3 not started \(layer 2 \(with the aggregator after it\) may use up to [\d,]+ tokens; [\d,]+ of the [\d,]+-token budget are left, even with answers cut to 32 tokens\); the aggregator answers from the 2 kept answers\.$/,
    );
    assert.ok((await page.getByTestId('final-answer').innerText()).length > 0);
    server.setResponder(undefined);
  });

  it('says "unbounded" when a model has no maxTokens', async () => {
    await open(panelConfig(server));
    await panel.page.waitForFunction(() => /unbounded completion tokens/.test(document.querySelector('[data-testid="estimate"]')?.textContent ?? ''));
    assert.match(await panel.page.getByTestId('estimate').innerText(), /\(no maxTokens: m1, m2, m3, m4, m5, m6, judge\)/);
  });
});
