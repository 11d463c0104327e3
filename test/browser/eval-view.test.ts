import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Trace } from '../../src/pipeline/trace';
import type { EvalWebviewMessage } from '../../src/views/eval-protocol';
import { EvalSession, type EvalResults } from '../../src/views/eval-session';
import { recordEvalResults } from '../unit/helpers/eval-results';
import { launch, ROOT, screenshot, settled, setTheme } from './support/browser';

const EVAL_HARNESS = pathToFileURL(path.join(ROOT, 'test/browser/eval-harness.html')).href;

describe('evaluation results view', function () {
  let browser: Browser;
  let results: EvalResults;
  let context: BrowserContext;
  let page: Page;
  let blocked: string[];
  let errors: string[];
  let traces: { trace: Trace; name: string }[];

  before(async () => {
    if (!existsSync(path.join(ROOT, 'media/dist/eval.js'))) throw new Error('media/dist/eval.js is missing: run `npm run build` first');
    [browser, results] = await Promise.all([launch(), recordEvalResults()]);
  });
  after(() => browser?.close());

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    blocked = [];
    errors = [];
    traces = [];
    await context.route(
      (url) => !/^(file|data):/.test(url.href),
      (route) => {
        blocked.push(route.request().url());
        return route.abort();
      },
    );
    page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    // The host side is the real session; its replies are dispatched to the page as VS Code would.
    const session = new EvalSession(results, {
      post: (message) => void page.evaluate((data) => window.dispatchEvent(new MessageEvent('message', { data })), message as unknown),
      showTrace: (trace, name) => traces.push({ trace, name }),
      save: async () => 'smoa-eval',
      open: async () => undefined,
      warn: (m) => errors.push(`host warning: ${m}`),
    });
    await page.exposeFunction('__smoaHost', (message: EvalWebviewMessage) => session.receive(message));
    await page.goto(EVAL_HARNESS);
    await setTheme(page, 'light');
    await page.getByTestId('eval-row').first().waitFor();
    await settled(page);
  });
  afterEach(() => context.close());

  it('renders the table per strategy, the chart with one labelled point and interval per strategy, and the category rows', async () => {
    const rows = page.getByTestId('eval-row');
    assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.strategy)), ['single:c', 'moa', 'smoa']);
    const cells = await rows.nth(2).locator('td').allInnerTexts();
    assert.equal(cells[1], '4', 'tasks');
    assert.match(cells[2], /^[1-5]\.\d\d$/, 'rubric score');
    assert.match(cells[3], /^[1-5]\.\d\d - [1-5]\.\d\d$/, 'interval');
    assert.match(cells[7], /^\$\d/, 'cost');

    const chart = page.getByTestId('eval-chart');
    assert.ok(await chart.isVisible());
    assert.match((await chart.getAttribute('aria-label'))!, /rubric score \(1-5\) against cost per run/);
    const points = chart.getByTestId('eval-point');
    assert.equal(await points.count(), 3);
    for (let i = 0; i < 3; i++) {
      const point = points.nth(i);
      assert.equal(await point.locator('circle').count(), 1);
      assert.equal(await point.locator('line.ci').count(), 3, 'interval bar and its two caps');
      assert.equal(await point.locator('text.label').textContent(), await point.getAttribute('data-strategy'));
    }
    // Cheaper strategies sit to the left: single:c costs less per run than smoa.
    const x = async (s: string) => Number(await chart.locator(`[data-strategy="${s}"] circle`).getAttribute('cx'));
    assert.ok((await x('single:c')) < (await x('smoa')));

    assert.equal(await page.getByTestId('eval-category-row').count(), 6);
    assert.match(await page.getByTestId('eval-extras').innerText(), /smoa: answers kept: a \d+% .*judge picked the first-shown answer/);
    await screenshot(page, 'eval-results-light.png');
    await setTheme(page, 'dark');
    await screenshot(page, 'eval-results-dark.png');
    assert.deepEqual(blocked, []);
    assert.deepEqual(errors, []);
  });

  it('a task click shows every strategy’s answer and grade; markup in an answer stays text; Open trace reaches the host', async () => {
    await page.locator('[data-testid="eval-task"][data-task="t2"]').click();
    const answers = page.getByTestId('eval-answer');
    await answers.first().waitFor();
    assert.deepEqual(await answers.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.strategy)), ['single:c', 'moa', 'smoa']);
    assert.match(await answers.nth(0).locator('pre.answer').innerText(), /^<img src=x onerror=/);
    assert.equal(await page.locator('.task-detail img, .task-detail script').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.match(await answers.nth(1).getByTestId('eval-grade').innerText(), /helpfulness \d: /);
    assert.match(await page.getByTestId('eval-task-prompt').innerText(), /Question two/);

    await answers.nth(2).getByTestId('eval-open-trace').click();
    await page.waitForFunction(() => true);
    for (let i = 0; i < 50 && traces.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(traces.length, 1);
    assert.equal(traces[0].name, 'smoa on t2');
    assert.equal(traces[0].trace.strategy, 'smoa');

    await page.getByTestId('eval-save').click();
    await page.locator('[data-testid="eval-banner"].notice').waitFor();
    assert.equal(await page.getByTestId('eval-banner').innerText(), 'Results saved to smoa-eval.');
    await screenshot(page, 'eval-task.png');
    assert.deepEqual(blocked, []);
    assert.deepEqual(errors, []);
  });

  it('a message that fails the protocol is refused with a visible error, not rendered', async () => {
    await page.evaluate(() => window.dispatchEvent(new MessageEvent('message', { data: { type: 'results', title: 'x', report: { rows: 'nope' } } })));
    await page.getByTestId('eval-banner').waitFor();
    assert.match(await page.getByTestId('eval-banner').innerText(), /Ignored an invalid message/);
    assert.equal(await page.getByTestId('eval-row').count(), 3, 'the results shown before stay');
  });
});
