/* global console -- Node globals: the ESLint config declares none for .mjs */
// UI end-to-end (issue 10, item 15): "SMoA: Configure Models" with no endpoints and no models, in a real VS Code
// (code-server + Chromium), the packaged VSIX. Adds the fake server as an endpoint (base URL, name, no key), picks two of
// the models its /models lists as proposers, a third as aggregator, the aggregator as judge, confirms; checks that the
// user settings.json then holds that endpoint and panel. The local-server probe (127.0.0.1 ports 11434, 1234, 8000) must
// not hold up the first step when nothing runs there.
// Screenshots: configure-models-source.png, configure-models-proposers.png, configure-models-confirm.png.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { smoaUiTest } from './lib/smoa.mjs';
import { runCommand, screenshot } from './lib/workbench.mjs';

await smoaUiTest('configure-models', { settings: () => ({}) }, async ({ page, cs, fakeUrl }) => {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input').first();
  const row = (text) => widget.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();

  await runCommand(page, 'SMoA: Configure Models');
  // Timed from the command's start (runCommand waits for the extension to register it): the local-server probe on
  // 127.0.0.1 must not hold the first step up.
  const started = Date.now();
  await row('Add an OpenAI-compatible endpoint').waitFor({ timeout: 10_000 });
  const shownMs = Date.now() - started;
  console.log(`[ui] first step shown ${shownMs} ms after the command started`);
  if (shownMs > 5000) throw new Error(`the first step took ${shownMs} ms to show`);
  const placeholder = await input.getAttribute('placeholder');
  if (!/No models yet/.test(placeholder ?? '')) throw new Error(`the first step does not say there are no models: "${placeholder}"`);
  console.log(`[ui] screenshot: ${await screenshot(page, 'configure-models-source')}`);
  await row('Add an OpenAI-compatible endpoint').click();

  // Base URL, name (the suggestion), key (none).
  await input.fill(fakeUrl);
  await page.keyboard.press('Enter');
  await sleep(300);
  const suggested = await input.inputValue();
  if (suggested !== 'local') throw new Error(`the suggested endpoint name is "${suggested}", expected "local"`);
  await page.keyboard.press('Enter');
  await sleep(300);
  if ((await input.getAttribute('type')) !== 'password') throw new Error('the API key box is not a password box');
  await page.keyboard.press('Enter');

  // Proposers: the models the endpoint lists.
  await row('model-a').waitFor({ timeout: 10_000 });
  // VS Code 1.139 draws the checkbox as a custom toggle (role=checkbox); older builds used an <input>.
  for (const model of ['model-a', 'model-b']) {
    const box = row(model).locator('[role=checkbox], .quick-input-list-checkbox, input[type=checkbox]').first();
    await box.click();
    if ((await box.getAttribute('aria-checked')) === 'false') throw new Error(`${model} did not become checked`);
  }
  console.log(`[ui] screenshot: ${await screenshot(page, 'configure-models-proposers')}`);
  // OK, not Enter: Enter on the focused checkbox would toggle it back.
  await widget.locator('.monaco-button', { hasText: /^OK$/ }).first().click();

  // Aggregator: model-c; judge: the default (same as the aggregator).
  // Wait for the step's title: the proposers' rows (model-c among them) stay on screen until the next step replaces them.
  await widget.locator('.quick-input-title', { hasText: 'aggregator' }).waitFor({ timeout: 10_000 });
  await row('model-c').waitFor({ timeout: 10_000 });
  await input.fill('model-c');
  await page.keyboard.press('Enter');
  await row('Same as the aggregator').waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');

  // Nothing is written before the confirmation.
  await row('Save').waitFor({ timeout: 10_000 });
  const before = userSettings(cs);
  if (before['smoa.endpoints']) throw new Error('settings were written before the confirmation');
  console.log(`[ui] screenshot: ${await screenshot(page, 'configure-models-confirm')}`);
  await row('Save').click();

  const settings = await waitForSettings(cs, (s) => Array.isArray(s['smoa.proposers']));
  const expect = (key, value) => {
    if (JSON.stringify(settings[key]) !== JSON.stringify(value)) throw new Error(`${key} is ${JSON.stringify(settings[key])}, expected ${JSON.stringify(value)}`);
  };
  expect('smoa.endpoints', [{ id: 'local', baseURL: fakeUrl }]);
  expect('smoa.proposers', ['model-a', 'model-b']);
  expect('smoa.aggregator', 'model-c');
  console.log(`[ui] settings written: ${JSON.stringify(settings['smoa.models'])}`);
});

function userSettings(cs) {
  try {
    return JSON.parse(readFileSync(join(cs.userDataDir, 'User', 'settings.json'), 'utf8'));
  } catch {
    return {};
  }
}

async function waitForSettings(cs, ok, timeoutMs = 10_000) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    const s = userSettings(cs);
    if (ok(s)) return s;
  }
  throw new Error(`the user settings were not written: ${JSON.stringify(userSettings(cs))}`);
}
