import type { RouteDecision, RunTotals } from './events';

/**
 * Wording every surface shares (chat, trace panel, CLI, tool, log): counts, times, cost and run totals, and how a long
 * text is shortened. Browser-safe: no Node or vscode imports, so the webview bundles it too.
 */

/** "1 call", "2 calls". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** "850 ms", "8.4 s"; `missing` for an unknown duration. */
export function formatMs(ms: number | undefined, missing = '-'): string {
  if (ms === undefined) return missing;
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function formatTokens(totals: Pick<RunTotals, 'promptTokens' | 'completionTokens' | 'estimated'>): string {
  const sum = totals.promptTokens + totals.completionTokens;
  return `${formatCount(sum)} tokens (${formatCount(totals.promptTokens)} in, ${formatCount(totals.completionTokens)} out${totals.estimated ? ', partly estimated' : ''})`;
}

/** What a run cost, or why that is not known. */
const COST_UNKNOWN = 'cost unknown (no prices configured)';

/** "$0.0123"; an amount under a hundredth of a cent keeps enough digits to be non-zero ("$0.0000042"). */
export function formatUsd(usd: number): string {
  const digits = usd > 0 && usd < 0.0001 ? 1 - Math.floor(Math.log10(usd)) : 4;
  return `$${usd.toFixed(Math.min(digits, 12))}`;
}

/** Money for people: cents from a cent up ("$1.20"), below that enough digits to be non-zero ("$0.0035"). */
export function formatMoney(usd: number): string {
  return usd >= 0.01 || usd === 0 ? `$${usd.toFixed(2)}` : formatUsd(usd);
}

export function formatCost(totals: Pick<RunTotals, 'cost'>): string {
  if (!totals.cost) return COST_UNKNOWN;
  return `${formatUsd(totals.cost.usd)}${totals.cost.complete ? '' : ' (some models unpriced)'}`;
}

/** The pieces of a run's summary: layers (when any ran), calls, tokens, cost, wall time. */
export function totalsParts(totals: RunTotals): string[] {
  // Cancelled calls are not failures: the user stopped them.
  const notOk = [...(totals.failedCalls ? [`${totals.failedCalls} failed`] : []), ...(totals.cancelledCalls ? [`${totals.cancelledCalls} cancelled`] : [])];
  return [
    ...(totals.layersRun ? [plural(totals.layersRun, 'layer')] : []),
    `${plural(totals.calls, 'call')}${notOk.length ? ` (${notOk.join(', ')})` : ''}`,
    formatTokens(totals),
    formatCost(totals),
    formatMs(totals.wallMs),
  ];
}

/** "2 layers, 11 calls, 4,210 tokens (...), $0.0123, 8.4 s" */
export function summarizeTotals(totals: RunTotals, separator = ', '): string {
  return totalsParts(totals).join(separator);
}

export interface ClipOptions {
  /** For a person: end with "…" instead of telling a model how much was left out. */
  ellipsis?: boolean;
  /** Collapse whitespace to single spaces first (a one-line excerpt). */
  oneLine?: boolean;
}

/**
 * Text cut to `max` characters of its own. By default the cut says how much is missing ("[... 120 more characters]"),
 * so a model knows it sees part of a text; `ellipsis` ends with "…" for lines people read.
 */
export function clip(text: string, max: number, options: ClipOptions = {}): string {
  const source = options.oneLine ? text.replace(/\s+/g, ' ').trim() : text;
  if (source.length <= max) return source;
  if (options.ellipsis) return `${source.slice(0, Math.max(0, max - 1))}…`;
  return `${source.slice(0, max)}\n[... ${source.length - max} more characters]`;
}

/**
 * What the route strategy decided, in one line, as chat, the CLI and the panel say it: "Route: single:arith. On 5
 * similar tasks (arithmetic), ..." or "Route: fell back to smoa: no evaluated task is like this prompt ...".
 */
export function routeLine(d: Pick<RouteDecision, 'chosen' | 'reason' | 'fallback' | 'nearest'>): string {
  if (d.fallback) return `Route: fell back to ${d.chosen}: ${d.reason}`;
  const near = d.nearest.length ? ` Nearest: ${d.nearest.slice(0, 3).map((n) => `${n.id} (${n.similarity.toFixed(2)})`).join(', ')}.` : '';
  return `Route: ${d.chosen}. ${d.reason.charAt(0).toUpperCase()}${d.reason.slice(1)}.${near}`;
}
