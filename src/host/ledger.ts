import type { SmoaConfig } from '../pipeline/config';
import type { CallStage, SmoaEvent } from '../pipeline/events';
import { formatMoney } from '../pipeline/format';

/**
 * Usage kept per day, endpoint, model and stage: what the status bar, "SMoA: Show Usage" and the daily budget read.
 * Storage is a port (extension global state in VS Code, a JSON Lines file for the CLI's --ledger) and the clock is
 * injected, so persistence and day rollover are tested in plain Node. No vscode import.
 */

export interface LedgerEntry {
  /** Local calendar day, YYYY-MM-DD. */
  day: string;
  endpoint: string;
  model: string;
  stage: CallStage;
  calls: number;
  failedCalls: number;
  promptTokens: number;
  completionTokens: number;
  /** Of the tokens above, how many were counted by us rather than reported by the endpoint. */
  estimatedTokens: number;
  costUsd: number;
  /** Calls whose model has no price: their cost is not in costUsd. */
  unpricedCalls: number;
}

export interface LedgerStorage {
  load(): LedgerEntry[] | Promise<LedgerEntry[]>;
  append(entries: LedgerEntry[]): void | Promise<void>;
  clear(): void | Promise<void>;
}

export type Clock = () => Date;

/** Days of usage the view shows (and the extension keeps). */
export const LEDGER_DAYS = 30;

