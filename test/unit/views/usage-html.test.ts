import assert from 'node:assert/strict';
import type { DayTotal, LedgerEntry } from '../../../src/host/ledger';
import { usageCsvDefaultPath } from '../../../src/host/ledger';
import { renderUsageHtml } from '../../../src/views/usage-html';

const day = (d: string, costUsd: number, tokens = 1000): DayTotal => ({ day: d, calls: 3, tokens, estimatedTokens: 0, costUsd, unpricedCalls: 0 });
const row = (model: string, over: Partial<LedgerEntry> = {}): LedgerEntry => ({
  day: '2026-11-01',
  endpoint: 'local',
  model,
  stage: 'proposer',
  calls: 2,
  failedCalls: 0,
  promptTokens: 300,
  completionTokens: 200,
  estimatedTokens: 0,
  costUsd: 0.5,
  unpricedCalls: 0,
  ...over,
});

describe('Show Usage page', () => {
  it('draws one bar per day scaled to the largest, and a row per model and stage', () => {
    const html = renderUsageHtml([day('2026-11-01', 1), day('2026-11-02', 0), day('2026-11-03', 0.5)], [row('gpt'), row('llama', { unpricedCalls: 2, costUsd: 0 })], 'vscode-resource:');
    const heights = [...html.matchAll(/<rect [^>]*height="(\d+)"/g)].map((m) => Number(m[1]));
    assert.deepEqual(heights, [120, 0, 60]);
    assert.match(html, /<title>2026-11-01: \$1\.00, 3 calls<\/title>/);
    assert.match(html, /<td>gpt<\/td><td>local<\/td><td>proposer<\/td><td class="n">2<\/td><td class="n">500<\/td><td class="n">0<\/td><td class="n">\$0\.50<\/td>/);
    assert.match(html, /<td>llama<\/td>.*<td class="n">no price<\/td>/);
    assert.match(html, /calls without a price are not in the cost/);
    assert.match(html, /href="command:smoa\.exportUsageCsv"/);
  });

  it('charts tokens when nothing is priced, and runs no script whatever a model id says', () => {
    const html = renderUsageHtml([day('2026-11-01', 0, 5000)], [row('<img src=x onerror=alert(1)>')], 'n0nce');
    assert.match(html, /aria-label="Tokens per day/);
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
    // the one style element by its nonce: no 'self' (code-server's /proxy/<port>/), no 'unsafe-inline'
    assert.match(html, /default-src 'none'; style-src 'nonce-n0nce';/);
    assert.match(html, /<style nonce="n0nce">/);
    assert.doesNotMatch(html, /'self'|unsafe-inline|\sstyle=/);
    assert.doesNotMatch(html, /<script/);
  });
});

describe('Export Usage as CSV', () => {
  it('suggests the workspace folder, else the home folder, never the filesystem root', () => {
    assert.equal(usageCsvDefaultPath('/work/project', '/home/u'), '/work/project/smoa-usage.csv');
    assert.equal(usageCsvDefaultPath(undefined, '/home/u/'), '/home/u/smoa-usage.csv');
  });
});
