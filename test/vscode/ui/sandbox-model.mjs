/* global console -- Node globals: the ESLint config declares none for .mjs */
// UI end-to-end: what `npm run sandbox` shows first, in a real VS Code without Copilot (code-server + Chromium), with
// the sandbox's own settings and environment.
// - Issue 10, item 19: the chat has "SMoA ensemble" chosen in its model picker, as the README's screenshot shows.
// - Issue 23, item 4: the Chat view opens by itself with "@smoa " in its input (SMOA_OPEN_CHAT=1), so the first
//   question, typed after it, goes to @smoa and is answered by SMoA (not "You need to set up GitHub Copilot").
// - Issue 23, item 5: no SMoA warning or error notification at start-up (the shipped settings follow the settings
//   check's own advice).
import { setTimeout as sleep } from 'node:timers/promises';
import { chatInput, lastResponse } from './lib/chat.mjs';
import { smoaUiTest } from './lib/smoa.mjs';
import { runCommand, screenshot } from './lib/workbench.mjs';
import { sandboxSettings, smoaSettings } from '../smoa-settings.mjs';

await smoaUiTest('sandbox-model', { settings: (url) => sandboxSettings(smoaSettings(url)), env: { SMOA_OPEN_CHAT: '1' } }, async ({ page }) => {
  // The chat opens by itself, with "@smoa " typed.
  const editor = chatInput(page).locator('.interactive-input-editor .monaco-editor');
  await editor.waitFor({ timeout: 30_000 });
  const typed = editor.locator('.view-lines');
  for (const deadline = Date.now() + 20_000; !/@smoa/.test(await typed.innerText().catch(() => '')); await sleep(250)) {
    if (Date.now() > deadline) throw new Error(`the chat input reads "${await typed.innerText().catch(() => '?')}", not "@smoa "`);
  }
  console.log('[ui] the chat opened with "@smoa " in its input');

  const picker = chatInput(page).locator('.model-picker-name');
  await picker.filter({ hasText: 'SMoA ensemble' }).waitFor({ timeout: 20_000 }).catch(async () => {
    throw new Error(`the chat's model picker shows "${(await picker.innerText().catch(() => '?')).trim()}", not "SMoA ensemble"`);
  });
  console.log('[ui] the chat opens with "SMoA ensemble" chosen');

  // The extension has checked the settings by now (it registered the model the picker shows). Nothing to warn about:
  // neither a toast nor an entry in the notification center.
  await sleep(3000);
  await runCommand(page, 'Notifications: Show Notifications');
  const center = page.locator('.notifications-center');
  await center.waitFor({ timeout: 10_000 });
  const notices = (await center.locator('.notification-list-item-message').allInnerTexts()).filter((t) => /SMoA|smoa\./.test(t));
  if (notices.length) throw new Error(`SMoA notifications at start-up: ${notices.join(' | ')}`);
  await runCommand(page, 'Notifications: Hide Notifications');
  console.log('[ui] no SMoA notification at start-up');
  console.log(`[ui] screenshot: ${await screenshot(page, 'sandbox-model')}`);

  // The first question goes to @smoa: typed after the prefix, sent with Enter.
  await editor.click();
  await page.keyboard.press('End');
  await page.keyboard.type('How do I reverse a list in Python?');
  await page.keyboard.press('Enter');
  const response = lastResponse(page);
  await response.getByText(/SMoA: \d+ layers?, \d+ calls?/).first().waitFor({ timeout: 60_000 });
  const text = await response.innerText();
  if (/set up GitHub Copilot|sign in/i.test(text)) throw new Error(`the first question did not go to @smoa:\n${text}`);
  console.log('[ui] the first question was answered by @smoa');
});
