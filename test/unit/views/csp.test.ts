import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { panelCsp, panelHtml } from '../../../src/views/html';
import { renderUsageHtml } from '../../../src/views/usage-html';

/** The policy a page declares, as directive -> sources. */
function policyOf(html: string): Map<string, string[]> {
  const content = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.ok(content, 'the page declares a Content-Security-Policy');
  const decoded = content.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&amp;/g, '&');
  const policy = new Map<string, string[]>();
  for (const directive of decoded.split(';').map((d) => d.trim()).filter(Boolean)) {
    const [name, ...sources] = directive.split(/\s+/);
    assert.ok(!policy.has(name), `${name} is declared once`);
    policy.set(name, sources);
  }
  return policy;
}

// What asWebviewUri gives in VS Code (desktop); code-server's URIs have the same shape.
const MEDIA = 'https://file%2B.vscode-resource.vscode-cdn.net/home/u/.vscode/extensions/smoa/media';
const day = { day: '2026-11-01', calls: 1, tokens: 10, estimatedTokens: 0, costUsd: 0, unpricedCalls: 0 };

// '+' cannot be written in a CSP host: the resource host's first label is a wildcard, the path names the one file.
const MEDIA_SOURCE = 'https://*.vscode-resource.vscode-cdn.net/home/u/.vscode/extensions/smoa/media';

const pages: Record<string, { html: string; style?: string; styleSource?: string }> = {
  'trace panel': {
    html: panelHtml({ nonce: 'n1', scriptUri: `${MEDIA}/dist/panel.js`, styleUri: `${MEDIA}/panel.css` }),
    style: `${MEDIA}/panel.css`,
    styleSource: `${MEDIA_SOURCE}/panel.css`,
  },
  'evaluation view': {
    html: panelHtml({ nonce: 'n2', scriptUri: `${MEDIA}/dist/eval.js`, styleUri: `${MEDIA}/eval.css`, title: 'SMoA Evaluation' }),
    style: `${MEDIA}/eval.css`,
    styleSource: `${MEDIA_SOURCE}/eval.css`,
  },
  'usage view': { html: renderUsageHtml([day], [], 'n3') },
};

describe('webview content security policies', () => {
  for (const [name, page] of Object.entries(pages)) {
    it(`${name}: nothing by origin or scheme but data: images; no 'self', no 'unsafe-inline'`, () => {
      const policy = policyOf(page.html);
      const all = [...policy.values()].flat();
      // 'self' admits code-server's /proxy/<port>/ route to any local port; 'unsafe-inline' admits injected styles.
      for (const banned of ["'self'", "'unsafe-inline'", "'unsafe-eval'", '*', 'https:', 'http:', 'file:', 'vscode-resource:', 'https://*.vscode-cdn.net']) {
        assert.ok(!all.includes(banned), `${name} allows ${banned}: ${all.join(' ')}`);
      }
      assert.deepEqual(policy.get('default-src'), ["'none'"]);
      assert.deepEqual(policy.get('img-src'), ['data:'], 'images only inline as data:');
      assert.deepEqual(policy.get('font-src'), ["'none'"]);
      assert.ok(!policy.has('connect-src') || policy.get('connect-src')?.join() === "'none'");
      const styles = policy.get('style-src') ?? [];
      if (page.style) {
        assert.deepEqual(styles, [page.styleSource], 'the one style sheet, by its exact path');
        assert.match(page.html, new RegExp(`<link rel="stylesheet" href="${page.style.replace(/[.+%]/g, '\\$&')}">`));
      } else {
        assert.equal(styles.length, 1);
        assert.match(styles[0], /^'nonce-[^']+'$/, 'the page style only by nonce');
        assert.match(page.html, new RegExp(`<style ${styles[0].slice(1, -1).replace('-', '="')}">`));
      }
      const scripts = policy.get('script-src');
      if (scripts) assert.deepEqual(scripts.filter((s) => !/^'nonce-[^']+'$/.test(s)), [], 'scripts only by nonce');
      assert.doesNotMatch(page.html, /\sstyle=|\son\w+=/i, 'no inline style or handler attributes');
    });
  }

  it('a style URI cannot smuggle another source or directive into the policy', () => {
    const csp = panelCsp("https://h.example/media/a;b c,'self'.css", 'n');
    const style = /style-src ([^;]+);/.exec(csp)?.[1];
    assert.equal(style, 'https://h.example/media/a%3Bb%20c%2C%27self%27.css');
  });

  it("code-server's resource URI becomes a source the browser accepts, naming the one file", () => {
    // As asWebviewUri gives it in code-server 4.139 (seen there: the URI itself was refused as an invalid source).
    const uri = 'https://vscode-remote%2B127-002e0-002e0-002e1-003a36551.vscode-resource.vscode-cdn.net/tmp/smoa-cs-2Pvz7G/exts/smoa/media/panel.css';
    const style = /style-src ([^;]+);/.exec(panelCsp(uri, 'n'))?.[1];
    assert.equal(style, 'https://*.vscode-resource.vscode-cdn.net/tmp/smoa-cs-2Pvz7G/exts/smoa/media/panel.css');
    // a source expression's host is letters, digits, '-' and '.' (CSP3 host-char), with one leading '*.' at most
    assert.match(style!, /^https:\/\/(\*\.)?[a-z0-9.-]+\/[^\s;,']+$/);
    assert.equal(/style-src ([^;]+);/.exec(panelCsp('http://127.0.0.1:8080/media/panel.css', 'n'))?.[1], 'http://127.0.0.1:8080/media/panel.css');
  });

  for (const [file, title] of [
    ['test/browser/harness.html', 'SMoA Trace'],
    ['test/browser/eval-harness.html', 'SMoA Evaluation'],
  ]) {
    it(`the browser-test page ${file} runs under the real policy (style sheet served as file:)`, () => {
      const harness = readFileSync(file, 'utf8');
      assert.deepEqual(policyOf(harness), policyOf(panelHtml({ nonce: 'harness', scriptUri: 'x', styleUri: 'file:', title })));
    });
  }
});
