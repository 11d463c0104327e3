/* global console, document, getComputedStyle, fetch -- document, getComputedStyle run in the page */
// UI end-to-end: the webviews' content security policy in a real VS Code (code-server + Chromium), the packaged VSIX.
// code-server proxies /proxy/<port>/ on its own origin to any local port, and a policy with 'self' (what
// webview.cspSource includes) would admit it. For the trace panel and the usage page: the page's own styles apply and
// follow the theme (light, then dark), and an image inserted straight into the DOM (past the sanitizer) pointing at a
// local server, directly or through the proxy route, loads nothing and is reported as a violation.
// Screenshots: webview-csp-trace-light.png, webview-csp-trace-dark.png, webview-csp-usage.png.
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { smoaSettings, smoaUiTest } from './lib/smoa.mjs';
import { runCommand, screenshot, webviewFrame } from './lib/workbench.mjs';

/** A local service standing for anything on the machine; it records every request. */
async function startProbeServer() {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url);
    res.writeHead(200, { 'content-type': 'image/svg+xml' });
    res.end('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { port: server.address().port, requests, close: () => new Promise((r) => server.close(r)) };
}

/**
 * Inserts images into the webview's document and reports which loaded and what the console said about the policy.
 * Synchronous page code only, waiting on the Node side: the usage page runs no script, so its timers and event
 * handlers never fire.
 */
async function injectImages(page, frame, urls) {
  const console_ = [];
  const listen = (m) => console_.push(m.text());
  page.on('console', listen);
  try {
    const csp = await frame.locator('body').evaluate((body, urls) => {
      for (const url of urls) {
        const img = document.createElement('img');
        img.className = 'csp-probe';
        img.src = url;
        body.append(img);
      }
      return document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '';
    }, urls);
    await sleep(1500);
    const loaded = await frame.locator('img.csp-probe').evaluateAll((imgs) => imgs.map((i) => i.complete && i.naturalWidth > 0));
    const violations = console_.filter((t) => /violates the following Content Security Policy directive/.test(t));
    return { csp, loaded, violations };
  } finally {
    page.off('console', listen);
  }
}

function checkBlocked(view, probe, result, urls) {
  if (/'self'|unsafe-inline/.test(result.csp)) throw new Error(`${view}: the policy allows 'self' or 'unsafe-inline': ${result.csp}`);
  if (result.loaded.length !== urls.length || result.loaded.some(Boolean)) throw new Error(`${view}: an injected image loaded (${JSON.stringify(result.loaded)})`);
  for (const url of urls) {
    if (!result.violations.some((v) => v.includes(`'${url}'`) && v.includes('"img-src data:"'))) throw new Error(`${view}: no violation reported for ${url}: ${JSON.stringify(result.violations)}`);
  }
  if (probe.requests.length) throw new Error(`${view}: the local server received ${JSON.stringify(probe.requests)}`);
  console.log(`[ui] ${view}: ${urls.length} injected images blocked and reported; the local server saw no request`);
}

/** The body's computed look and the theme's variables, as the page sees them. */
const look = (frame) =>
  frame.locator('body').evaluate((body) => {
    const s = getComputedStyle(body);
    const root = getComputedStyle(document.documentElement);
    return {
      paddingTop: s.paddingTop,
      paddingLeft: s.paddingLeft,
      color: s.color,
      background: s.backgroundColor,
      themeKind: body.dataset.vscodeThemeKind,
      themeForeground: root.getPropertyValue('--vscode-foreground').trim(),
      themeEditorBackground: root.getPropertyValue('--vscode-editor-background').trim(),
    };
  });

/** '#rrggbb' -> 'rgb(r, g, b)', as getComputedStyle reports colours. */
const rgb = (hex) => {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(hex);
  return m ? `rgb(${parseInt(m[1], 16)}, ${parseInt(m[2], 16)}, ${parseInt(m[3], 16)})` : hex;
};

await smoaUiTest(
  'webview-csp',
  { settings: (baseURL) => ({ ...smoaSettings(baseURL), 'workbench.colorTheme': 'Default Light Modern' }) },
  async ({ page, cs }) => {
    const probe = await startProbeServer();
    try {
      // The threat is real: code-server's proxy route reaches the local server from the workbench's origin.
      const control = await fetch(`${cs.url.replace(/\/$/, '')}/proxy/${probe.port}/control`).catch((e) => e);
      if (!probe.requests.includes('/control')) throw new Error(`code-server's proxy route did not reach the local server (${control?.status ?? control})`);
      probe.requests.length = 0;
      const urls = [`${cs.url.replace(/\/$/, '')}/proxy/${probe.port}/img.svg`, `http://127.0.0.1:${probe.port}/direct.svg`];

      await runCommand(page, 'View: Close Primary Side Bar');
      await runCommand(page, 'SMoA: Open Trace Panel');
      const panel = webviewFrame(page);
      await panel.getByTestId('prompt-input').waitFor({ timeout: 20_000 });
      const light = await look(panel);
      if (light.paddingTop !== '12px') throw new Error(`trace panel: media/panel.css did not apply (body padding-top ${light.paddingTop})`);
      if (light.background !== rgb(light.themeEditorBackground)) throw new Error(`trace panel: background ${light.background} is not the theme's ${light.themeEditorBackground}`);
      console.log(`[ui] screenshot: ${await screenshot(page, 'webview-csp-trace-light')}`);

      await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
      await panel.locator('body.vscode-dark').waitFor({ timeout: 10_000 });
      const dark = await look(panel);
      if (dark.background === light.background || dark.color === light.color) throw new Error(`trace panel: the dark theme did not change the page (${JSON.stringify({ light, dark })})`);
      if (dark.background !== rgb(dark.themeEditorBackground)) throw new Error(`trace panel (dark): background ${dark.background} is not the theme's ${dark.themeEditorBackground}`);
      console.log(`[ui] trace panel themed: light ${light.background}/${light.color}, dark ${dark.background}/${dark.color}`);
      console.log(`[ui] screenshot: ${await screenshot(page, 'webview-csp-trace-dark')}`);
      checkBlocked('trace panel', probe, await injectImages(page, panel, urls), urls);

      await runCommand(page, 'View: Close All Editors');
      await runCommand(page, 'SMoA: Show Usage');
      const usage = webviewFrame(page);
      await usage.locator('h2').waitFor({ timeout: 20_000 });
      const u = await look(usage);
      if (u.paddingLeft !== '16px' || u.paddingTop !== '0px') throw new Error(`usage page: its style did not apply (padding ${u.paddingTop} ${u.paddingLeft})`);
      if (u.color !== rgb(u.themeForeground)) throw new Error(`usage page: text ${u.color} is not the theme's ${u.themeForeground}`);
      console.log(`[ui] usage page styled by its nonce style: padding 0 16px, text ${u.color} (theme ${u.themeKind})`);
      console.log(`[ui] screenshot: ${await screenshot(page, 'webview-csp-usage')}`);
      checkBlocked('usage page', probe, await injectImages(page, usage, urls), urls);
    } finally {
      await probe.close();
    }
  },
);
