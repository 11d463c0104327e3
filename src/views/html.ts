/**
 * The panel's HTML shell, shared by the host and the browser-test harness so both run under the same policy.
 * Everything visible is built by the script; the page itself carries no content, no inline script or style.
 */

export interface PanelPage {
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** The page title (default "SMoA Trace"). */
  title?: string;
}

/**
 * No remote anything, and nothing else local either. `webview.cspSource` is not used: it includes 'self', which in
 * code-server admits the `/proxy/<port>/` route to any local port, leaving the sanitizer as the only wall. Instead:
 * the one style sheet by its exact URI, scripts only with the nonce, images only as `data:` (the renderer drops
 * images from model output; this is the second line), no fonts, connections, frames, objects or forms.
 *
 * `styleSource` is the style sheet's webview URI; the browser-test harness passes the scheme it serves files from.
 */
export function panelCsp(styleSource: string, nonce: string): string {
  return viewCsp(cspSourceOf(styleSource), `'nonce-${nonce}'`);
}

/**
 * The one policy of every view (the panels here, and the MCP App, whose inline script and style esbuild.mjs allows by
 * their hashes): `style` and `script` are the only sources of each; nothing else loads, connects, frames or submits.
 */
export function viewCsp(style: string, script: string): string {
  return [
    "default-src 'none'",
    `style-src ${style}`,
    'img-src data:',
    "font-src 'none'",
    `script-src ${script}`,
    "connect-src 'none'",
    "frame-src 'none'",
    "object-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * A URI as one CSP source expression that matches that one file. Webview resource hosts carry the authority in their
 * first label (`file+.vscode-resource.vscode-cdn.net`, `vscode-remote+127-002e...` in code-server), and `+` cannot
 * be written in a CSP host: such a first label becomes `*`, which still names only that resource domain, while the
 * path still names the one file. In the path, the characters that separate sources or directives are percent-encoded.
 */
function cspSourceOf(uri: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)([^?#]*)/i.exec(uri);
  if (!m) return escapeSource(uri);
  const [, scheme, authority, path] = m;
  let host = authority;
  try {
    host = decodeURIComponent(authority);
  } catch {
    // not percent-encoding after all: keep it as written
  }
  if (!/^[a-z0-9.-]+(:\d+)?$/i.test(host)) host = host.replace(/^[^.]*\./, '*.');
  return `${scheme}${escapeSource(host)}${escapeSource(path)}`;
}

function escapeSource(text: string): string {
  return text.replace(/[;,\s']/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function panelHtml(page: PanelPage): string {
  const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(panelCsp(page.styleUri, page.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(page.styleUri)}">
<title>${attr(page.title ?? 'SMoA Trace')}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${attr(page.nonce)}" src="${attr(page.scriptUri)}"></script>
</body>
</html>
`;
}

/** A fresh nonce per page load; 128 bits from the platform's CSPRNG. */
export function makeNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
