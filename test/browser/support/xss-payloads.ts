import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Hostile model output. Each payload, if it worked, would run script (setting `window.__xss`, opening a dialog or
 * posting a message to the extension) or load something from `origin`, a local server that records every hit.
 */
export function xssPayloads(origin: string): string[] {
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" onload="window.__xss='svgdata'"><image href="${origin}/svg-image"/></svg>`).toString('base64');
  const html = Buffer.from('<script>parent.__xss="datahtml"</script>').toString('base64');
  return [
    `<script>window.__xss = 'script'</script>`,
    `<img src=x onerror="window.__xss='img-onerror'">`,
    `<img src="${origin}/raw-img">`,
    `<svg onload="window.__xss='svg-onload'"></svg>`,
    `<svg><script>window.__xss='svg-script'</script></svg>`,
    `<iframe src="javascript:top.__xss='iframe-js'"></iframe>`,
    `<iframe srcdoc="<script>parent.__xss='srcdoc'</script>"></iframe>`,
    `[click me](javascript:window.__xss='md-js-link')`,
    `[click me](JaVaScRiPt:window.__xss='md-js-case')`,
    `[click me](&#106;avascript:window.__xss='md-js-entity')`,
    `[click me](java\nscript:window.__xss='md-js-newline')`,
    `[data link](data:text/html;base64,${html})`,
    `![remote image](${origin}/md-image.png)`,
    `![svg image](data:image/svg+xml;base64,${svg})`,
    `<a href="javascript:window.__xss='raw-a'">raw anchor</a>`,
    `<div style="background:url(${origin}/css-bg)">styled div</div>`,
    `<style>@import url(${origin}/css-import); body { background: url(${origin}/css-body) }</style>`,
    `<link rel="stylesheet" href="${origin}/link.css">`,
    `<object data="${origin}/object"></object><embed src="${origin}/embed">`,
    `<body onload="window.__xss='body-onload'">`,
    `<details open ontoggle="window.__xss='ontoggle'"><summary>x</summary></details>`,
    `<input autofocus onfocus="window.__xss='autofocus'">`,
    `<form action="${origin}/form"><button>submit</button></form>`,
    `<meta http-equiv="refresh" content="0;url=${origin}/meta-refresh">`,
    `<base href="${origin}/">`,
    `<math><mtext><table><mglyph><style><img src=x onerror="window.__xss='mxss'">`,
    `<noscript><p title="</noscript><img src=x onerror=window.__xss='noscript'>">`,
    `[title trick](${origin}/link "t\\" onmouseover=\\"window.__xss='title'")`,
    `<${origin}/autolink>`,
    `[reference link][evil]\n\n[evil]: javascript:window.__xss='reflink'`,
    '```"><img src=x onerror=window.__xss=\'fence-info\'>\ncode\n```',
    "Inline `<img src=x onerror=window.__xss='inline-code'>` code",
    '```js\n</code></pre><img src=x onerror=window.__xss=\'fence-escape\'>\n```',
    `<video><source onerror="window.__xss='video'"></video><audio src=x onerror="window.__xss='audio'"></audio>`,
    `<img srcset="${origin}/srcset 1x">`,
    `<img src=x onerror="acquireVsCodeApi().postMessage({type:'openTraceFile'})">`,
    `<img src=x onerror="window.postMessage({type:'error',message:'posted by a model'},'*')">`,
    `[![nested](${origin}/nested.png)](javascript:window.__xss='nested')`,
    `<x onclick="window.__xss='overlay'" style="position:fixed;inset:0;z-index:9">overlay</x>`,
    `<p class="card picked banner">class spoof</p>`,
    `[vb](vbscript:msgbox(1)) and [file](file:///etc/passwd)`,
    `<svg><a xlink:href="javascript:window.__xss='svg-a'"><text x="20" y="20">svg link</text></a></svg>`,
    `<img src="${origin}/img-\u0000null">`,
    `<template><img src=x onerror="window.__xss='template'"></template>`,
  ];
}

export interface Canary {
  /** Its origin, for payloads that try to load from it. */
  origin: string;
  /** Every request it received (paths): any at all means something in the page loaded a remote resource. */
  hits: string[];
  close(): Promise<void>;
}

/** A local server that records every request: the target of the payloads' loads. */
export async function startCanary(): Promise<Canary> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('hit');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
