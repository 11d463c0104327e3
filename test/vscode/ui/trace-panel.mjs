/* global console, getComputedStyle -- getComputedStyle runs in the page; Node globals: the ESLint config declares none for .mjs */
// UI end-to-end: the trace panel in a real VS Code (code-server + Chromium), the packaged VSIX against the fake server.
// Opens a workspace file and puts the cursor at its end, opens "SMoA: Open Trace Panel" from the palette, types a
// prompt and runs it; checks the proposer cards of each layer, the judge's picks (highlighted, ranked), the moderator's
// decision and the streamed final answer; clicks "Insert into editor", saves, and reads the answer's code (a .ts file
// gets the code blocks only) from the file on disk.
// Screenshots: trace-panel-running.png (mid-run), trace-panel-finished.png, trace-panel-inserted.png.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openFile, smoaUiTest, updateDocsImage } from './lib/smoa.mjs';
import { runCommand, screenshot, webviewFrame } from './lib/workbench.mjs';

const FILE = 'src/stats.ts';
const PROMPT = 'How do I fix the median function of an even-length list in stats.ts?';

/** Markdown markers and whitespace removed, so rendered text and the raw markdown it came from compare equal. */
const plain = (text) => text.replace(/[*_`#>]/g, '').replace(/\s+/g, ' ').trim();

await smoaUiTest('trace-panel', { ttftMs: 150, tokensPerSecond: 60 }, async ({ page, workspace }) => {
  const original = readFileSync(join(workspace, FILE), 'utf8');

  // A file open in the first editor group, the cursor at its end: the answer goes there.
  const editor = await openFile(page, FILE);
  await editor.locator('.view-lines').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.dirty', { hasText: 'stats.ts' }).waitFor({ timeout: 5000 });
  // Room for the editor and the panel side by side.
  await runCommand(page, 'View: Close Primary Side Bar');

  await runCommand(page, 'SMoA: Open Trace Panel');
  const panel = webviewFrame(page);
  const prompt = panel.getByTestId('prompt-input');
  await prompt.waitFor({ timeout: 20_000 });
  await prompt.fill(PROMPT);
  await panel.getByTestId('run-button').click();

  // Mid-run: proposer cards stream (a few words in: every simulated answer starts "model-x (simulated): ...").
  await panel.getByTestId('run-prompt').filter({ hasText: PROMPT }).waitFor({ timeout: 10_000 });
  await panel.locator('[data-testid=proposal-card][data-status=streaming]').filter({ hasText: /simulated\)/ }).first().waitFor({ timeout: 20_000 });
  console.log(`[ui] screenshot: ${await screenshot(page, 'trace-panel-running')}`);

  // The run ends with an answer.
  const answer = panel.getByTestId('answer');
  await panel.locator('[data-testid=answer][data-status=ok]').waitFor({ timeout: 40_000 }).catch(async (err) => {
    const status = await answer.getAttribute('data-status').catch(() => '?');
    const error = await panel.getByTestId('run-error').textContent().catch(() => '');
    throw new Error(`the run did not finish with an answer (answer status "${status}"${error ? `, error: ${error}` : ''}): ${err.message}`);
  });

  // Layer 1 (at least) with its four proposer cards, all done; the judge kept two (ranked #1 and #2, highlighted).
  const layers = panel.getByTestId('layer');
  const layerCount = await layers.count();
  if (layerCount < 1) throw new Error('no layer was drawn');
  const layer1 = panel.locator('[data-testid=layer][data-layer="1"]');
  const cards = layer1.getByTestId('proposal-card');
  const cardCount = await cards.count();
  if (cardCount !== 4) throw new Error(`layer 1 shows ${cardCount} proposer cards, expected 4 (smoa.proposers)`);
  const done = await layer1.locator('[data-testid=proposal-card][data-status=done]').count();
  if (done !== 4) throw new Error(`layer 1: ${done} of 4 cards are done`);
  const picked = layer1.locator('[data-testid=proposal-card].picked');
  const ranks = (await picked.evaluateAll((els) => els.map((e) => e.dataset.rank))).sort();
  if (ranks.join(',') !== '1,2') throw new Error(`layer 1: picked cards ranked [${ranks}], expected [1,2] (smoa.topK = 2)`);
  const badges = await picked.getByTestId('pick-badge').allTextContents();
  if (badges.sort().join(',') !== '#1,#2') throw new Error(`pick badges read [${badges}]`);
  if ((await layer1.locator('[data-testid=proposal-card].dropped').count()) !== 2) throw new Error('layer 1: the two cards the judge dropped are not marked');
  // The highlight is visible, not only a class: a picked card's border differs from a dropped one's.
  const border = (loc) => loc.first().evaluate((e) => getComputedStyle(e).borderTopColor);
  const pickedBorder = await border(picked);
  const droppedBorder = await border(layer1.locator('[data-testid=proposal-card].dropped'));
  if (pickedBorder === droppedBorder) throw new Error(`picked and dropped cards look the same (border ${pickedBorder})`);
  const judge = await layer1.getByTestId('judge-reason').textContent();
  if (!/^Kept #1 proposal \d, #2 proposal \d/.test(judge ?? '')) throw new Error(`judge verdict reads "${judge}"`);

  // The moderator decided after layer 1: continue (then layer 2 ran) or stop (then layer 2 is skipped).
  const moderator = layer1.getByTestId('moderator-decision');
  const decision = await moderator.getAttribute('data-decision');
  if (decision !== 'stop' && decision !== 'continue') throw new Error(`moderator decision after layer 1: "${decision}"`);
  const layer2Status = await panel.locator('[data-testid=layer][data-layer="2"]').getAttribute('data-status', { timeout: 1000 }).catch(() => 'absent');
  if (decision === 'continue' && layer2Status !== 'done') throw new Error(`moderator said continue, but layer 2 is "${layer2Status}"`);
  if (decision === 'stop' && layer2Status === 'done') throw new Error('moderator said stop, but layer 2 ran');
  console.log(`[ui] ${layerCount} layer(s); layer 1 picks ranked ${ranks}; moderator: ${decision}; ${await panel.getByTestId('run-summary').textContent()}`);

  const answerText = await panel.getByTestId('final-answer').innerText();
  if (answerText.trim().length < 20) throw new Error(`final answer too short: "${answerText}"`);
  // The finished run with the panel's group maximized: the last layer's cards and verdicts, then the answer.
  await runCommand(page, 'View: Toggle Maximize Editor Group');
  // The palette fades out after Enter: a screenshot taken at once showed it half-transparent over the panel.
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5000 });
  const last = panel.locator(`[data-testid=layer][data-layer="${layerCount}"]`);
  await last.evaluate((e) => e.scrollIntoView({ block: 'start' }));
  const finished = await screenshot(page, 'trace-panel-finished');
  console.log(`[ui] screenshot: ${finished}`);
  updateDocsImage(finished, 'trace-panel-vscode');
  await runCommand(page, 'View: Toggle Maximize Editor Group');
  await page.locator('.tabs-container .tab', { hasText: 'stats.ts' }).first().waitFor({ timeout: 5000 });

  // Insert into the editor at the cursor, save, and read the file from disk.
  const insert = panel.getByTestId('insert-button');
  if (await insert.isDisabled()) throw new Error('"Insert into editor" is disabled after the run');
  await insert.click();
  const tab = page.locator('.tabs-container .tab', { hasText: 'stats.ts' }).first();
  // A .ts file gets the answer's code blocks only (smoa.insert.mode "auto"): Markdown prose there would be errors.
  const code = (await panel.locator('[data-testid=final-answer] pre code').allInnerTexts()).join('\n');
  if (!code.trim()) throw new Error('the simulated answer has no code block to insert');
  // The edit lands in the stats.ts editor (which the panel's click left unfocused): wait for the text, then save.
  const firstLine = code.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  await page.locator('.editor-instance .view-lines').first().filter({ hasText: firstLine.slice(-20) }).waitFor({ timeout: 10_000 });
  await tab.click();
  await page.keyboard.press('Control+S');
  await page.locator('.tabs-container .tab.dirty', { hasText: 'stats.ts' }).waitFor({ state: 'detached', timeout: 10_000 });
  let saved = '';
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await sleep(100)) {
    saved = readFileSync(join(workspace, FILE), 'utf8');
    if (saved !== original) break;
  }
  if (!saved.startsWith(original)) throw new Error(`the file's original text changed; expected the answer after it:\n${saved}`);
  const added = plain(saved.slice(original.length));
  const missing = code.split('\n').map(plain).filter((line) => line && !added.includes(line));
  if (missing.length) throw new Error(`the saved file lacks ${missing.length} line(s) of the answer's code, e.g. "${missing[0]}"; added text:\n${added}`);
  const prose = plain(answerText.split('\n').find((l) => l.trim() && !code.includes(l.trim())) ?? '');
  if (prose && added.includes(prose)) throw new Error(`the answer's prose ("${prose}") was pasted into ${FILE}`);
  console.log(`[ui] ${FILE} on disk now has the answer's code (${saved.length - original.length} characters after the cursor), no prose`);
  console.log(`[ui] screenshot: ${await screenshot(page, 'trace-panel-inserted')}`);
});
