/* global console -- Node globals: the ESLint config declares none for .mjs */
// UI end-to-end (issue 10, item 19), checking what the README says: without GitHub Copilot Chat, VS Code's chat has no
// default agent, so a message WITHOUT `@smoa` opens a Copilot sign-in, even with "SMoA ensemble" chosen as the model
// (the sandbox's set-up). If a VS Code update changes that, this fails and the README's "Without Copilot" goes stale.
import { openChat, sendChat } from './lib/chat.mjs';
import { smoaUiTest } from './lib/smoa.mjs';
import { screenshot } from './lib/workbench.mjs';
import { sandboxSettings, smoaSettings } from '../smoa-settings.mjs';

await smoaUiTest('chat-without-participant', { settings: (url) => sandboxSettings(smoaSettings(url)) }, async ({ page }) => {
  await openChat(page);
  await sendChat(page, 'What is the median of 1, 2, 3, 4?');
  await page.locator('.monaco-dialog-box, .dialog-shadow, [role=dialog]').filter({ hasText: 'Sign in to use GitHub Copilot' }).first().waitFor({ timeout: 20_000 });
  console.log('[ui] without @smoa, the message opens "Sign in to use GitHub Copilot"');
  console.log(`[ui] screenshot: ${await screenshot(page, 'chat-without-participant')}`);
});
