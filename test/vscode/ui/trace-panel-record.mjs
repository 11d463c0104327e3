/* global console, getComputedStyle -- getComputedStyle runs in the page; Node globals: the ESLint config declares none for .mjs */
// UI end-to-end for issue 10 (items 1, 4, 5), in a real VS Code (code-server + Chromium) with the packaged VSIX:
//   4. Layers / Top k enable and disable as soon as the strategy changes (MoA -> SMoA makes Top k editable again), and a
//      disabled input looks disabled.
//   1. After Stop no layer says "running": the layer and its cards say cancelled, the summary counts cancelled calls
//      as cancelled, not failed.
//   5. "SMoA: Open Trace of Last Run" shows the last run even when the panel is hidden behind another tab with an
//      older run selected (its webview reloads with that selection).
// Screenshot: trace-panel-cancelled.png.
import { setTimeout as sleep } from 'node:timers/promises';
import { notification, openFile, smoaUiTest } from './lib/smoa.mjs';
import { runCommand, screenshot, webviewFrame } from './lib/workbench.mjs';

const SLOW = 'Explain every step of a merge sort, in detail (this run gets stopped).';
const QUICK = 'What is 2 + 2?';

await smoaUiTest('trace-panel-record', { ttftMs: 300, tokensPerSecond: 8 }, async ({ page }) => {
  await runCommand(page, 'View: Close Primary Side Bar');
  await runCommand(page, 'SMoA: Open Trace Panel');
  const panel = webviewFrame(page);
  const prompt = panel.getByTestId('prompt-input');
  await prompt.waitFor({ timeout: 20_000 });

  // Item 4: the strategy decides which inputs are editable, at once.
  const strategy = panel.getByTestId('strategy-select');
  const topK = panel.getByTestId('topk-input');
  await strategy.selectOption('moa');
  await waitUntil(() => topK.isDisabled(), 'Top k disabled for MoA');
  const look = await topK.evaluate((e) => ({ opacity: Number(getComputedStyle(e).opacity), cursor: getComputedStyle(e).cursor }));
  if (!(look.opacity < 1) || look.cursor !== 'not-allowed') throw new Error(`a disabled Top k looks enabled (opacity ${look.opacity}, cursor ${look.cursor})`);
  await strategy.selectOption('smoa');
  await waitUntil(async () => !(await topK.isDisabled()), 'Top k enabled again for SMoA, without another redraw');
  await topK.fill('2');
  console.log('[ui] item 4: Top k follows the strategy at once; disabled inputs are dimmed');

  // Item 1: stop a run mid-layer.
  await prompt.fill(SLOW);
  await panel.getByTestId('run-button').click();
  await panel.locator('[data-testid=proposal-card][data-status=streaming]').first().waitFor({ timeout: 20_000 });
  await panel.getByTestId('stop-button').click();
  await panel.locator('[data-testid=answer][data-status=cancelled]').waitFor({ timeout: 15_000 });
  const layerStates = await panel.getByTestId('layer-status').allTextContents();
  if (layerStates.includes('running') || !layerStates.includes('cancelled')) throw new Error(`after Stop the layers read [${layerStates}]`);
  const cards = await panel.getByTestId('proposal-card').evaluateAll((els) => els.map((e) => e.dataset.status));
  if (cards.some((s) => s !== 'cancelled' && s !== 'done')) throw new Error(`after Stop the cards read [${cards}]`);
  const summary = (await panel.getByTestId('run-summary').textContent()) ?? '';
  if (!/cancelled\)/.test(summary) || /failed/.test(summary)) throw new Error(`after Stop the summary reads "${summary}"`);
  console.log(`[ui] item 1: layers [${layerStates}], cards [${cards}]; ${summary}`);
  console.log(`[ui] screenshot: ${await screenshot(page, 'trace-panel-cancelled')}`);

  // Item 5: a second run, then the first one selected again, then the panel hidden behind an editor in its group.
  await prompt.fill(QUICK);
  await panel.getByTestId('run-button').click();
  await panel.getByTestId('run-prompt').filter({ hasText: QUICK }).waitFor({ timeout: 10_000 });
  await panel.locator('[data-testid=answer][data-status=ok]').waitFor({ timeout: 60_000 });
  await panel.getByTestId('history-item').filter({ hasText: SLOW }).click();
  await panel.getByTestId('run-prompt').filter({ hasText: SLOW }).waitFor({ timeout: 10_000 });
  // Quick Open opens the file in the active group: the panel's, which hides the panel behind the file's tab.
  await openFile(page, 'src/stats.ts');
  await page.locator('iframe.webview.ready').first().waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  await runCommand(page, 'SMoA: Open Trace of Last Run');
  const shown = webviewFrame(page).getByTestId('run-prompt');
  await shown.filter({ hasText: QUICK }).waitFor({ timeout: 15_000 }).catch(async (err) => {
    throw new Error(`"Open Trace of Last Run" shows "${await shown.textContent().catch(() => '?')}", not the last run: ${err.message}`);
  });
  // Give a late restored selection the chance to win, then check again.
  await page.waitForTimeout(1500);
  const still = await shown.textContent();
  if (!still?.includes(QUICK)) throw new Error(`the panel switched back to "${still}"`);
  if (await notification(page, 'no longer available').isVisible().catch(() => false)) throw new Error('an error notification appeared');
  console.log('[ui] item 5: the hidden panel, revealed by "Open Trace of Last Run", shows the last run');
});

async function waitUntil(check, what, timeoutMs = 3000) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    if (await check()) return;
  }
  throw new Error(`timed out waiting for: ${what}`);
}
