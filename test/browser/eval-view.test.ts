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
import { xssPayloads } from './support/xss-payloads';

const EVAL_HARNESS = pathToFileURL(path.join(ROOT, 'test/browser/eval-harness.html')).href;

interface View {
  context: BrowserContext;
  page: Page;
  /** Requests to anything but local files (refused). */
  blocked: string[];
  errors: string[];
  traces: { trace: Trace; name: string }[];
}

/** The results view in Chromium with the real host session behind it; its replies reach the page as VS Code would send them. */
async function openView(browser: Browser, results: EvalResults): Promise<View> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const view: View = { context, page: undefined as unknown as Page, blocked: [], errors: [], traces: [] };
  await context.route(
    (url) => !/^(file|data):/.test(url.href),
    (route) => {
      view.blocked.push(route.request().url());
      return route.abort();
    },
  );
  const page = (view.page = await context.newPage());
  page.on('console', (m) => m.type() === 'error' && view.errors.push(m.text()));
  page.on('pageerror', (e) => view.errors.push(e.message));
  page.on('dialog', (d) => {
    view.errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  const session = new EvalSession(results, {
    post: (message) => void page.evaluate((data) => window.dispatchEvent(new MessageEvent('message', { data })), message as unknown),
    showTrace: (trace, name) => view.traces.push({ trace, name }),
    save: async () => 'smoa-eval',
    open: async () => undefined,
    warn: (m) => view.errors.push(`host warning: ${m}`),
  });
  await page.exposeFunction('__smoaHost', (message: EvalWebviewMessage) => session.receive(message));
  await page.goto(EVAL_HARNESS);
  await setTheme(page, 'light');
  await page.getByTestId('eval-row').first().waitFor();
  await settled(page);
  return view;
}

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
    ({ context, page, blocked, errors, traces } = await openView(browser, results));
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
    // Markdown (the trace panel's renderer): **bold** is bold, the tags are text.
    const body = answers.nth(0).getByTestId('eval-answer-body');
    assert.match(await body.innerText(), /^<img src=x onerror=.*<script>window.__pwned=2<\/script>/);
    assert.equal(await body.locator('strong').innerText(), 'bold');
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

  it('the verdict line comes first: each strategy against the best single model, in words, above the table', async () => {
    const lines = await page.getByTestId('eval-verdict-line').allInnerTexts();
    assert.equal(lines.length, 2, lines.join('\n'));
    for (const [i, strategy] of ['moa', 'smoa'].entries()) {
      assert.match(lines[i], new RegExp(`^${strategy}(: no significant difference from| beats| trails) single:c .*95% CI .* at \\d+(\\.\\d+)?x the tokens`));
    }
    const order = await page.evaluate(() => {
      const verdict = document.querySelector('[data-testid="eval-verdict"]')!;
      const table = document.querySelector('[data-testid="eval-row"]')!;
      return verdict.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    assert.ok(order, 'the verdict is above the table');
    assert.ok(await page.getByTestId('eval-verdict').isVisible());
  });

  it('a message that fails the protocol is refused with a visible error, not rendered', async () => {
    await page.evaluate(() => window.dispatchEvent(new MessageEvent('message', { data: { type: 'results', title: 'x', report: { rows: 'nope' } } })));
    await page.getByTestId('eval-banner').waitFor();
    assert.match(await page.getByTestId('eval-banner').innerText(), /Ignored an invalid message/);
    assert.equal(await page.getByTestId('eval-row').count(), 3, 'the results shown before stay');
  });
});

/** The drawn boxes (user units) of the chart's labels and markers, measured by the browser. */
async function chartBoxes(page: Page) {
  // No named helpers inside: the page function is serialized, and tsx names them with a helper the page lacks.
  return page.getByTestId('eval-chart').evaluate((svg) => {
    const view = (svg as SVGSVGElement).viewBox.baseVal;
    return {
      view: { w: view.width, h: view.height },
      points: [...svg.querySelectorAll<SVGGElement>('[data-testid="eval-point"]')].map((g) => {
        const [label, marker] = [g.querySelector<SVGTextElement>('[data-testid="eval-label"]')!.getBBox(), g.querySelector<SVGCircleElement>('circle:not(.swatch)')!.getBBox()];
        return {
          strategy: g.dataset.strategy!,
          label: { x: label.x, y: label.y, w: label.width, h: label.height },
          text: g.querySelector('[data-testid="eval-label"]')!.textContent,
          marker: { x: marker.x, y: marker.y, w: marker.width, h: marker.height },
        };
      }),
      xTicks: [...svg.querySelectorAll('[data-testid="eval-xtick"]')].map((t) => t.textContent!),
      yTicks: [...svg.querySelectorAll('[data-testid="eval-ytick"]')].map((t) => t.textContent!),
    };
  });
}

type B = { x: number; y: number; w: number; h: number };
const meets = (a: B, b: B) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe('evaluation results view: six strategies on one chart', function () {
  const SIX = ['single:a', 'single', 'smoa', 'moa', 'self', 'debate'];
  let browser: Browser;
  let view: View;

  before(async () => {
    if (!existsSync(path.join(ROOT, 'media/dist/eval.js'))) throw new Error('media/dist/eval.js is missing: run `npm run build` first');
    const [b, results] = await Promise.all([launch(), recordEvalResults({ strategies: SIX.join(','), jury: true })]);
    browser = b;
    view = await openView(browser, results);
  });
  after(async () => {
    await view?.context.close();
    await browser?.close();
  });

  it('every strategy has a marker and a label; no two drawn labels overlap, no label covers a marker, none leaves the chart', async () => {
    const { page } = view;
    const chart = await chartBoxes(page);
    assert.deepEqual(chart.points.map((p) => p.strategy), SIX);
    assert.deepEqual(chart.points.map((p) => p.text), SIX);
    const problems: string[] = [];
    for (const [i, a] of chart.points.entries()) {
      if (a.label.w === 0) problems.push(`${a.strategy}: label not drawn`);
      if (a.label.x < 0 || a.label.y < 0 || a.label.x + a.label.w > chart.view.w || a.label.y + a.label.h > chart.view.h) problems.push(`${a.strategy}: label leaves the chart`);
      for (const [j, b] of chart.points.entries()) {
        if (meets(a.label, b.marker)) problems.push(`${a.strategy}'s label covers ${b.strategy}'s marker`);
        if (j > i && meets(a.label, b.label)) problems.push(`labels ${a.strategy} and ${b.strategy} overlap: ${JSON.stringify([a.label, b.label])}`);
        if (j > i && Math.hypot(a.marker.x - b.marker.x, a.marker.y - b.marker.y) < a.marker.w) problems.push(`markers ${a.strategy} and ${b.strategy} cover each other`);
      }
    }
    assert.deepEqual(problems, []);
    // single and single:a are the same model: the same cost and score, both still seen.
    // Every tick is a multiple of a 1-2-5 step.
    const values = chart.xTicks.map((t) => Number(t.replace(/[$,]/g, '')));
    const step = values[1] - values[0];
    const lead = Math.round(step / 10 ** Math.floor(Math.log10(step) + 1e-9));
    assert.ok([1, 2, 5].includes(lead), `x ticks ${chart.xTicks.join(' ')}`);
    assert.match(chart.xTicks[1], /^\$/, 'priced models: cost on the x axis');
    assert.deepEqual(chart.yTicks.length >= 5 ? [] : chart.yTicks, []);
    // The judges of the jury: how often they agreed, what their votes are worth.
    assert.match(await page.getByTestId('eval-extras').innerText(), /smoa: .*jury of 3 \(a, b, c\): same best answer in \d+% of \d+ judge-pair decisions/);
    await screenshot(page, 'eval-six-strategies.png');
    assert.deepEqual(view.blocked, []);
    assert.deepEqual(view.errors, []);
  });
});

describe('evaluation results view: hostile answers', function () {
  let browser: Browser;
  let view: View;

  before(async () => {
    const origin = 'http://127.0.0.1:9';
    const [b, results] = await Promise.all([launch(), recordEvalResults({ markup: xssPayloads(origin).join('\n\n') })]);
    browser = b;
    view = await openView(browser, results);
  });
  after(async () => {
    await view?.context.close();
    await browser?.close();
  });

  it('XSS payloads in an answer render as Markdown text: nothing runs, nothing loads, the tags are shown', async () => {
    const { page } = view;
    await page.locator('[data-testid="eval-task"][data-task="t2"]').click();
    const body = page.locator('[data-testid="eval-answer"][data-strategy="single:c"]').getByTestId('eval-answer-body');
    await body.waitFor();
    const text = await body.innerText();
    assert.ok(text.includes("<script>window.__xss = 'script'</script>"), 'a script tag is shown as text');
    assert.ok(text.includes('click me'), 'a link keeps its text');
    await body.locator('*').evaluateAll((els) => els.forEach((el) => (el as HTMLElement).dispatchEvent(new MouseEvent('mouseover', { bubbles: true }))));
    await body.locator('.md-link').first().click();
    await settled(page);
    const found = await page.evaluate(() => ({
      flag: (window as unknown as { __xss?: string }).__xss,
      tags: [...document.querySelectorAll('[data-testid="eval-answer-body"] *')].map((e) => e.tagName.toLowerCase()),
      hrefs: document.querySelectorAll('[data-testid="eval-answer-body"] [href], [data-testid="eval-answer-body"] [src], [data-testid="eval-answer-body"] [style]').length,
    }));
    assert.equal(found.flag, undefined, 'no payload ran');
    assert.deepEqual([...new Set(found.tags)].filter((t) => !['p', 'span', 'pre', 'code', 'strong', 'em', 'br', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'blockquote', 'ul', 'ol', 'li'].includes(t)), []);
    assert.equal(found.hrefs, 0);
    assert.deepEqual(view.blocked, [], 'nothing was fetched');
    assert.deepEqual(view.errors, []);
  });
});
