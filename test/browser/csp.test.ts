import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { panelCsp } from '../../src/views/html';
import { renderUsageHtml } from '../../src/views/usage-html';
import { launch, ROOT } from './support/browser';

/**
 * The content security policy as the second wall, behind the sanitizer. In code-server the webview's origin is the
 * server's, and `'self'` (part of `webview.cspSource`) admits its `/proxy/<port>/` route to any local port. Here the
 * pages are served over HTTP by a local server, so `'self'` means that server, as it would in code-server; elements
 * are inserted straight into the DOM after load (past the sanitizer), pointing back at the same server.
 */

const CSP_META = /(<meta http-equiv="Content-Security-Policy" content=")[^"]*(">)/;
const USAGE_NONCE = 'usage-nonce';

interface Served {
  origin: string;
  /** Every path requested from the server, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves the browser-test pages (their CSP rewritten to the real one for this origin), the media, and the usage page. */
async function serve(policyFor: (origin: string, style: string) => string): Promise<Served> {
  const requests: string[] = [];
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    requests.push(url.pathname);
    const send = (type: string, body: string | Buffer) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    };
    const page = (file: string, style: string) =>
      send('text/html', readFileSync(path.join(ROOT, file), 'utf8').replace(CSP_META, (_, a: string, b: string) => `${a}${policyFor(origin, `${origin}${style}`)}${b}`));
    if (url.pathname === '/test/browser/harness.html') return page('test/browser/harness.html', '/media/panel.css');
    if (url.pathname === '/test/browser/eval-harness.html') return page('test/browser/eval-harness.html', '/media/eval.css');
    if (url.pathname === '/usage.html') {
      const day = { day: '2026-11-01', calls: 3, tokens: 1200, estimatedTokens: 0, costUsd: 0.25, unpricedCalls: 0 };
      return send('text/html', renderUsageHtml([day], [], USAGE_NONCE));
    }
    const allowed = ['/media/panel.css', '/media/eval.css', '/media/dist/panel.js', '/media/dist/eval.js', '/test/browser/vscode-stub.js'];
    if (allowed.includes(url.pathname)) {
      return send(url.pathname.endsWith('.css') ? 'text/css' : 'text/javascript', readFileSync(path.join(ROOT, url.pathname)));
    }
    // Anything else stands for a local service behind code-server's proxy route.
    send('image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, requests, close: () => new Promise((r) => server.close(() => r())) };
}

interface Violation {
  directive: string;
  blocked: string;
}

interface Outcome {
  /** Paths of the probes that reached the server. */
  reached: string[];
  violations: Violation[];
  /** The page's own style sheet (or style element) applied. */
  styled: boolean;
}

/** Loads a page, then inserts an image, a style sheet link, an inline style and a font, all pointing at the server. */
async function probe(browser: Browser, served: Served, pagePath: string): Promise<Outcome> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.addInitScript(() => {
      const seen: { directive: string; blocked: string }[] = [];
      (window as unknown as { __violations: typeof seen }).__violations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
    });
    await page.goto(`${served.origin}${pagePath}`, { waitUntil: 'load' });
    const before = served.requests.length;
    const violations = await page.evaluate(async (origin) => {
      const img = document.createElement('img');
      img.src = `${origin}/probe/img`;
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = `${origin}/probe/css`;
      const style = document.createElement('style');
      style.textContent = `body { background-image: url(${origin}/probe/inline-style-bg); }`;
      const box = document.createElement('div');
      box.style.setProperty('background-image', `url(${origin}/probe/bg)`); // through CSSOM, which the policy allows
      document.body.append(img, link, style, box);
      const font = new FontFace('probe', `url(${origin}/probe/font)`);
      await Promise.allSettled([
        new Promise((r) => ((img.onload = r), (img.onerror = r))),
        new Promise((r) => ((link.onload = r), (link.onerror = r))),
        font.load(),
      ]);
      void getComputedStyle(box).backgroundImage; // the image is fetched once the style is resolved
      await new Promise((r) => setTimeout(r, 300));
      return (window as unknown as { __violations: { directive: string; blocked: string }[] }).__violations;
    }, served.origin);
    const styled = await page.evaluate((nonce) => {
      const own = [...document.styleSheets].filter((s) => (s.href ? /\/media\/\w+\.css$/.test(s.href) : (s.ownerNode as HTMLElement).nonce === nonce));
      return own.length === 1 && own[0].cssRules.length > 0;
    }, USAGE_NONCE);
    return { reached: served.requests.slice(before).filter((p) => p.startsWith('/probe/')), violations, styled };
  } finally {
    await context.close();
  }
}

describe('webview content security policy: the wall behind the sanitizer', function () {
  let browser: Browser;
  let served: Served;
  before(async () => {
    browser = await launch();
    // The real policies: the style sheet by its exact URI on this origin, the usage page's style by nonce.
    served = await serve((_origin, style) => panelCsp(style, 'harness'));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  for (const [view, pagePath] of [
    ['trace panel', '/test/browser/harness.html'],
    ['evaluation view', '/test/browser/eval-harness.html'],
    ['usage view', '/usage.html'],
  ]) {
    it(`${view}: an injected image, style sheet, inline style and font pointing at a local server load nothing`, async () => {
      const outcome = await probe(browser, served, pagePath);
      assert.deepEqual(outcome.reached, [], 'the local server received no request from the injected elements');
      const blocked = (suffix: string) => outcome.violations.some((v) => v.blocked === `${served.origin}/probe/${suffix}`);
      assert.ok(blocked('img'), `the image was reported as a violation: ${JSON.stringify(outcome.violations)}`);
      assert.ok(blocked('css'), 'the style sheet was reported');
      assert.ok(blocked('bg'), 'the CSSOM background image was reported');
      assert.ok(blocked('font'), 'the font was reported');
      assert.ok(outcome.violations.some((v) => v.directive === 'style-src-elem' && v.blocked === 'inline'), 'the inline style was reported');
      assert.ok(outcome.styled, "the page's own style sheet still applies");
      assert.ok(!outcome.violations.some((v) => /\/media\//.test(v.blocked)), 'nothing of the extension\'s own was blocked');
    });
  }

  it("control: under the old policy ('self', as webview.cspSource gives) the same image reaches the local server", async () => {
    const old = await serve((_origin, _style) => panelCsp(_style, 'harness').replace('img-src data:', "img-src 'self'"));
    try {
      const outcome = await probe(browser, old, '/test/browser/harness.html');
      assert.ok(outcome.reached.includes('/probe/img'), `the probe would notice a leak: ${JSON.stringify(outcome.reached)}`);
    } finally {
      await old.close();
    }
  });
});
