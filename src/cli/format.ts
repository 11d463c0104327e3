import type { RunTotals } from '../pipeline/events';

export function formatTokens(totals: Pick<RunTotals, 'promptTokens' | 'completionTokens' | 'estimated'>): string {
  const sum = totals.promptTokens + totals.completionTokens;
  return `${sum.toLocaleString('en-US')} tokens (${totals.promptTokens.toLocaleString('en-US')} in, ${totals.completionTokens.toLocaleString('en-US')} out${totals.estimated ? ', partly estimated' : ''})`;
}

export function formatCost(totals: Pick<RunTotals, 'cost'>): string {
  if (!totals.cost) return 'cost n/a';
  return `$${totals.cost.usd.toFixed(4)}${totals.cost.complete ? '' : ' (some models unpriced)'}`;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "2 layers, 11 calls, 4,210 tokens (...), $0.0123, 8.4 s" */
export function summarizeTotals(totals: RunTotals): string {
  const failed = totals.failedCalls ? ` (${totals.failedCalls} failed)` : '';
  const layers = totals.layersRun ? `${plural(totals.layersRun, 'layer')}, ` : '';
  return `${layers}${plural(totals.calls, 'call')}${failed}, ${formatTokens(totals)}, ${formatCost(totals)}, ${formatMs(totals.wallMs)}`;
}

/** Plain-text table with right-aligned numeric columns. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
