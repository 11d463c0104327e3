/* global console, setTimeout, document -- Node globals, and the App frame's document inside evaluate(): the ESLint config declares none for .mjs */
// UI end-to-end (issue 24): the MCP App of `smoa mcp`'s consult, drawn by VS Code's own MCP Apps host inside the chat of
// a real VS Code (code-server + Chromium), with the packaged VSIX against the fake server.
// Without Copilot no agent calls MCP tools, and the SMoA ensemble hides its own consult tool in Agent mode, so a
// test-only extension (test/vscode/fixtures/mcp-app-caller, packaged here, installed only into this test's profile)
// gives the chat a participant @mcpapp that invokes mcp_smoa_consult with its request's invocation token: VS Code then
// treats the call as an agent's tool call in that response and renders the tool's App.
// Checks, inside the App's frame: the run's layers, the judge's scores and the answer. Screenshot: mcp-app.png.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { lastResponse, openChat, selectChatModel, sendChat } from './lib/chat.mjs';
import { smoaUiTest, smoaSettings } from './lib/smoa.mjs';
import { screenshot } from './lib/workbench.mjs';
import { paths } from '../install.mjs';

const PROMPT = 'How should I fix the median of an even-length list?';

/** Packages the test-only caller extension into a temp dir (vsce works offline; ~2 s). */
function packageCaller() {
  const dir = mkdtempSync(join(tmpdir(), 'smoa-mcpapp-caller-'));
  const vsix = join(dir, 'mcp-app-caller.vsix');
  const r = spawnSync(join(paths.repoRoot, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--skip-license', '-o', vsix], {
    cwd: join(paths.repoRoot, 'test/vscode/fixtures/mcp-app-caller'),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`packaging the caller extension failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { vsix, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const caller = packageCaller();
try {
  await smoaUiTest(
    'mcp-app',
    {
      extraVsix: [caller.vsix],
      settings: (url) => ({ ...smoaSettings(url), 'smoa.mcp.enabled': true, 'chat.mcp.apps.enabled': true }),
    },
    async ({ page }) => {
      await openChat(page);
      await selectChatModel(page, 'SMoA ensemble');
      await sendChat(page, `@mcpapp ${PROMPT}`);
      const response = lastResponse(page);
      await response.waitFor({ timeout: 15_000 });
      // The tool declares it reaches the open world, so VS Code asks to review its result before the model sees it.
      const allow = response.getByRole('button', { name: /^Allow/ }).first();
      await allow.waitFor({ timeout: 60_000 });
      await screenshot(page, 'mcp-app-review');
      await allow.click();
      // VS Code frames the App in a webview inside a webview; find the frame that holds the trace view.
      let app;
      for (const deadline = Date.now() + 30_000; !app && Date.now() < deadline; ) {
        for (const frame of page.frames()) {
          if (await frame.getByTestId('run-summary').count().catch(() => 0)) app = frame;
        }
        if (!app) await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(app, `the consult's App is drawn under the tool call (frames: ${page.frames().map((f) => f.url().slice(-50)).join(', ')})`);
      assert.equal(await app.getByTestId('run-prompt').innerText(), PROMPT);
      assert.equal(await app.getByTestId('layer').count(), 2, 'both layers of the run');
      assert.match(await app.getByTestId('judge-scores').first().innerText(), /^Scores: /);
      assert.match(await app.getByTestId('moderator-decision').first().innerText(), /Moderator/);
      assert.match(await app.getByTestId('final-answer').innerText(), /\S/);
      assert.match(await app.getByTestId('run-summary').innerText(), /calls/);
      // The chat column is narrow: nothing may be wider than the frame (a cut-off score or status is unreadable).
      const overflow = await app.evaluate(() => {
        const width = document.documentElement.clientWidth;
        return [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > width + 0.5)
          .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`)
          .slice(0, 5);
      });
      assert.deepEqual(overflow, [], `elements wider than the App's frame`);
      await app.getByTestId('run-prompt').scrollIntoViewIfNeeded();
      console.log(`[ui] screenshot: ${await screenshot(page, 'mcp-app')}`);
    },
  );
} finally {
  caller.remove();
}
