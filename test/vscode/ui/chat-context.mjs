/* global console -- Node globals: the ESLint config declares none for .mjs */
// UI end-to-end (issue 23, items 1 and 2): context asked for in words reaches the models, in a real VS Code without
// Copilot (code-server + Chromium, the packaged VSIX, the fake server recording what each model received).
// 1. No editor open (VS Code would attach the active editor by itself): `@smoa What is wrong in #file:src/stats.ts?`
//    typed literally (code-server offers no #file completion): every proposer gets src/stats.ts as context, and the
//    response says it was attached.
// 2. With lines 6-9 of src/stats.ts selected, `@smoa Why is this wrong?`: the models get the selection once (VS Code
//    1.139 attaches it too, as its implicit context), and the response says which lines were sent.
// 3. No answer carries VS Code's "The MCP server SMoA ... Start it now?" prompt: the MCP server is opt-in.
// Screenshot: chat-context.png.
import { setTimeout as sleep } from 'node:timers/promises';
import { lastResponse, openChat, selectChatModel, sendChat } from './lib/chat.mjs';
import { openFile, smoaUiTest } from './lib/smoa.mjs';
import { screenshot } from './lib/workbench.mjs';

const SUMMARY = /SMoA: \d+ layers?, \d+ calls?/;
const MCP_PROMPT = /MCP server|requires interaction to start|Start it now/i;

await smoaUiTest('chat-context', {}, async ({ page, requests }) => {
  await openChat(page);
  await selectChatModel(page, 'SMoA ensemble');

  // 1. A literal #file: path.
  const first = await ask(page, '@smoa What is wrong in #file:src/stats.ts?');
  const withFile = proposerTurns(requests()).filter((turn) => turn.includes('<context source="src/stats.ts">') && turn.includes('export function median'));
  if (withFile.length < 4) {
    throw new Error(`src/stats.ts reached ${withFile.length} proposer calls, expected every one (4):\n${proposerTurns(requests()).join('\n---\n').slice(0, 2000)}`);
  }
  if (!/Attached src\/stats\.ts for #file:src\/stats\.ts/.test(first)) throw new Error(`the response does not say the file was attached:\n${first}`);
  if (/the models did not get it/.test(first)) throw new Error(`the response says a file was not found:\n${first}`);
  console.log(`[ui] #file:src/stats.ts reached ${withFile.length} proposer calls; the response says so`);

  // 2. "this" with the editor's selection: lines 6-9 (the median function), selected as a user would with Shift+Down
  // from the start of line 6.
  const editor = await openFile(page, 'src/stats.ts', { timeoutMs: 60_000 });
  await editor.click();
  await page.keyboard.press('Control+G');
  await page.keyboard.type('6');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Home');
  for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowDown');
  const before = requests().length;
  const second = await ask(page, '@smoa Why is this wrong?');
  if (!/Sent your selection: lines 6-9 of src\/stats\.ts/.test(second)) throw new Error(`the response does not say which lines were sent:\n${second}`);
  const turns = proposerTurns(requests().slice(before));
  const withSelection = turns.filter((turn) => turn.includes('<context source="src/stats.ts:6-9">') && turn.includes('const sorted = [...xs].sort();'));
  if (withSelection.length < 4) throw new Error(`the selection reached ${withSelection.length} proposer calls, expected 4:\n${turns.join('\n---\n').slice(0, 2000)}`);
  const twice = turns.filter((turn) => turn.split('const sorted = [...xs].sort();').length > 2);
  if (twice.length) throw new Error(`the selection went twice to ${twice.length} calls:\n${twice[0]}`);
  console.log(`[ui] the selection (lines 6-9) reached ${withSelection.length} proposer calls once each; the response says which lines`);

  // 3. The MCP server is opt-in: VS Code has nothing to ask about it inside an answer.
  for (const [n, text] of [first, second].entries()) {
    if (MCP_PROMPT.test(text)) throw new Error(`answer ${n + 1} carries an MCP prompt:\n${text}`);
  }
  console.log('[ui] no MCP prompt in either answer');
  console.log(`[ui] screenshot: ${await screenshot(page, 'chat-context')}`);
});

/**
 * Sends a chat request, waits until its response shows the run's summary, and returns what the response shows (its
 * visible text: what VS Code folds away under "Completed N steps" the user does not see).
 */
async function ask(page, text) {
  // The chat list drops rows scrolled out of view, so the new response is told apart by its text, not its index.
  const previous = (await lastResponse(page).count()) ? await lastResponse(page).innerText() : '';
  await sendChat(page, text);
  for (const deadline = Date.now() + 90_000; ; await sleep(250)) {
    const now = (await lastResponse(page).count()) ? await lastResponse(page).innerText().catch(() => '') : '';
    if (now !== previous && SUMMARY.test(now)) return now;
    if (Date.now() > deadline) throw new Error(`no answer with a summary to "${text}"; the last response reads:\n${now}`);
  }
}

/** The last user message of each call that answers in prose (judge and role-writer calls ask for JSON). */
function proposerTurns(reqs) {
  return reqs
    .filter((r) => !r.json)
    .map((r) => r.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '');
}