export function dayOf(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function keyOf(e: Pick<LedgerEntry, 'day' | 'endpoint' | 'model' | 'stage'>): string {
  return JSON.stringify([e.day, e.endpoint, e.model, e.stage]);
}

/** Sums entries with the same day, endpoint, model and stage (a file ledger holds one line per run and key). */
function mergeEntries(entries: readonly LedgerEntry[]): LedgerEntry[] {
  const merged = new Map<string, LedgerEntry>();
  for (const e of entries) {
    const key = keyOf(e);
    const into = merged.get(key);
    if (!into) merged.set(key, { ...e });
    else {
      into.calls += e.calls;
      into.failedCalls += e.failedCalls;
      into.promptTokens += e.promptTokens;
      into.completionTokens += e.completionTokens;
      into.estimatedTokens += e.estimatedTokens;
      into.costUsd += e.costUsd;
      into.unpricedCalls += e.unpricedCalls;
    }
  }
  return [...merged.values()];
}

export interface DayTotal {
  day: string;
  calls: number;
  tokens: number;
  estimatedTokens: number;
  costUsd: number;
  unpricedCalls: number;
}

export class Ledger {
  constructor(
    private readonly storage: LedgerStorage,
    private readonly clock: Clock = () => new Date(),
  ) {}

  /** Adds one run's calls to the day the clock says when the run is recorded (as it finishes). */
  async recordRun(config: SmoaConfig, events: readonly SmoaEvent[]): Promise<void> {
    const entries = entriesOfRun(config, events, this.clock);
    if (entries.length) await this.storage.append(entries);
  }

  async entries(): Promise<LedgerEntry[]> {
    return mergeEntries(await this.storage.load());
  }

  async today(): Promise<DayTotal> {
    const day = dayOf(this.clock());
    return (await this.days(1))[0] ?? emptyDay(day);
  }

  /** The last `count` days, oldest first, one total per day (days without use are zero). */
  async days(count = LEDGER_DAYS): Promise<DayTotal[]> {
    const entries = await this.entries();
    const now = this.clock();
    const out: DayTotal[] = [];
    for (let back = count - 1; back >= 0; back--) {
      const date = new Date(now.getFullYear(), now.getMonth(), now.getDate() - back);
      const day = dayOf(date);
      const total = emptyDay(day);
      for (const e of entries.filter((x) => x.day === day)) {
        total.calls += e.calls;
        total.tokens += e.promptTokens + e.completionTokens;
        total.estimatedTokens += e.estimatedTokens;
        total.costUsd += e.costUsd;
        total.unpricedCalls += e.unpricedCalls;
      }
      out.push(total);
    }
    return out;
  }

  async reset(): Promise<void> {
    await this.storage.clear();
  }
}

function emptyDay(day: string): DayTotal {
  return { day, calls: 0, tokens: 0, estimatedTokens: 0, costUsd: 0, unpricedCalls: 0 };
}

/** The ledger lines of one run, from its events (the one source: call-started says who, call-done what it used). */
function entriesOfRun(config: SmoaConfig, events: readonly SmoaEvent[], clock: Clock): LedgerEntry[] {
  const calls = new Map<string, { model: string; stage: CallStage }>();
  const entries: LedgerEntry[] = [];
  const endpointOf = (modelId: string) => config.models.find((m) => m.id === modelId)?.endpoint ?? 'unknown';
  const pricedModel = (modelId: string) => !!config.models.find((m) => m.id === modelId)?.price;
  for (const event of events) {
    if (event.type === 'call-started') calls.set(event.callId, { model: event.modelId, stage: event.stage });
    if (event.type !== 'call-done' && event.type !== 'call-failed') continue;
    const call = calls.get(event.callId);
    if (!call) continue;
    const done = event.type === 'call-done';
    // A failed or cancelled call counts what it was billed for (tokens streamed before the cut), when it was.
    const usage = event.usage;
    const tokens = usage ? usage.promptTokens + usage.completionTokens : 0;
    const priced = !!usage && event.cost !== undefined;
    entries.push({
      day: dayOf(clock()),
      endpoint: endpointOf(call.model),
      model: call.model,
      stage: call.stage,
      calls: 1,
      failedCalls: done ? 0 : 1,
      promptTokens: usage?.promptTokens ?? 0,
      completionTokens: usage?.completionTokens ?? 0,
      estimatedTokens: usage?.estimated ? tokens : 0,
      costUsd: priced ? event.cost! : 0,
      // A call of a model without a price is unpriced whether or not it used anything, so its row says "no price".
      unpricedCalls: !pricedModel(call.model) || (usage && !priced) ? 1 : 0,
    });
  }
  return mergeEntries(entries);
}

/** Keeps the last `days` days (by the clock) and merges duplicates: what the extension's global state holds. */
function prune(entries: readonly LedgerEntry[], clock: Clock, days = LEDGER_DAYS): LedgerEntry[] {
  const now = clock();
  const oldest = dayOf(new Date(now.getFullYear(), now.getMonth(), now.getDate() - (days - 1)));
  return mergeEntries(entries.filter((e) => e.day >= oldest));
}

/** Storage in one key of a key-value store (VS Code's globalState is a Memento with this shape). */
export class KeyValueLedgerStorage implements LedgerStorage {
  static readonly KEY = 'smoa.ledger.v1';
  constructor(
    private readonly store: { get<T>(key: string): T | undefined; update(key: string, value: unknown): Thenable<void> | Promise<void> },
    private readonly clock: Clock = () => new Date(),
  ) {}
  load(): LedgerEntry[] {
    return this.store.get<LedgerEntry[]>(KeyValueLedgerStorage.KEY) ?? [];
  }
  async append(entries: LedgerEntry[]): Promise<void> {
    await this.store.update(KeyValueLedgerStorage.KEY, prune([...this.load(), ...entries], this.clock));
  }
  async clear(): Promise<void> {
    await this.store.update(KeyValueLedgerStorage.KEY, undefined);
  }
}

type Thenable<T> = PromiseLike<T>;

/** Usage by model and stage over the given days: the table of "Show Usage". */
export function byModelAndStage(entries: readonly LedgerEntry[], fromDay: string): LedgerEntry[] {
  const rows = mergeEntries(entries.filter((e) => e.day >= fromDay).map((e) => ({ ...e, day: fromDay })));
  return rows.sort((a, b) => b.costUsd - a.costUsd || b.promptTokens + b.completionTokens - (a.promptTokens + a.completionTokens));
}

const CSV_COLUMNS: (keyof LedgerEntry)[] = ['day', 'endpoint', 'model', 'stage', 'calls', 'failedCalls', 'promptTokens', 'completionTokens', 'estimatedTokens', 'costUsd', 'unpricedCalls'];

/** RFC 4180 CSV, one row per day, endpoint, model and stage, oldest first. */
export function toCsv(entries: readonly LedgerEntry[]): string {
  const cell = (v: string | number) => {
    const s = typeof v === 'number' ? String(Number.isInteger(v) ? v : Number(v.toFixed(6))) : v;
    // A leading = + - @ would be a formula in a spreadsheet: model ids come from settings, quote them plainly.
    const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const rows = [...entries].sort((a, b) => a.day.localeCompare(b.day) || keyOf(a).localeCompare(keyOf(b)));
  return [CSV_COLUMNS.join(','), ...rows.map((e) => CSV_COLUMNS.map((c) => cell(e[c])).join(','))].join('\r\n') + '\r\n';
}

/** What the daily budget says about starting another run, given today's spend. */
export type DailyVerdict = { level: 'ok' } | { level: 'warn' | 'confirm'; message: string };

export function dailyBudgetVerdict(todayUsd: number, dailyBudgetUsd: number | undefined | null): DailyVerdict {
  if (!dailyBudgetUsd || dailyBudgetUsd <= 0) return { level: 'ok' };
  // The comparison is on the unrounded amounts; the wording keeps sub-cent amounts non-zero.
  const spent = formatMoney(todayUsd);
  const limit = formatMoney(dailyBudgetUsd);
  if (todayUsd >= dailyBudgetUsd) {
    return { level: 'confirm', message: `Today's SMoA spending (${spent}) has reached the daily budget of ${limit} (smoa.dailyBudgetUsd). Run anyway?` };
  }
  if (todayUsd >= 0.8 * dailyBudgetUsd) {
    return { level: 'warn', message: `Today's SMoA spending is ${spent}, ${Math.floor((100 * todayUsd) / dailyBudgetUsd)}% of the daily budget of ${limit}.` };
  }
  return { level: 'ok' };
}

/** Where Export as CSV suggests saving: the first workspace folder, else the home folder (never the filesystem root). */
export function usageCsvDefaultPath(workspaceFolder: string | undefined, home: string): string {
  return `${(workspaceFolder ?? home).replace(/[\\/]+$/, '')}/${USAGE_CSV_NAME}`;
}

export const USAGE_CSV_NAME = 'smoa-usage.csv';
