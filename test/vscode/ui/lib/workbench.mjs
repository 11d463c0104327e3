/* global console -- Node globals: the ESLint config declares none for .mjs */
// Helpers for UI end-to-end tests: a real VS Code workbench (code-server) driven by headless Chromium.
// A UI test is a standalone script test/vscode/ui/<name>.mjs that exits non-zero on failure; `npm run test:ui` runs
// them one after another (test/vscode/run-ui.mjs). Typical shape:
//
//   import { buildAndPackage } from '../vsix.mjs';
//   import { uiTest, runCommand, screenshot } from './lib/workbench.mjs';
//   await uiTest('my feature', { vsix: buildAndPackage() }, async ({ page }) => {
//     await runCommand(page, 'SMoA: Open Trace');
//     await webviewFrame(page).getByText('Trace').waitFor();
//     await screenshot(page, 'my-feature');
//   });
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchBrowser, startCodeServer } from '../../code-server.mjs';
import { ensureInstalled, paths } from '../../install.mjs';

export const SCREENSHOT_DIR = join(paths.repoRoot, 'test-results/screenshots');
export const SAMPLE_WORKSPACE = join(paths.repoRoot, 'test/vscode/sample-workspace');

/** Settings that keep pop-ups (git, tips, updates) from covering what a test looks at or screenshots. */
export const QUIET_WORKBENCH_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  // The sample workspace lives inside this repository's git work tree.
  'git.openRepositoryInParentFolders': 'never',
  // VS Code 1.139 opens the Chat view in the secondary side bar at start-up; tests open it when they want it.
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // A test saves explicitly (and may check the editor's dirty state first).
  'files.autoSave': 'off',
};

/** Opens the workbench of a started code-server on `folder` and waits until it is usable. */
export async function openWorkbench(page, cs, { folder = cs.workspace, timeoutMs = 60_000 } = {}) {
  await page.goto(`${cs.url}/?folder=${encodeURIComponent(folder)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
  await page.locator('.part.statusbar').waitFor({ timeout: timeoutMs });
  // The activity bar appears once the workbench restored its layout: a good "ready to type" signal.
  await page.locator('.part.activitybar').waitFor({ timeout: timeoutMs });
  return page;
}

/**
 * Runs a command from the palette by its exact title ("Developer: Show Running Extensions").
 * The palette can open before the extension registered its commands: if the first row is not the command, Escape and
 * retry (docs/real-vscode.md).
 */
export async function runCommand(page, title, { retries = 10, delayMs = 1000 } = {}) {
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row').first();
    const label = await row
      .getAttribute('aria-label', { timeout: 3000 })
      .catch(() => null);
    if (label && label.toLowerCase().startsWith(title.toLowerCase())) {
      await page.keyboard.press('Enter');
      return;
    }
    await page.keyboard.press('Escape');
    if (attempt >= retries) throw new Error(`command "${title}" not found in the palette after ${attempt} tries (first row: ${label})`);
    await sleep(delayMs);
  }
}

/** The content frame of the active webview (panel or view). */
export function webviewFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

/** Saves a full-page screenshot under test-results/screenshots/<name>.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Starts code-server (fresh profile; `vsix` installed), a browser and the workbench, runs `fn({ page, cs, browser })`,
 * then cleans up. On failure it saves test-results/screenshots/<name>-failure.png, prints the error and sets the exit
 * code to 1 (so scripts stay one await long).
 * @param {string} name
 * @param {{ vsix?: string|string[], workspace?: string, userSettings?: object, env?: Record<string,string>,
 *   verbose?: boolean, viewport?: { width: number, height: number } }} opts
 * @param {(ctx: { page: import('playwright-core').Page, cs: Awaited<ReturnType<typeof startCodeServer>>,
 *   browser: import('playwright-core').BrowserContext }) => Promise<void>} fn
 */
export async function uiTest(name, opts, fn) {
  const started = Date.now();
  ensureInstalled();
  const verbose = opts.verbose ?? process.env.SMOA_UI_VERBOSE === '1';
  const cs = await startCodeServer({
    workspace: opts.workspace ?? SAMPLE_WORKSPACE,
    userSettings: { ...QUIET_WORKBENCH_SETTINGS, ...opts.userSettings },
    installVsix: opts.vsix,
    env: opts.env,
    quiet: !verbose,
  });
  let browser;
  let page;
  try {
    browser = await launchBrowser(opts.viewport ? { viewport: opts.viewport } : {});
    page = browser.pages()[0] ?? (await browser.newPage());
    if (verbose) page.on('console', (m) => console.log(`[browser:${m.type()}] ${m.text()}`));
    await openWorkbench(page, cs);
    await fn({ page, cs, browser });
    console.log(`[ui] ok ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (err) {
    process.exitCode = 1;
    const shot = page ? await screenshot(page, `${name}-failure`).catch(() => undefined) : undefined;
    console.error(`[ui] FAILED ${name}: ${err instanceof Error ? err.stack : err}${shot ? `\n[ui] screenshot: ${shot}` : ''}`);
  } finally {
    const t = Date.now();
    await browser?.close().catch(() => {});
    await cs.stop();
    if (verbose) console.log(`[ui] cleanup took ${Date.now() - t} ms`);
  }
}
