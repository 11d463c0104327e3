/* global console -- Node globals: the ESLint config declares none for .mjs */
// UI end-to-end: @smoa in VS Code's Chat view with only the extension's own models (no Copilot), in a real VS Code
// (code-server + Chromium), the packaged VSIX against the fake server.
// Opens the Chat view, selects "SMoA ensemble" in the model picker, sends `@smoa <prompt>`; checks the progress lines,
// that the answer streams (text before the summary), the summary line and the "Open trace" / "Insert into editor"
// buttons; clicks "Open trace" and checks that the trace panel shows that run.
// Screenshots: chat-progress.png, chat-answer.png, chat-open-trace.png.
import { lastResponse, openChat, selectChatModel, sendChat } from './lib/chat.mjs';
import { openFile, smoaUiTest, updateDocsImage } from './lib/smoa.mjs';
import { runCommand, screenshot, webviewFrame } from './lib/workbench.mjs';

const PROMPT = 'How should I fix the median of an even-length list?';
const MODEL = 'SMoA ensemble';

await smoaUiTest('chat', { ttftMs: 150, tokensPerSecond: 40 }, async ({ page }) => {
  // A file open next to the chat, as a user would have it.
  await openFile(page, 'src/stats.ts');
  await runCommand(page, 'View: Close Primary Side Bar');
  await openChat(page);
  await widenSecondarySideBar(page, 560);
  await selectChatModel(page, MODEL);
  await sendChat(page, `@smoa ${PROMPT}`);

  const response = lastResponse(page);
  await response.waitFor({ timeout: 15_000 });
  // Progress: the participant narrates each stage.
  await response.getByText(/Layer 1\/2: 4 proposers answering/).first().waitFor({ timeout: 30_000 });
  console.log(`[ui] screenshot: ${await screenshot(page, 'chat-progress')}`);

  // The answer streams: its first words are there before the run's summary line.
  const summary = response.getByText(/SMoA: \d+ layers?, \d+ calls?/).first();
  await response.getByText(/\(simulated\)/).first().waitFor({ timeout: 30_000 });
  if (await summary.isVisible()) throw new Error('the answer appeared only together with the summary: it did not stream');
  await summary.waitFor({ timeout: 30_000 });
  const summaryText = await summary.innerText();

  const openTrace = response.getByRole('button', { name: 'Open trace' });
  await openTrace.waitFor({ timeout: 5000 });
  await response.getByRole('button', { name: 'Insert into editor' }).waitFor({ timeout: 5000 });
  const text = await response.innerText();
  if (!text.includes(PROMPT)) throw new Error(`the answer does not address the prompt (the fake models quote it):\n${text}`);
  if (/customizations index|<skills>/i.test(text)) throw new Error(`VS Code's own customizations index reached the models:\n${text}`);
  if (/Language model unavailable|sign in/i.test(text)) throw new Error(`chat did not get a model:\n${text}`);
  console.log(`[ui] @smoa answered; summary: ${summaryText}`);
  await dismissChatBanner(page, 'Set BYOK utility models');
  const answered = await screenshot(page, 'chat-answer');
  console.log(`[ui] screenshot: ${answered}`);
  updateDocsImage(answered, 'chat');

  // "Open trace" opens the trace panel on this run.
  await openTrace.click();
  const panel = webviewFrame(page);
  await panel.getByTestId('run-prompt').filter({ hasText: PROMPT }).waitFor({ timeout: 20_000 });
  await panel.locator('[data-testid=answer][data-status=ok]').waitFor({ timeout: 10_000 });
  const meta = await panel.getByTestId('run-meta').innerText();
  if (!meta.includes('started from chat')) throw new Error(`the trace panel shows a run "${meta}", not the chat's`);
  const cards = await panel.getByTestId('proposal-card').count();
  if (cards < 4) throw new Error(`the trace panel shows ${cards} proposer cards, expected at least 4`);
  console.log(`[ui] Open trace: panel shows the chat's run (${meta}; ${cards} proposer cards)`);
  console.log(`[ui] screenshot: ${await screenshot(page, 'chat-open-trace')}`);
});

/** Drags the sash left of the secondary side bar (where the Chat view is) until the bar is about `width` wide. */
async function widenSecondarySideBar(page, width) {
  const bar = page.locator('.part.auxiliarybar');
  const box = await bar.boundingBox();
  if (!box || box.width >= width) return;
  // The vertical sash whose centre is closest to the bar's left edge.
  const sash = await page.locator('.monaco-sash.vertical').evaluateAll((els, left) => {
    const rects = els.map((e) => e.getBoundingClientRect()).filter((r) => r.height > 100);
    rects.sort((a, b) => Math.abs(a.x + a.width / 2 - left) - Math.abs(b.x + b.width / 2 - left));
    return rects[0] && { x: rects[0].x + rects[0].width / 2, y: rects[0].y + rects[0].height / 2 };
  }, box.x);
  if (!sash) return;
  await page.mouse.move(sash.x, sash.y);
  await page.mouse.down();
  await page.mouse.move(sash.x - (width - box.width), sash.y, { steps: 8 });
  await page.mouse.up();
  const after = await bar.boundingBox();
  console.log(`[ui] secondary side bar ${Math.round(box.width)} -> ${Math.round(after?.width ?? 0)} px wide`);
}

/** Closes a notice VS Code 1.139 shows above the chat input (e.g. "Set BYOK utility models"), if it is there. */
async function dismissChatBanner(page, title) {
  const notice = page.locator(`.chat-input-notification-widget[aria-label="${title}"]`);
  if (!(await notice.isVisible())) return;
  await notice.locator('.chat-input-notice-dismiss').click();
  await notice.waitFor({ state: 'hidden', timeout: 5000 });
}
