import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { HostMessage, WebviewMessage } from '../../../src/views/protocol';

/** Debian's Chromium; the tests never download a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ROOT = path.resolve(__dirname, '../../..');
export const HARNESS_URL = pathToFileURL(path.join(ROOT, 'test/browser/harness.html')).href;
export const SCREENSHOTS = path.join(ROOT, 'test-results/screenshots');

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  if (!existsSync(path.join(ROOT, 'media/dist/panel.js'))) throw new Error('media/dist/panel.js is missing: run `npm run build` first');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface PanelPage {
  page: Page;
  context: BrowserContext;
  /** Every request the page made (URLs), and those that were refused because they were not local files. */
  requests: string[];
  blocked: string[];
  dialogs: string[];
  consoleErrors: string[];
  dispatch(message: HostMessage): Promise<void>;
  messages(): Promise<WebviewMessage[]>;
  close(): Promise<void>;
}

export type Theme = 'light' | 'dark';

/** A small subset of the variables VS Code defines, so screenshots look like the real thing. */
const THEMES: Record<Theme, Record<string, string>> = {
  light: {
    '--vscode-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-sideBar-background': '#f8f8f8',
    '--vscode-panel-border': '#e5e5e5', '--vscode-focusBorder': '#005fb8', '--vscode-button-background': '#005fb8',
    '--vscode-button-foreground': '#ffffff', '--vscode-descriptionForeground': '#717171', '--vscode-badge-background': '#cccccc',
    '--vscode-badge-foreground': '#3b3b3b', '--vscode-charts-green': '#388a34', '--vscode-errorForeground': '#f85149',
    '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px',
  },
  dark: {
    '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-sideBar-background': '#181818',
    '--vscode-panel-border': '#2b2b2b', '--vscode-focusBorder': '#0078d4', '--vscode-button-background': '#0078d4',
    '--vscode-button-foreground': '#ffffff', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-badge-background': '#616161',
    '--vscode-badge-foreground': '#f8f8f8', '--vscode-charts-green': '#89d185', '--vscode-errorForeground': '#f85149',
    '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc', '--vscode-input-border': '#3c3c3c',
    '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc',
    '--vscode-textCodeBlock-background': '#2b2b2b',
    '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px',
  },
};

export async function openPanel(browser: Browser, options: { theme?: Theme; width?: number } = {}): Promise<PanelPage> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: 900 } });
  const requests: string[] = [];
  const blocked: string[] = [];
  const dialogs: string[] = [];
  const consoleErrors: string[] = [];
  // Only the harness's own files may load: anything else (http, https, ws, ...) is refused and recorded.
  await context.route(
    (url) => !/^(file|data):/.test(url.href),
    (route) => {
      blocked.push(route.request().url());
      return route.abort();
    },
  );
  const page = await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  await page.goto(HARNESS_URL);
  await setTheme(page, options.theme ?? 'light');
  await page.waitForFunction(() => (window as unknown as { __harness: { messages: { type: string }[] } }).__harness.messages.some((m) => m.type === 'ready'));
  return {
    page,
    context,
    requests,
    blocked,
    dialogs,
    consoleErrors,
    dispatch: (message) => page.evaluate((data) => window.dispatchEvent(new MessageEvent('message', { data })), message as unknown).then(() => undefined),
    messages: () => page.evaluate(() => (window as unknown as { __harness: { messages: WebviewMessage[] } }).__harness.messages),
    close: () => context.close(),
  };
}

/** What VS Code does on a theme change: swap the body class and the variables (set through CSSOM, as CSP allows). */
export async function setTheme(page: Page, theme: Theme): Promise<void> {
  await page.evaluate(
    ({ theme, vars }) => {
      document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast');
      document.body.classList.add(`vscode-${theme}`);
      for (const [name, value] of Object.entries(vars)) document.documentElement.style.setProperty(name, value);
    },
    { theme, vars: THEMES[theme] },
  );
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Waits until the panel has drawn what the last messages asked for (two animation frames). */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}
