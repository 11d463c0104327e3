/* global console -- Node globals: the ESLint config declares none for .mjs */
// UI end-to-end (issue 10, item 11): stopping an @smoa run in VS Code's Chat view, in a real VS Code (code-server +
// Chromium), the packaged VSIX against a slow fake server.
// Sends `@smoa <prompt>`, waits until the proposers are answering, presses the chat's stop button; checks that the
// response then says "Cancelled" with how many calls had finished, and that no follow-up ("Run again dense") is offered.
// Screenshot: chat-cancelled.png.
import { chatInput, lastResponse, openChat, selectChatModel, sendChat } from './lib/chat.mjs';
import { smoaUiTest } from './lib/smoa.mjs';
import { screenshot } from './lib/workbench.mjs';

// Slow enough that the run is still in its first layer when the stop button is pressed.
await smoaUiTest('chat-cancel', { ttftMs: 400, tokensPerSecond: 4 }, async ({ page }) => {
  await openChat(page);
  await selectChatModel(page, 'SMoA ensemble');
  await sendChat(page, '@smoa Explain the median of an even-length list, at length.');

  const response = lastResponse(page);
  await response.waitFor({ timeout: 15_000 });
  await response.getByText(/Layer 1\/2: 4 proposers answering/).first().waitFor({ timeout: 30_000 });

  // The send button turns into a stop button while the request runs.
  const stop = chatInput(page).locator('.action-label.codicon-stop-circle, a[aria-label^="Cancel"], .codicon-debug-stop').first();
  await stop.click({ timeout: 10_000 });
  console.log('[ui] pressed stop while the proposers were answering');

  await response.getByText(/Cancelled/).first().waitFor({ timeout: 15_000 });
  const text = await response.innerText();
  if (!/Cancelled (before any model was asked|\d+ of \d+ calls? had finished)/.test(text)) {
    throw new Error(`the cancelled response does not say what had finished:\n${text}`);
  }
  // Follow-ups would build on a run that did not finish.
  const followups = page.locator('.interactive-session-followups, .chat-followups').getByText(/Run again dense/);
  if (await followups.count()) throw new Error('a cancelled run still offers "Run again dense"');
  console.log(`[ui] the response says: ${text.split('\n').find((l) => l.includes('Cancelled'))}`);
  console.log(`[ui] screenshot: ${await screenshot(page, 'chat-cancelled')}`);
});
