import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { SmoaEvent } from '../../src/pipeline/events';
import { foldEvents } from '../../src/pipeline/trace';
import { launch, openPanel, ROOT, screenshot, settled, setTheme, type PanelPage } from './support/browser';
import { recordShowcaseRun } from './support/record';

const defaults = { strategy: 'smoa' as const, layers: 3, topK: 2, proposers: 6 };

describe('trace panel: a recorded run', function () {
  let browser: Browser;
  let events: SmoaEvent[];
  let panel: PanelPage;

  before(async () => {
    [browser, events] = await Promise.all([launch(), recordShowcaseRun()]);
  });
  after(() => browser?.close());
  beforeEach(async () => {
    panel = await openPanel(browser);
  });
  afterEach(() => panel?.close());

  async function showRecorded(): Promise<string> {
    const runId = (events[0] as Extract<SmoaEvent, { type: 'run-started' }>).runId;
    await panel.dispatch({ type: 'config', defaults });
    await panel.dispatch({ type: 'runList', runs: [{ runId, origin: 'chat', prompt: 'debounce', strategy: 'smoa', startedAt: '', status: 'ok' }] });
    await panel.dispatch({ type: 'runStarted', runId, origin: 'chat', events });
    await settled(panel.page);
    return runId;
  }

  async function checkRendering(): Promise<void> {
    const page = panel.page;
    const layers = page.getByTestId('layer');
    assert.equal(await layers.count(), 3, 'three layers: two run, one skipped');
    assert.equal(await layers.nth(2).getAttribute('data-status'), 'skipped');
    assert.match(await layers.nth(2).getByTestId('layer-skipped').innerText(), /moderator stopped early/);

    const cards = page.getByTestId('proposal-card');
    assert.equal(await cards.count(), 12, '6 proposer cards in each of the two layers that ran');
    const layer1 = layers.nth(0).getByTestId('proposal-card');
    const statuses = await layer1.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.status));
    assert.deepEqual(statuses, ['done', 'done', 'done', 'failed', 'done', 'timed-out']);
    assert.match(await layer1.nth(3).getByTestId('card-error').innerText(), /HTTP 500/);
    assert.equal(await layer1.nth(5).getByTestId('card-status').innerText(), 'timed out');
    assert.match(await layer1.nth(0).getByTestId('card-meta').innerText(), /tokens out .* ms/);
    assert.match(await layer1.nth(0).getByTestId('card-answer').innerText(), /model-a/);

    // Layer 1: the judge's reply was unusable, the fallback rule picked, and the moderator fell back to continue.
    assert.ok(await layers.nth(0).getByTestId('judge-fallback').isVisible());
    assert.match(await layers.nth(0).getByTestId('judge-fallback').innerText(), /not JSON.*fallback rule/s);
    assert.equal(await layers.nth(0).getByTestId('moderator-decision').getAttribute('data-decision'), 'continue');

    // Layer 2: real picks, ranked; the others dimmed; the moderator stopped.
    const layer2 = layers.nth(1);
    const ranks = await layer2.getByTestId('proposal-card').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.rank ?? ''));
    assert.deepEqual(ranks, ['2', '', '1', '', '', '']);
    assert.equal(await layer2.locator('[data-testid="proposal-card"].dropped').count(), 4);
    assert.equal(await layer2.locator('[data-testid="proposal-card"][data-rank="1"] [data-testid="pick-badge"]').innerText(), '#1');
    assert.ok(!(await layer2.getByTestId('judge-fallback').isVisible()));
    assert.match(await layer2.getByTestId('judge-reason').innerText(), /proposal 3 handles cancellation/);
    const notes = await layer2.getByTestId('judge-notes').innerText();
    assert.match(notes, /Agree: Both clear the pending timer/);
    assert.match(notes, /Only in a dropped answer: proposal \d notes that the debounced function should pass through `this`/);
    assert.ok(!(await layers.nth(0).getByTestId('judge-notes').isVisible()), 'no notes from an unusable reply');
    assert.equal(await layer2.getByTestId('moderator-decision').getAttribute('data-decision'), 'stop');
    assert.match(await layer2.getByTestId('moderator-reason').innerText(), /agree on the approach/);

    const trace = foldEvents(events);
    const answer = await page.getByTestId('final-answer').innerText();
    assert.ok(answer.includes('model-a'), 'answer rendered');
    assert.ok(!answer.includes('**'), 'answer rendered as markdown, not raw text');
    assert.equal(await page.getByTestId('answer').getAttribute('data-status'), 'ok');
    const summary = await page.getByTestId('run-summary').innerText();
    assert.match(summary, new RegExp(`${trace.totals!.calls} calls \\(2 failed\\)`));
    assert.match(summary, /\$\d+\.\d{4}/);
    assert.match(await page.getByTestId('judge-bias').innerText(), /^Judge bias: first-shown answer scored highest in [01] of 1 votes .*; only 1 vote: too few to call a bias$/);
    assert.match(await page.getByTestId('dense-estimate').innerText(), /^Estimate: a dense MoA of the same shape \(6 proposers × 3 layers.*19 calls.*~\$/);
  }

  it('shows layers, cards with status, picks, judge fallback, moderator decisions, skipped layer and the answer', async () => {
    await showRecorded();
    await checkRendering();
    assert.deepEqual(panel.consoleErrors, []);
  });

  it('shows a trace opened from a file the same way', async () => {
    await panel.dispatch({ type: 'traceLoaded', runId: 'file-1', trace: foldEvents(events), source: 'debounce.json' });
    await settled(panel.page);
    await checkRendering();
    assert.match(await panel.page.getByTestId('run-meta').innerText(), /opened from debounce\.json/);
  });

  it('expands a card and keeps the run after the webview reloads (vscode.setState)', async () => {
    await showRecorded();
    const card = panel.page.getByTestId('proposal-card').first();
    assert.equal(await card.evaluate((e) => e.classList.contains('expanded')), false);
    await card.getByTestId('card-expand').click();
    assert.equal(await card.evaluate((e) => e.classList.contains('expanded')), true);
    await panel.page.getByTestId('prompt-input').fill('a half-typed prompt');
    await settled(panel.page);

    await panel.page.reload();
    await settled(panel.page);
    assert.equal(await panel.page.getByTestId('proposal-card').count(), 12, 'the finished trace comes back from the saved state');
    assert.equal(await panel.page.getByTestId('proposal-card').first().evaluate((e) => e.classList.contains('expanded')), true);
    assert.equal(await panel.page.getByTestId('prompt-input').inputValue(), 'a half-typed prompt');
  });

  it('is readable in light and dark themes (screenshots)', async () => {
    await showRecorded();
    await panel.page.getByTestId('prompt-input').fill('Write a TypeScript function that debounces calls, and explain the trade-offs.');
    const light = await screenshot(panel.page, 'trace-panel-light.png');
    await setTheme(panel.page, 'dark');
    await settled(panel.page);
    const dark = await screenshot(panel.page, 'trace-panel-dark.png');
    const bg = await panel.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(31, 31, 31)', 'dark theme colours come from the --vscode-* variables');
    // The README's copy is refreshed on request only, so a test run leaves the work tree clean.
    const docsImage = path.join(ROOT, 'docs/images/trace-panel.png');
    if (process.env.UPDATE_DOCS_SCREENSHOT || !existsSync(docsImage)) {
      mkdirSync(path.dirname(docsImage), { recursive: true });
      copyFileSync(dark, docsImage);
    }
    console.log(`      screenshots: ${path.relative(ROOT, light)}, ${path.relative(ROOT, dark)}`);
  });
});
