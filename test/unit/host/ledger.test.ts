import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeServer } from '../../../test/server/fake-openai';
import { byModelAndStage, dailyBudgetVerdict, KeyValueLedgerStorage, Ledger, toCsv } from '../../../src/host/ledger';
import { FileLedgerStorage } from '../../../src/host/ledger-file';
import { record, useFakeServer } from '../helpers/engine-harness';
import { testConfig } from '../helpers/config';

/** A Memento-like store that keeps what it is given as JSON, as VS Code's global state does. */
class JsonStore {
  data = new Map<string, string>();
  get<T>(key: string): T | undefined {
    const raw = this.data.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }
  async update(key: string, value: unknown) {
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, JSON.stringify(value));
  }
}

const price = { inputPerMTok: 1, outputPerMTok: 2 };

describe('ledger: usage per day, endpoint, model and stage', () => {
  const fake = useFakeServer();
  let server: FakeServer;
  let now: Date;
  const clock = () => now;
  beforeEach(() => {
    server = fake();
    now = new Date(2026, 10, 23, 23, 50);
  });

  const config = () =>
    testConfig(server, {
      models: [
        { id: 'a', endpoint: 'local', model: 'model-a', price },
        { id: 'b', endpoint: 'local', model: 'model-b' },
        { id: 'c', endpoint: 'local', model: 'model-c', price },
        { id: 'd', endpoint: 'local', model: 'model-d', price },
      ],
      strategy: 'smoa',
      layers: 1,
    });

  it('records a run per model and stage, survives a reload of the storage, and rolls over at midnight', async () => {
    const store = new JsonStore();
    const cfg = config();
    const first = await record(cfg, { prompt: 'What is a monad?' });
    await new Ledger(new KeyValueLedgerStorage(store, clock), clock).recordRun(cfg, first.events);

    // A new Ledger over the same store (a window reload) sees the same day.
    const reloaded = new Ledger(new KeyValueLedgerStorage(store, clock), clock);
    const today = await reloaded.today();
    assert.equal(today.day, '2026-11-23');
    assert.equal(today.calls, first.result.totals.calls);
    assert.equal(today.tokens, first.result.totals.promptTokens + first.result.totals.completionTokens);
    assert.ok(Math.abs(today.costUsd - first.result.totals.cost!.usd) < 1e-12);
    assert.equal(today.unpricedCalls, 2, 'model b (a proposer and the judge) has no price');
    const rows = byModelAndStage(await reloaded.entries(), today.day);
    assert.deepEqual(rows.map((r) => `${r.model}/${r.stage}`).sort(), ['a/aggregator', 'a/proposer', 'b/judge', 'b/proposer', 'c/proposer', 'd/proposer']);
    assert.ok(rows.every((r) => r.endpoint === 'local'));

    // Twenty minutes later it is another day: today starts at zero, yesterday keeps its figures.
    now = new Date(2026, 10, 24, 0, 10);
    assert.equal((await reloaded.today()).calls, 0);
    server.reset();
    const second = await record(cfg, { prompt: 'And a functor?' });
    await reloaded.recordRun(cfg, second.events);
    const days = await reloaded.days(3);
    assert.deepEqual(days.map((d) => d.day), ['2026-11-22', '2026-11-23', '2026-11-24']);
    assert.deepEqual(days.map((d) => d.calls), [0, first.result.totals.calls, second.result.totals.calls]);
  });

  it('keeps only the last 30 days in global state, and reset empties it', async () => {
    const store = new JsonStore();
    const cfg = config();
    const { events } = await record(cfg, { prompt: 'x' });
    const ledger = new Ledger(new KeyValueLedgerStorage(store, clock), clock);
    await ledger.recordRun(cfg, events);
    now = new Date(2026, 11, 30, 12);
    await ledger.recordRun(cfg, events);
    const entries = await ledger.entries();
    assert.ok(entries.every((e) => e.day === '2026-12-30'), 'November has fallen out of the window');
    await ledger.reset();
    assert.deepEqual(await ledger.entries(), []);
  });

  it('the CLI file ledger appends JSON lines that a later run adds to', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smoa-ledger-')), 'usage.jsonl');
    const cfg = config();
    const { events, result } = await record(cfg, { prompt: 'y' });
    await new Ledger(new FileLedgerStorage(file), clock).recordRun(cfg, events);
    await new Ledger(new FileLedgerStorage(file), clock).recordRun(cfg, events);
    const today = await new Ledger(new FileLedgerStorage(file), clock).today();
    assert.equal(today.calls, 2 * result.totals.calls);
    appendFileSync(file, 'not json\n');
    await assert.rejects(async () => new FileLedgerStorage(file).load(), /usage\.jsonl:\d+: not a ledger line/);
  });

  it('a torn last line (a crash mid-write) is skipped, and the next entry is kept on a line of its own', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smoa-ledger-')), 'usage.jsonl');
    const cfg = config();
    const { events, result } = await record(cfg, { prompt: 'torn' });
    await new Ledger(new FileLedgerStorage(file), clock).recordRun(cfg, events);
    appendFileSync(file, '{"day":"2026-11-23","endpoint":"local","mod');
    await new Ledger(new FileLedgerStorage(file), clock).recordRun(cfg, events);
    const today = await new Ledger(new FileLedgerStorage(file), clock).today();
    assert.equal(today.calls, 2 * result.totals.calls, 'both runs are there; only the torn line is lost');
  });

  it('two windows writing to one store at once lose nothing', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smoa-ledger-')), 'usage-ledger.jsonl');
    const cfg = config();
    const { events, result } = await record(cfg, { prompt: 'two windows' });
    const windowA = new Ledger(new FileLedgerStorage(file), clock);
    const windowB = new Ledger(new FileLedgerStorage(file), clock);
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? windowA : windowB).recordRun(cfg, events)));
    for (const ledger of [windowA, windowB]) {
      const today = await ledger.today();
      assert.equal(today.calls, 20 * result.totals.calls);
      assert.equal(today.tokens, 20 * (result.totals.promptTokens + result.totals.completionTokens));
    }
  });

  it('a failed or cancelled call adds what it was billed for; a model without a price makes its row "no price"', async () => {
    const cfg = config();
    server.setResponder(() => ({ text: Array.from({ length: 300 }, () => 'word').join(' '), tokensPerSecond: 500 }));
    const controller = new AbortController();
    let tokens = 0;
    const { events } = await record({ ...cfg, strategy: 'single' }, { prompt: 'cut me' }, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'call-token' && ++tokens === 40) controller.abort();
      },
    });
    await server.waitForIdle();
    const ledger = new Ledger(new KeyValueLedgerStorage(new JsonStore(), clock), clock);
    await ledger.recordRun(cfg, events);
    const [entry] = await ledger.entries();
    assert.equal(entry.failedCalls, 1);
    // Every token the run received is counted (tokens the server wrote that were still in a socket buffer at the abort
    // are beyond what any client can see; comparing with the server's count raced under load).
    assert.ok(tokens >= 40 && entry.completionTokens >= tokens, `${entry.completionTokens} recorded, ${tokens} received`);
    assert.ok(entry.estimatedTokens > 0);
  });

  it('marks tokens that were estimated, and exports CSV that a spreadsheet cannot mistake for formulas', async () => {
    const cfg = config();
    server.setResponder(() => ({ text: 'no usage here', usage: false }));
    const { events } = await record({ ...cfg, strategy: 'single' }, { prompt: 'z' });
    const ledger = new Ledger(new KeyValueLedgerStorage(new JsonStore(), clock), clock);
    await ledger.recordRun(cfg, events);
    const [entry] = await ledger.entries();
    assert.ok(entry.estimatedTokens > 0);
    assert.equal(entry.estimatedTokens, entry.promptTokens + entry.completionTokens);
    const csv = toCsv([{ ...entry, model: '=HYPERLINK("x")' }]);
    const [header, row] = csv.trim().split('\r\n');
    assert.equal(header, 'day,endpoint,model,stage,calls,failedCalls,promptTokens,completionTokens,estimatedTokens,costUsd,unpricedCalls');
    assert.match(row, /^2026-11-23,local,"'=HYPERLINK\(""x""\)",aggregator,1,0,/);
  });

  it('daily budget: compares unrounded amounts and shows sub-cent ones non-zero', () => {
    const confirm = dailyBudgetVerdict(0.0035, 0.003);
    assert.equal(confirm.level, 'confirm');
    assert.match((confirm as { message: string }).message, /\(\$0\.0035\) has reached the daily budget of \$0\.0030/);
    assert.deepEqual(dailyBudgetVerdict(0.0023, 0.003), { level: 'ok' });
  });

  it('daily budget: nothing below 80%, a warning from 80%, a confirmation once reached', () => {
    assert.deepEqual(dailyBudgetVerdict(7.99, 10), { level: 'ok' });
    const warn = dailyBudgetVerdict(8, 10);
    assert.equal(warn.level, 'warn');
    assert.match((warn as { message: string }).message, /\$8\.00, 80% of the daily budget of \$10\.00/);
    const confirm = dailyBudgetVerdict(10.5, 10);
    assert.equal(confirm.level, 'confirm');
    assert.match((confirm as { message: string }).message, /reached the daily budget of \$10\.00 \(smoa\.dailyBudgetUsd\)/);
    assert.deepEqual(dailyBudgetVerdict(1000, undefined), { level: 'ok' }, 'no daily budget, no question');
  });
});
