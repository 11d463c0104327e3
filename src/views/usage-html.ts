import { formatMoney } from '../pipeline/format';
import { COMMANDS } from '../host/command-ids';
import type { DayTotal, LedgerEntry } from '../host/ledger';

/**
 * The Show Usage page: the last 30 days as a bar chart (cost, or tokens when nothing is priced) and a table by
 * model and stage. Static HTML, no script: the two actions are command links the webview allows by name. No vscode
 * import, so the markup (and its escaping of model ids) is tested in plain Node.
 */

const EXPORT_USAGE_COMMAND = COMMANDS.exportUsageCsv.id;
const RESET_USAGE_COMMAND = COMMANDS.resetUsage.id;

export function renderUsageHtml(days: readonly DayTotal[], rows: readonly LedgerEntry[], nonce: string): string {
  const priced = days.some((d) => d.costUsd > 0);
  const value = (d: DayTotal) => (priced ? d.costUsd : d.tokens);
  const max = Math.max(...days.map(value), 0);
  const barWidth = 18;
  const height = 120;
  const bars = days
    .map((d, i) => {
      const h = max > 0 ? Math.max(value(d) > 0 ? 1 : 0, Math.round((value(d) / max) * height)) : 0;
      const label = `${d.day}: ${priced ? usd(d.costUsd) : `${int(d.tokens)} tokens`}, ${d.calls} calls`;
      return `<rect x="${i * (barWidth + 4)}" y="${height - h}" width="${barWidth}" height="${h}" class="bar"><title>${esc(label)}</title></rect>`;
    })
    .join('');
  const total = days.reduce((a, d) => ({ calls: a.calls + d.calls, tokens: a.tokens + d.tokens, usd: a.usd + d.costUsd, est: a.est + d.estimatedTokens }), { calls: 0, tokens: 0, usd: 0, est: 0 });
  const tableRows = rows
    .map(
      (r) =>
        `<tr><td>${esc(r.model)}</td><td>${esc(r.endpoint)}</td><td>${esc(r.stage)}</td><td class="n">${r.calls}</td>` +
        `<td class="n">${int(r.promptTokens + r.completionTokens)}</td><td class="n">${int(r.estimatedTokens)}</td>` +
        `<td class="n">${r.unpricedCalls > 0 ? 'no price' : usd(r.costUsd)}</td></tr>`,
    )
    .join('');
  const first = days[0]?.day ?? '';
  const last = days.at(-1)?.day ?? '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${usageCsp(nonce)}">
<title>SMoA Usage</title>
<style nonce="${esc(nonce)}">
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px; }
.bar { fill: var(--vscode-charts-blue, #3794ff); }
table { border-collapse: collapse; margin-top: 12px; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--vscode-panel-border, #8884); text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.actions a { margin-right: 16px; }
.muted { opacity: 0.75; }
</style></head>
<body>
<h2>SMoA usage, ${esc(first)} to ${esc(last)}</h2>
<p>${total.calls} calls, ${int(total.tokens)} tokens${total.est ? ` (${int(total.est)} estimated)` : ''}, ${usd(total.usd)}${rows.some((r) => r.unpricedCalls) ? ' <span class="muted">(calls without a price are not in the cost)</span>' : ''}</p>
<svg role="img" aria-label="${priced ? 'Cost' : 'Tokens'} per day, last ${days.length} days" width="${days.length * (barWidth + 4)}" height="${height}" id="chart">${bars}</svg>
<p class="muted">${priced ? 'Cost' : 'Tokens'} per day; hover a bar for its figures.</p>
<h3>By model and stage</h3>
${rows.length ? `<table id="by-model"><thead><tr><th>Model</th><th>Endpoint</th><th>Stage</th><th class="n">Calls</th><th class="n">Tokens</th><th class="n">Estimated</th><th class="n">Cost</th></tr></thead><tbody>${tableRows}</tbody></table>` : '<p id="by-model">No usage recorded in these days.</p>'}
<p class="actions"><a href="command:${EXPORT_USAGE_COMMAND}">Export CSV</a><a href="command:${RESET_USAGE_COMMAND}">Reset usage</a></p>
<p class="muted">Kept in a file in the extension's global storage, shared by every window; ${days.length} days shown. "Estimated" tokens were counted by SMoA or VS Code, not reported by the endpoint.</p>
</body></html>`;
}

/** The page's one style element by its nonce; no 'self' (see html.ts), no inline styles, nothing else. */
function usageCsp(nonce: string): string {
  return `default-src 'none'; style-src 'nonce-${nonce}'; img-src data:; font-src 'none'; form-action 'none'; base-uri 'none'`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function int(n: number): string {
  return n.toLocaleString('en-US');
}

function usd(n: number): string {
  return formatMoney(n);
}
