import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { configForRequest, RunService } from '../../src/host/run-service';
import { createClientFactory, EndpointPool } from '../../src/pipeline/client-factory';
import type { SmoaConfig } from '../../src/pipeline/config';
import type { HostMessage } from '../../src/views/protocol';
import { PanelSession, type PanelPort } from '../../src/views/panel-session';
import { startFakeServer, type FakeServer } from '../server/fake-openai';
import { launch, openPanel, settled, type PanelPage } from './support/browser';
import { panelConfig } from './support/record';

// Issue 23, items 8-10: the trace panel's run list, number fields and budget fields as a new user meets them.
describe('trace panel: run list and form fields (issue 23)', function () {
  let browser: Browser;
  let server: FakeServer;
  let panel: PanelPage;
  let session: PanelSession;
  let runs: RunService;

  before(async () => {
    browser = await launch();
    server = await startFakeServer();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    server.setResponder(undefined);
    session?.dispose();
    await panel?.close();
  });

  async function open(config: SmoaConfig) {
    panel = await openPanel(browser);
    runs = new RunService({ getConfig: () => config, clientFor: (c) => createClientFactory(c, new EndpointPool()) });
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
    const currentConfig = async (o?: { strategy?: SmoaConfig['strategy']; layers?: number; topK?: number }) => ({
      ok: true as const,
      config: configForRequest(config, { strategy: o?.strategy, overrides: { layers: o?.layers, topK: o?.topK } }),
    });
    session = new PanelSession({ runs, currentConfig }, port);
    await panel.page.exposeFunction('__smoaHost', (message: unknown) => session.receive(message));
    await session.receive({ type: 'ready' });
    await settled(panel.page);
  }

  const estimateText = () => panel.page.getByTestId('estimate').innerText();

  it('item 8: a run started elsewhere (chat) is listed with its prompt while it is still going', async () => {
    // Slow proposers: the run is still going when the list is read.
    server.setResponder((req) => (req.responseFormat ? undefined : { text: 'slow '.repeat(200), tokensPerSecond: 20 }));
    await open(panelConfig(server, { layers: 1 }));
    const run = await runs.start({ prompt: 'Explain closures in JavaScript' }, { origin: 'chat' });
    const item = panel.page.getByTestId('history-item').first();
    await item.locator('.badge', { hasText: 'running' }).waitFor({ timeout: 10_000 });
    assert.equal(run.done, false, 'the run is still going');
    assert.match(await item.innerText(), /Explain closures in JavaScript/);
    assert.doesNotMatch(await item.innerText(), /\(no prompt\)/);
    run.cancel();
    await run.result;
  });

  it('item 9: Layers 0 says what is allowed instead of estimating another number of layers; Run waits', async () => {
    await open(panelConfig(server, { earlyStop: false }));
    const page = panel.page;
    // 3 layers x (6 proposers + judge) + aggregator.
    await page.waitForFunction(() => /at most 22 calls/.test(document.querySelector('[data-testid="estimate"]')?.textContent ?? ''));
    await page.getByTestId('prompt-input').fill('Design a cache');
    await page.getByTestId('layers-input').fill('0');
    const problem = page.getByTestId('form-problem');
    await problem.waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await problem.innerText(), 'Layers must be a whole number from 1 to 10.');
    // Before: Layers 0 became 1 layer without a word ("at most 8 calls").
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(await estimateText(), '', 'no estimate for a number of layers the user did not ask for');
    assert.equal(await page.getByTestId('run-button').isDisabled(), true);
    // The field keeps what was typed (moving on does not silently put another number there).
    await page.getByTestId('topk-input').focus();
    await settled(page);
    assert.equal(await page.getByTestId('layers-input').inputValue(), '0');

    await page.getByTestId('topk-input').fill('9');
    await page.waitForFunction(() => /Top k must be a whole number from 1 to 6 \(there are 6 proposers\)\./.test(document.querySelector('[data-testid="form-problem"]')?.textContent ?? ''));
    await page.getByTestId('max-tokens-input').fill('-5');
    await page.waitForFunction(() => /Max tokens must be a whole number above 0, or empty for the smoa\.budget setting\./.test(document.querySelector('[data-testid="form-problem"]')?.textContent ?? ''));

    // Fixed: the problem goes, the estimate follows the numbers shown, and Run sends them.
    await page.getByTestId('layers-input').fill('1');
    await page.getByTestId('topk-input').fill('2');
    await page.getByTestId('max-tokens-input').fill('');
    await problem.waitFor({ state: 'hidden', timeout: 5000 });
    // 1 layer x (6 proposers + judge) + aggregator.
    await page.waitForFunction(() => /at most 8 calls/.test(document.querySelector('[data-testid="estimate"]')?.textContent ?? ''));
    assert.equal(await page.getByTestId('run-button').isDisabled(), false);
  });

  it('item 9: a strategy that does not use Layers does not complain about it', async () => {
    await open(panelConfig(server));
    const page = panel.page;
    await page.getByTestId('layers-input').fill('0');
    await page.getByTestId('form-problem').waitFor({ state: 'visible', timeout: 5000 });
    await page.getByTestId('strategy-select').selectOption('single');
    await page.getByTestId('form-problem').waitFor({ state: 'hidden', timeout: 5000 });
    await page.waitForFunction(() => /at most 1 call,/.test(document.querySelector('[data-testid="estimate"]')?.textContent ?? ''));
  });

  it('item 10: the budget fields say what empty means, and their placeholder is not cut off', async () => {
    await open(panelConfig(server));
    const page = panel.page;
    const placeholders = async () => [await page.getByTestId('max-usd-input').getAttribute('placeholder'), await page.getByTestId('max-tokens-input').getAttribute('placeholder')];
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('[data-testid="max-usd-input"]')?.placeholder === 'no limit');
    assert.deepEqual(await placeholders(), ['no limit', 'no limit']);
    session.dispose();
    await panel.close();
    await open(panelConfig(server, { budget: { maxUsd: 0.5, maxTokens: 120000 } }));
    await panel.page.waitForFunction(() => document.querySelector<HTMLInputElement>('[data-testid="max-tokens-input"]')?.placeholder === '120000 (setting)');
    const fits = await panel.page.evaluate(() =>
      ['max-usd-input', 'max-tokens-input'].map((id) => {
        const input = document.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)!;
        const style = getComputedStyle(input);
        const ctx = document.createElement('canvas').getContext('2d')!;
        ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const text = ctx.measureText(input.placeholder).width;
        // Room for the text: the content box less the number input's spin buttons (about 15 px in Chromium).
        const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 15;
        return { placeholder: input.placeholder, text: Math.ceil(text), room };
      }),
    );
    assert.deepEqual(fits.map((f) => f.placeholder), ['0.5 (setting)', '120000 (setting)']);
    for (const f of fits) assert.ok(f.text <= f.room, `"${f.placeholder}" needs ${f.text} px, the field has ${f.room}`);
  });
});
