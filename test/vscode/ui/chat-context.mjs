/* global console -- Node globals: the ESLint config declares none for .mjs */
// UI end-to-end (issue 23, item 1): context asked for in words reaches the models, in a real VS Code without Copilot
// (code-server + Chromium, the packaged VSIX, the fake server recording what each model received).
// 1. `@smoa What is wrong in #file:src/stats.ts?` typed literally (code-server offers no #file completion): every
//    proposer gets src/stats.ts as context, and the response says it was attached.
// 2. With lines 6-9 of src/stats.ts selected, `@smoa Why is this wrong?`: the models get the selection, and the
//    response says which lines were sent.
// Screenshot: chat-context.png.
import { lastResponse, openChat, selectChatModel, sendChat } from './lib/chat.mjs';
import { openFile, smoaUiTest } from './lib/smoa.mjs';
import { screenshot } from './lib/workbench.mjs';

const SUMMARY = /SMoA: \d+ layers?, \d+ calls?/;

await smoaUiTest('chat-context', {}, async ({ page, requests }) => {
  const editor = await openFile(page, 'src/stats.ts');
  // Lines 6-9 (the median function), selected as a user would with Shift+Down from the start of line 6.
  await editor.click();
  await page.keyboard.press('Control+G');
  await page.keyboard.type('6');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Home');
  for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowDown');

  await openChat(page);
  await selectChatModel(page, 'SMoA ensemble');

  // 1. A literal #file: path.
  await ask(page, '@smoa What is wrong in #file:src/stats.ts?', 1);
  const first = await lastResponse(page).innerText();
  const withFile = proposerTurns(requests()).filter((turn) => turn.includes('<context source="src/stats.ts">') && turn.includes('export function median'));
  if (withFile.length < 4) {
    throw new Error(`src/stats.ts reached ${withFile.length} proposer calls, expected every one (4):\n${proposerTurns(requests()).join('\n---\n').slice(0, 2000)}`);
  }
  if (!/Attached src\/stats\.ts for #file:src\/stats\.ts/.test(first)) throw new Error(`the response does not say the file was attached:\n${first}`);
  if (/the models did not get it/.test(first)) throw new Error(`the response says a file was not found:\n${first}`);
  console.log(`[ui] #file:src/stats.ts reached ${withFile.length} proposer calls; the response says so`);

  // 2. "this" with the editor's selection.
  const before = requests().length;
  await ask(page, '@smoa Why is this wrong?', 2);
  const second = await lastResponse(page).innerText();
  if (!/Sent your selection: lines 6-9 of src\/stats\.ts/.test(second)) throw new Error(`the response does not say which lines were sent:\n${second}`);
  const withSelection = proposerTurns(requests().slice(before)).filter(
    (turn) => turn.includes('<context source="src/stats.ts:6-9">') && turn.includes('const sorted = [...xs].sort();'),
  );
  if (withSelection.length < 4) throw new Error(`the selection reached ${withSelection.length} proposer calls, expected 4`);
  console.log(`[ui] the selection (lines 6-9) reached ${withSelection.length} proposer calls; the response says which lines`);
  console.log(`[ui] screenshot: ${await screenshot(page, 'chat-context')}`);
});

/** Sends a chat request and waits until its response (the n-th) shows the run's summary. */
async function ask(page, text, n) {
  await sendChat(page, text);
  const response = page.locator('.interactive-list .interactive-item-container.interactive-response').nth(n - 1);
  await response.getByText(SUMMARY).first().waitFor({ timeout: 60_000 });
}

/** The last user message of each call that answers in prose (judge and role-writer calls ask for JSON). */
function proposerTurns(reqs) {
  return reqs
    .filter((r) => !r.json)
    .map((r) => r.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '');
}
