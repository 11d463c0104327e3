/* global console -- Node globals: the ESLint config declares none for .mjs */
// UI end-to-end: "SMoA: Run Evaluation" in a real VS Code (code-server + Chromium), the packaged VSIX against the fake
// server. Writes a three-task file into the workspace, picks it, keeps the default strategies (smoa, moa, single) and
// the exact grader in the QuickPick flow, waits for the results view, checks the verdict line on top, its table and
// chart, clicks a task, opens one run's trace in the trace panel. Screenshots: evaluation-results.png, evaluation-trace.png.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { notification, smoaUiTest } from './lib/smoa.mjs';
import { runCommand, screenshot } from './lib/workbench.mjs';

const TASKS = [
  { id: 'sum', prompt: 'What is 19 + 23?', reference: '42', category: 'arithmetic' },
  { id: 'days', prompt: 'How many days are in a leap year?', reference: '366', category: 'facts' },
  { id: 'word', prompt: 'Reply with the word "blue" only.', reference: 'blue', match: 'contains', category: 'facts' },
];

await smoaUiTest('evaluation', { ttftMs: 20, tokensPerSecond: 400 }, async ({ page, workspace }) => {
  mkdirSync(join(workspace, 'evals'), { recursive: true });
  writeFileSync(join(workspace, 'evals/mini.jsonl'), TASKS.map((t) => JSON.stringify(t)).join('\n') + '\n');
  await runCommand(page, 'View: Close Primary Side Bar');

  await runCommand(page, 'SMoA: Run Evaluation');
  const input = page.locator('.quick-input-widget input');
  const rows = page.locator('.quick-input-list .monaco-list-row');
  // 1/3: the task file (found in the workspace by its content).
  await rows.filter({ hasText: 'mini.jsonl' }).first().waitFor({ timeout: 20_000 });
  await input.fill('mini.jsonl');
  await page.keyboard.press('Enter');
  // 2/3: strategies, smoa, moa and single picked by default: accept.
  await page.locator('.quick-input-title', { hasText: 'strategies' }).waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  // 3/3: the grader; every task has a reference, so exact is offered.
  await page.locator('.quick-input-title', { hasText: 'grader' }).waitFor({ timeout: 10_000 });
  await input.fill('exact');
  await page.keyboard.press('Enter');

  await notification(page, 'SMoA evaluation of mini.jsonl').waitFor({ timeout: 10_000 }).catch(() => console.log('[ui] (progress notification already gone)'));

  // The results view: the page that holds the eval table (the trace panel may be open later too).
  const view = page.frameLocator('iframe.webview.ready').first().frameLocator('iframe#active-frame');
  const tableRows = view.getByTestId('eval-row');
  await tableRows.first().waitFor({ timeout: 90_000 });
  const strategies = await tableRows.evaluateAll((els) => els.map((e) => e.dataset.strategy));
  if (strategies.join(',') !== 'smoa,moa,single') throw new Error(`results rows: [${strategies}], expected smoa, moa, single`);
  const cells = await tableRows.nth(2).locator('td').allInnerTexts();
  if (cells[1] !== '3') throw new Error(`single ran ${cells[1]} tasks, expected 3`);
  if (!/%$/.test(cells[2])) throw new Error(`single's score cell reads "${cells[2]}"`);
  // The verdict on top: smoa and moa against the best single model, in words, above the table.
  const verdict = await view.getByTestId('eval-verdict-line').allInnerTexts();
  const expected = /^(smoa|moa)(: no significant difference from| beats| trails) single .*95% CI .*p = .* at [\d.]+x the tokens/;
  if (verdict.length !== 2 || !verdict.every((line) => expected.test(line))) throw new Error(`verdict lines: ${JSON.stringify(verdict)}`);
  const above = await view.getByTestId('eval-verdict').evaluate((el) => !!(el.compareDocumentPosition(el.ownerDocument.querySelector('[data-testid=eval-row]')) & 4));
  if (!above) throw new Error('the verdict is not above the results table');
  console.log(`[ui] verdict: ${verdict.join(' | ')}`);
  const points = await view.getByTestId('eval-point').count();
  if (points !== 3) throw new Error(`the chart shows ${points} points, expected 3`);
  if ((await view.getByTestId('eval-category-row').count()) !== 6) throw new Error('per-category rows missing');
  console.log(`[ui] screenshot: ${await screenshot(page, 'evaluation-results')}`);

  // A task's answers, then one run's trace in the trace panel.
  await view.locator('[data-testid=eval-task][data-task=sum]').click();
  const answers = view.getByTestId('eval-answer');
  await answers.first().waitFor({ timeout: 10_000 });
  if ((await answers.count()) !== 3) throw new Error(`task "sum" shows ${await answers.count()} answers, expected 3`);
  await answers.nth(0).getByTestId('eval-open-trace').click();
  await page.locator('.tabs-container .tab', { hasText: 'SMoA Trace' }).waitFor({ timeout: 20_000 });
  const trace = page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
  await trace.getByTestId('layer').first().waitFor({ timeout: 20_000 });
  console.log(`[ui] screenshot: ${await screenshot(page, 'evaluation-trace')}`);
});
