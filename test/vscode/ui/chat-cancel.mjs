/* global console -- Node globals: the ESLint config declares none for .mjs */
// UI end-to-end (issue 10, item 11): stopping an @smoa run in VS Code's Chat view, in a real VS Code (code-server +
// Chromium), the packaged VSIX against a slow fake server.
// Sends `@smoa <prompt>`, waits until the proposers are answering, presses the chat's stop button; checks that the
// user is told it was cancelled with how many calls had finished (in the status bar: VS Code shows nothing a response
// streams after Stop), and that no follow-up ("Run again dense") is offered; then sends another question, whose
// response starts by saying how the stopped run ended (issue 23, item 3).
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

  // VS Code 1.139 discards what a response streams after Stop (and its errorDetails), so the note the extension writes
  // into the response cannot show there: the status bar says it.
  const status = page.locator('.part.statusbar').getByText(/SMoA run cancelled/).first();
  await status.waitFor({ timeout: 15_000 });
  const said = (await status.innerText()).trim();
  if (!/SMoA run cancelled(: \d+ of \d+ calls? had finished| before any model was asked)/.test(said)) {
    throw new Error(`the status bar does not say what had finished: ${said}`);
  }
  // The progress spinner is gone: the response is complete, not stuck.
  await response.locator('.codicon-loading').first().waitFor({ state: 'detached', timeout: 10_000 });
  // Follow-ups would build on a run that did not finish.
  const followups = page.locator('.interactive-session-followups, .chat-followups').getByText(/Run again dense/);
  if (await followups.count()) throw new Error('a cancelled run still offers "Run again dense"');
  console.log(`[ui] the status bar says: ${said}`);
  console.log(`[ui] screenshot: ${await screenshot(page, 'chat-cancelled')}`);

  // What VS Code does show after Stop is the next response: it starts by saying how the stopped run ended.
  await sendChat(page, '@smoa Say it briefly.');
  const next = page.locator('.interactive-list .interactive-item-container.interactive-response').nth(1);
  await next.getByText(/Your previous run was stopped: (\d+ of \d+ calls? had finished|before any model was asked)/).first().waitFor({ timeout: 30_000 });
  console.log('[ui] the next response starts by saying the previous run was stopped');
});
