import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { TRACE_VIEW_URI } from '../../src/views/mcp-app-protocol';
import { startFakeServer, type FakeServer } from '../server/fake-openai';
import { kindOf, scoresFor } from '../unit/helpers/engine-harness';
import { openMcpClient } from '../unit/helpers/mcp-client';
import { writeMcpConfig } from '../unit/helpers/mcp-wire';
import { launch, ROOT, screenshot } from './support/browser';
import type { HostLog, HostStart } from './support/mcp-app-host-types';
import { xssPayloads } from './support/xss-payloads';

// The consult trace view (MCP App) as a host shows it: a real `smoa mcp` consultation (its tool result and its
// ui:// resource, read over MCP), framed by a host page built on the official host bridge (AppBridge). Models answer
// with XSS payloads; the view must draw the run as text and reach nothing but its host.

interface Host {
  page: Page;
  context: BrowserContext;
  app: Frame;
  blocked: string[];
  dialogs: string[];
  log(): Promise<HostLog>;
  close(): Promise<void>;
}

describe('MCP App: the consult trace view in a host', function () {
  let browser: Browser;
  let canary: http.Server;
  let models: FakeServer;
  const hits: string[] = [];
  let payloads: string[];
  let html: string;
  let result: { content: { type: string; text?: string }[]; _meta?: Record<string, unknown> };
  let hostScript: string;

  before(async () => {
    canary = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('hit');
    });
    await new Promise<void>((r) => canary.listen(0, '127.0.0.1', r));
    payloads = xssPayloads(`http://127.0.0.1:${(canary.address() as AddressInfo).port}`);
    models = await startFakeServer({
      ttftMs: 0,
      tokensPerSecond: 0,
      responder: (req) => {
        if (kindOf(req) === 'judge') {
          return {
            text: JSON.stringify({
              reason: `${payloads[0]} Response 1 is best`,
              scores: scoresFor(req, [1, 2]),
              agreements: [payloads[1]],
              contradictions: [payloads[2]],
              droppedInsights: [payloads[3]],
            }),
          };
        }
        return { text: payloads.join('\n\n') };
      },
    });
    const config = writeMcpConfig(mkdtempSync(path.join(tmpdir(), 'smoa-mcp-app-view-')), models.url, { judgeNotes: 'full', earlyStop: false });
    const client = await openMcpClient(config);
    try {
      result = (await client.callTool({ name: 'consult', arguments: { prompt: 'Say something dangerous <b>now</b>' } })) as typeof result;
      const doc = (await client.readResource({ uri: TRACE_VIEW_URI })).contents[0] as { text?: string };
      html = doc.text ?? '';
    } finally {
      await client.close();
    }
    const bundle = await esbuild.build({
      entryPoints: [path.join(ROOT, 'test/browser/support/mcp-app-host.mts')],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      logLevel: 'warning',
    });
    hostScript = bundle.outputFiles[0].text;
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await models?.close();
    await new Promise((r) => canary.close(r));
  });

  async function openHost(start: Omit<HostStart, 'html'>): Promise<Host> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    const blocked: string[] = [];
    const dialogs: string[] = [];
    // Nothing but the page itself and its frame's document may load.
    await context.route(
      (url) => !/^(about|data):/.test(url.href),
      (route) => {
        blocked.push(route.request().url());
        return route.abort();
      },
    );
    const page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    await page.setContent('<!DOCTYPE html><html><body></body></html>');
    await page.addScriptTag({ content: hostScript });
    const options: HostStart = { ...start, html };
    await page.evaluate((s) => (window as unknown as { __host: { start(s: unknown): Promise<void> } }).__host.start(s), JSON.parse(JSON.stringify(options)) as unknown);
    await page.waitForFunction(() => (window as unknown as { __host: { log: HostLog } }).__host.log.initialized);
    const app = page.frames().find((f) => f !== page.mainFrame());
    assert.ok(app, 'the App is framed');
    return {
      page,
      context,
      app,
      blocked,
      dialogs,
      log: () => page.evaluate(() => (window as unknown as { __host: { log: HostLog } }).__host.log),
      close: () => context.close(),
    };
  }

  it("draws a real consultation's layers, judge scores and notes, moderator, answer and cost, read-only", async () => {
    const host = await openHost({ input: { prompt: 'Say something dangerous <b>now</b>' }, result });
    try {
      const app = host.app;
      await app.getByTestId('run-summary').waitFor();
      assert.equal(await app.getByTestId('layer').count(), 2);
      assert.equal(await app.locator('.card').count(), 6, 'three proposers in each of two layers');
      assert.match(await app.getByTestId('judge-scores').first().innerText(), /^Scores: /);
      assert.equal(await app.getByTestId('judge-notes').first().locator('li').count(), 3);
      assert.match(await app.getByTestId('moderator-decision').first().innerText(), /Moderator/);
      assert.match(await app.getByTestId('run-summary').innerText(), /calls/);
      assert.equal(await app.getByTestId('run-prompt').innerText(), 'Say something dangerous <b>now</b>');
      assert.equal(await app.locator('button[data-action="insert"], button[data-action="copy"], button[data-action="export"]').count(), 0, 'no actions: the view is read-only');
      assert.ok(!(await app.getByTestId('app-status').isVisible()), 'no status line once the trace is drawn');
      // A card expands in place (view state only).
      await app.getByTestId('card-expand').first().click();
      await app.locator('.card.expanded').first().waitFor();
      console.log(`      screenshot: ${path.relative(ROOT, await screenshot(host.page, 'mcp-app.png'))}`);
      const log = await host.log();
      assert.ok(log.sizes.some((s) => (s.height ?? 0) > 300), `the App told the host its height: ${JSON.stringify(log.sizes)}`);
    } finally {
      await host.close();
    }
  });

  it('renders XSS payloads in every answer, reason and note as text: nothing runs, loads or reaches the host', async () => {
    assert.ok(payloads.length >= 30);
    const host = await openHost({ input: { prompt: 'Say something dangerous' }, result });
    try {
      const app = host.app;
      await app.getByTestId('final-answer').waitFor();
      for (const button of await app.getByTestId('card-expand').all()) await button.click();
      for (const el of await app.locator('.md-link, .md-image').all()) {
        await el.hover({ timeout: 200, force: true }).catch(() => undefined);
        await el.click({ timeout: 200, force: true }).catch(() => undefined);
      }
      await host.page.waitForTimeout(1000); // delayed handlers (onerror, refresh, autofocus) get their chance
      assert.ok((await app.getByTestId('final-answer').innerText()).includes("window.__xss = 'script'"), 'payloads are shown as text');
      assert.match(await app.getByTestId('judge-reason').first().innerText(), /<script>/);
      const report = await app.evaluate(() => {
        const all = [...document.querySelectorAll('.md')].flatMap((el) => [...el.querySelectorAll('*')]);
        return {
          flag: (window as unknown as { __xss?: unknown }).__xss,
          tags: [...new Set(all.map((e) => e.tagName.toLowerCase()))].sort(),
          attrs: [...new Set(all.flatMap((e) => [...e.attributes].map((a) => a.name)))].sort(),
          frames: document.querySelectorAll('iframe, object, embed').length,
        };
      });
      const parentFlag = await host.page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss);
      assert.equal(report.flag, undefined, 'no payload set the flag in the App');
      assert.equal(parentFlag, undefined, 'nor in the host');
      assert.equal(report.frames, 0);
      const allowedTags = ['blockquote', 'br', 'code', 'em', 'h1', 'h2', 'h3', 'hr', 'li', 'ol', 'p', 'pre', 'span', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul'];
      assert.deepEqual(report.tags.filter((t) => !allowedTags.includes(t)), [], report.tags.join(', '));
      assert.deepEqual(report.attrs.filter((a) => a !== 'class' && a !== 'title'), []);
      assert.deepEqual(host.dialogs, []);
      assert.deepEqual(host.blocked, [], 'no request left the App');
      assert.deepEqual(hits, [], 'the canary server saw no request');
      const log = await host.log();
      assert.deepEqual([log.links, log.messages, log.errors], [[], [], []], 'the App asked the host for nothing but its protocol');
    } finally {
      await host.close();
    }
  });

  it("follows the host's theme and style variables, at start and when they change", async () => {
    const host = await openHost({ input: { prompt: 'x' }, result, context: { theme: 'dark', styles: { variables: { '--color-background-primary': '#102030' } } } });
    try {
      const background = () => host.app.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await host.app.getByTestId('run-summary').waitFor();
      assert.equal(await background(), 'rgb(16, 32, 48)');
      assert.ok(await host.app.evaluate(() => document.body.classList.contains('vscode-dark')));
      await host.page.evaluate(() =>
        (window as unknown as { __host: { changeContext(c: object): Promise<void> } }).__host.changeContext({ theme: 'light', styles: { variables: { '--color-background-primary': '#fafbfc' } } }),
      );
      await host.app.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(250, 251, 252)');
      assert.ok(await host.app.evaluate(() => !document.body.classList.contains('vscode-dark')));
    } finally {
      await host.close();
    }
  });

  it('says so when the result has no trace, and when the call was cancelled; answers teardown', async () => {
    const bare = { content: [{ type: 'text', text: 'Plain <img src=x onerror="window.__xss=1"> answer' }] };
    const host = await openHost({ input: { prompt: 'x' }, result: bare });
    try {
      const status = host.app.getByTestId('app-status');
      await host.app.waitForFunction(() => document.querySelector('[data-testid="app-status"]')?.textContent?.startsWith('No trace to show'));
      assert.match(await status.innerText(), /carries no trace/);
      assert.equal(await host.app.getByTestId('app-result-text').innerText(), 'Plain <img src=x onerror="window.__xss=1"> answer');
      assert.deepEqual(await host.page.evaluate(() => (window as unknown as { __host: { teardown(): Promise<unknown> } }).__host.teardown()), {});
    } finally {
      await host.close();
    }
    const cancelled = await openHost({ input: { prompt: 'x' }, cancelReason: 'user action' });
    try {
      await cancelled.app.waitForFunction(() => document.querySelector('[data-testid="app-status"]')?.getAttribute('data-state') === 'cancelled');
      assert.equal(await cancelled.app.getByTestId('app-status').innerText(), 'The consultation was cancelled (user action).');
    } finally {
      await cancelled.close();
    }
  });
});
