/* global console -- Node globals: the ESLint config declares none for .mjs */
// Driving VS Code's Chat view (1.139, code-server) without Copilot: open it, pick a model the SMoA extension provides,
// send a request. What was found here:
// - Models of extension providers are resolved lazily: until something asks for them, the model picker reads "Models"
//   and offers only "Sign in to use Copilot". The extension now asks for its own models at activation
//   (src/models/provider.ts), so the picker lists a, b and "SMoA ensemble" with a search box. Should it not, opening
//   "Chat: Manage Language Models" resolves them too: selectChatModel falls back to that and says so.
// - The default mode (Agent) lists models that declare toolCalling; the SMoA models do, so Ask mode is not needed.
import { setTimeout as sleep } from 'node:timers/promises';
import { runCommand } from './workbench.mjs';

export const chatInput = (page) => page.locator('.interactive-input-part').first();

/** Opens the Chat view (palette "Chat: Open Chat"), waits for its input, and clears the notifications covering it. */
export async function openChat(page) {
  await runCommand(page, 'Chat: Open Chat');
  await chatInput(page).locator('.interactive-input-editor .monaco-editor').waitFor({ timeout: 15_000 });
  // A start-up notice (e.g. the settings check's "judge is also a proposer") sits over the chat input's buttons.
  await runCommand(page, 'Notifications: Clear All Notifications');
}

/**
 * Selects `name` in the chat's model picker. If the dropdown does not list it yet (models not resolved), it opens and
 * closes "Chat: Manage Language Models" and tries again.
 */
export async function selectChatModel(page, name, { tries = 4 } = {}) {
  const pickerButton = chatInput(page).locator('.model-picker-name');
  const dropdown = page.locator('.chat-model-picker-dropdown');
  // While extensions are still activating, VS Code resolves the models again and puts its first one back in the picker
  // (seen under load: "SMoA ensemble" chosen, then "a"): choose once that is over.
  await page.locator('.part.statusbar').getByText(/Activating Extensions/).waitFor({ state: 'hidden', timeout: 60_000 });
  for (let attempt = 1; ; attempt++) {
    // Resolving the models re-runs the settings check, whose notice may come back over the picker.
    if (await page.locator('.notifications-toasts .notification-toast').first().isVisible()) {
      await runCommand(page, 'Notifications: Clear All Notifications');
    }
    await pickerButton.click();
    await dropdown.waitFor({ timeout: 5000 });
    const search = page.locator('.action-widget input').first();
    if (await search.isVisible()) await search.fill(name);
    const row = dropdown.locator('.monaco-list-row', { hasText: name }).first();
    if (await row.waitFor({ timeout: 2000 }).then(() => true, () => false)) {
      await row.click();
      if (await pickerButton.filter({ hasText: name }).waitFor({ timeout: 5000 }).then(() => true, () => false)) {
        // Models resolved just before (Manage Language Models) can put VS Code's first model back a moment later: the
        // choice counts once it holds.
        await sleep(1000);
        if (await pickerButton.filter({ hasText: name }).isVisible()) return;
      }
      const shown = (await pickerButton.innerText().catch(() => '?')).trim();
      if (attempt >= tries) throw new Error(`the chat model picker shows "${shown}" after choosing "${name}"`);
      console.log(`[ui] the chat model picker went back to "${shown}" after choosing "${name}" (models re-resolved); choosing again`);
      continue;
    }
    const offered = (await dropdown.innerText().catch(() => '')).replace(/\s+/g, ' ');
    await page.keyboard.press('Escape');
    if (attempt >= tries) throw new Error(`the chat model picker does not offer "${name}" (it lists: ${offered})`);
    console.log(`[ui] model picker lists "${offered}"; resolving the providers' models via Chat: Manage Language Models`);
    await runCommand(page, 'Chat: Manage Language Models');
    // The Language Models editor lists every provider's models once they are resolved.
    await page.getByText(name, { exact: true }).first().waitFor({ timeout: 10_000 }).catch(() => {});
    await page.keyboard.press('Escape');
    // VS Code 1.139 shows that editor as a modal, which Escape in its search box does not always close; left open, it
    // takes the clicks meant for the model picker.
    const modal = page.locator('.monaco-modal-editor-block');
    if (await modal.isVisible()) {
      await modal.locator('.codicon-close, .codicon-chrome-close').first().click();
      await modal.waitFor({ state: 'hidden', timeout: 5000 });
    }
    await sleep(200);
  }
}

/** The chat input's text as the editor shows it (Monaco renders spaces as no-break spaces). */
const inputText = async (input) => normalize(await input.locator('.view-lines').innerText().catch(() => ''));
const normalize = (text) => text.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();

/**
 * Types `text` into the chat input and sends it with the Send button. What the input holds is replaced: after an @smoa
 * answer VS Code keeps "@smoa " in it, and `@smoa ...` typed after that reached the participant as "@smoa @smoa ...".
 * Enter is not used to send: typing "@smoa" opens the participant suggestions, which under load open late, after any
 * check for them, and Enter then accepts a suggestion ("@agent" was seen in the input) instead of sending.
 */
export async function sendChat(page, text) {
  const input = chatInput(page).locator('.interactive-input-editor .monaco-editor');
  await input.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
  const want = normalize(text);
  const typed = async () => (await inputText(input)) === want;
  for (let i = 0; !(await typed()); i++) {
    if (i >= 50) throw new Error(`the chat input holds "${await inputText(input)}", not the typed "${want}"`);
    await sleep(100);
  }
  const suggest = page.locator('.monaco-workbench .suggest-widget.visible');
  if (await suggest.first().isVisible().catch(() => false)) {
    await page.keyboard.press('Escape');
    await suggest.first().waitFor({ state: 'hidden', timeout: 2000 }).catch(() => {});
  }
  // The button's accessible name also carries its Alt action: "Send\n[Alt] Send to New Chat (Ctrl+Shift+Enter)".
  await chatInput(page).getByRole('button', { name: /^Send\b/ }).first().click();
  // Left over the button, the pointer keeps its tooltip open over the chat in later screenshots.
  await page.mouse.move(0, 0);
  // A sent request clears the input (or leaves "@smoa "); a request VS Code does not send (no Copilot: a sign-in
  // dialog) leaves it: callers check what follows, this only waits a moment for the first case.
  for (let i = 0; i < 50 && (await typed()); i++) await sleep(100);
}

/** The last response in the chat list. */
export const lastResponse = (page) => page.locator('.interactive-list .interactive-item-container.interactive-response').last();
