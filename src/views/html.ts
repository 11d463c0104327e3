/**
 * The panel's HTML shell, shared by the host and the browser-test harness so both run under the same policy.
 * Everything visible is built by the script; the page itself carries no content, no inline script or style.
 */

export interface PanelPage {
  /** `webview.cspSource` in VS Code; the harness passes the scheme it serves files from. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** The page title (default "SMoA Trace"). */
  title?: string;
}

/**
 * No remote anything: styles, images and fonts only from the extension's own media, scripts only with the nonce,
 * no connections, frames, objects or forms. Images rendered from model output are dropped before they reach the
 * DOM; the policy is the second line if something slips through.
 */
export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `img-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "connect-src 'none'",
    "frame-src 'none'",
    "object-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export function panelHtml(page: PanelPage): string {
  const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(panelCsp(page.cspSource, page.nonce))}">
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
