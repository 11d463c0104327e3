/* global console -- Node globals: the ESLint config declares none for .mjs */
// SMoA-specific helpers for the UI end-to-end tests: the packaged VSIX (rebuilt only when the sources changed), the
// fake OpenAI server started per script, user settings pointing the extension at it, a throw-away copy of the sample
// workspace, and small workbench steps (open a file, wait for a notification).
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { startFakeServerProcess } from '../../fake-server.mjs';
import { paths } from '../../install.mjs';
import { VSIX_PATH, buildAndPackage } from '../../vsix.mjs';
import { smoaSettings } from '../../smoa-settings.mjs';
import { SAMPLE_WORKSPACE, uiTest } from './workbench.mjs';

export { smoaSettings };

/** What goes into the VSIX: if none of it is newer than the last package, the package is reused. */
const VSIX_INPUTS = ['src', 'media', 'package.json', 'esbuild.mjs', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    // media/dist is the build's own output.
    if (path.endsWith('media') && entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/**
 * The VSIX to install: `buildAndPackage()` unless .vscode-test/smoa.vsix is newer than every source that goes into it
 * (each UI script would otherwise spend ~15 s rebuilding the same package). SMOA_UI_REBUILD=1 forces a build.
 */
export function packagedVsix() {
  if (process.env.SMOA_UI_REBUILD !== '1' && existsSync(VSIX_PATH)) {
    const built = statSync(VSIX_PATH).mtimeMs;
    const newest = Math.max(...VSIX_INPUTS.map((p) => newestMtime(join(paths.repoRoot, p))));
    if (newest < built) {
      console.log(`[vsix] reusing ${VSIX_PATH} (no source changed since it was packaged)`);
      return VSIX_PATH;
    }
  }
  return buildAndPackage();
}

/** A copy of test/vscode/sample-workspace in a temp dir, so a test may edit and save files. */
export function copySampleWorkspace() {
  const dir = mkdtempSync(join(tmpdir(), 'smoa-ws-'));
  cpSync(SAMPLE_WORKSPACE, dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }) };
}

/**
 * uiTest with SMoA set up: starts the fake OpenAI server (streaming paced by `ttftMs` / `tokensPerSecond`), writes
 * `settings(baseURL)` as user settings, installs the packaged VSIX, opens a fresh copy of the sample workspace.
 * `fn` also gets `workspace` (the copy's path), `fakeUrl`, and `requests()`: what the fake models received so far.
 * @param {string} name
 * @param {{ ttftMs?: number, tokensPerSecond?: number, settings?: (baseURL: string) => object,
 *   viewport?: { width: number, height: number }, env?: Record<string, string>, extraVsix?: string[] }} opts  `env`: more
 *   environment for the extension host; `extraVsix`: more extensions installed into the test's profile only
 * @param {(ctx: { page: import('playwright-core').Page, cs: any, browser: any, workspace: string, fakeUrl: string })
 *   => Promise<void>} fn
 */
export async function smoaUiTest(name, opts, fn) {
  const vsix = packagedVsix();
  // What the models received, one JSON line per request ({ model, json, messages }): outside the workspace copy.
  const requestsFile = join(mkdtempSync(join(tmpdir(), 'smoa-requests-')), 'requests.jsonl');
  const fake = await startFakeServerProcess({
    ttftMs: opts.ttftMs ?? 150,
    tokensPerSecond: opts.tokensPerSecond ?? 80,
    quiet: true,
    recordFile: requestsFile,
  });
  const ws = copySampleWorkspace();
  try {
    await uiTest(
      name,
      {
        vsix: [vsix, ...(opts.extraVsix ?? [])],
        workspace: ws.dir,
        userSettings: (opts.settings ?? smoaSettings)(fake.url),
        // Never a real key: the fake server accepts any.
        env: { OPENAI_API_KEY: 'smoa-ui-test-key', ...opts.env },
        // README-sized screenshots.
        viewport: opts.viewport ?? { width: 1280, height: 800 },
      },
      (ctx) => fn({ ...ctx, workspace: ws.dir, fakeUrl: fake.url, requests: () => modelRequests(requestsFile) }),
    );
  } finally {
    await fake.stop();
    ws.remove();
    rmSync(dirname(requestsFile), { recursive: true, force: true });
  }
}

/** The requests the fake server has received so far: `{ model, json, messages: [{ role, content }] }` each. */
function modelRequests(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/** Opens a workspace file through Quick Open (the palette without its ">" prefix) and waits for its editor tab. */
export async function openFile(page, relativePath, { timeoutMs = 15_000 } = {}) {
  const base = relativePath.split('/').pop();
  const input = page.locator('.quick-input-widget input');
  await page.keyboard.press('F1');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(base);
  // File search needs the workspace indexed; the matching row appears when it is.
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: base })
    .first()
    .waitFor({ timeout: timeoutMs });
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab[data-resource-name="${base}"], .tabs-container .tab:has-text("${base}")`).first().waitFor({ timeout: timeoutMs });
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.waitFor({ timeout: timeoutMs });
  return editor;
}

/** The notification toast whose message contains `text` (a locator; wait on it). */
export function notification(page, text) {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}

/** Crops a screenshot to a locator's box (plus a margin), for README images. */
export async function screenshotOf(page, locator, file, margin = 0) {
  const box = await locator.boundingBox();
  if (!box) throw new Error(`screenshotOf: ${file}: element is not visible`);
  const vp = page.viewportSize() ?? { width: 1400, height: 900 };
  const x = Math.max(0, box.x - margin);
  const y = Math.max(0, box.y - margin);
  const clip = { x, y, width: Math.min(vp.width - x, box.width + 2 * margin), height: Math.min(vp.height - y, box.height + 2 * margin) };
  await page.screenshot({ path: file, clip });
  return file;
}

/**
 * With UPDATE_DOCS_SCREENSHOT set, copies a test screenshot to docs/images/<name>.png (what the README shows); a normal
 * test run leaves docs/images alone, so it keeps the work tree clean.
 */
export function updateDocsImage(file, name) {
  if (!process.env.UPDATE_DOCS_SCREENSHOT) return;
  const target = join(paths.repoRoot, 'docs/images', `${name}.png`);
  copyFileSync(file, target);
  console.log(`[ui] docs image updated: ${target}`);
}
