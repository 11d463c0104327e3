/* global console -- Node globals: the ESLint config declares none for .mjs */
// UI end-to-end (issue 10, item 19): the sandbox's settings (`npm run sandbox`) open the chat with "SMoA ensemble"
// already chosen in its model picker, as the README's screenshot shows, in a real VS Code without Copilot.
import { chatInput, openChat } from './lib/chat.mjs';
import { smoaUiTest } from './lib/smoa.mjs';
import { screenshot } from './lib/workbench.mjs';
import { sandboxSettings, smoaSettings } from '../smoa-settings.mjs';

await smoaUiTest('sandbox-model', { settings: (url) => sandboxSettings(smoaSettings(url)) }, async ({ page }) => {
  await openChat(page);
  const picker = chatInput(page).locator('.model-picker-name');
  await picker.filter({ hasText: 'SMoA ensemble' }).waitFor({ timeout: 20_000 }).catch(async () => {
    throw new Error(`the chat's model picker shows "${(await picker.innerText().catch(() => '?')).trim()}", not "SMoA ensemble"`);
  });
  console.log('[ui] the chat opens with "SMoA ensemble" chosen');
  console.log(`[ui] screenshot: ${await screenshot(page, 'sandbox-model')}`);
});
