import assert from 'node:assert/strict';
import { formatMoney, formatUsd } from '../../../src/pipeline/format';
import { renderUsageHtml } from '../../../src/views/usage-html';
import type { LedgerEntry } from '../../../src/host/ledger';

describe('money shown as money', () => {
  it('amounts under a cent keep enough digits to be non-zero', () => {
    assert.equal(formatUsd(0.0035), '$0.0035');
    assert.equal(formatUsd(0.0000042), '$0.0000042');
    assert.equal(formatUsd(0), '$0.0000');
    assert.equal(formatMoney(1.2), '$1.20');
    assert.equal(formatMoney(0.0035), '$0.0035');
    assert.equal(formatMoney(0.00002), '$0.000020');
  });

  it('Show Usage says "no price" for every row of a model without one, failed calls included', () => {
    const row = (over: Partial<LedgerEntry>): LedgerEntry => ({
      day: '2026-12-05', endpoint: 'local', model: 'llama', stage: 'judge', calls: 2, failedCalls: 1, promptTokens: 100, completionTokens: 20,
      estimatedTokens: 0, costUsd: 0, unpricedCalls: 1, ...over,
    });
    const html = renderUsageHtml([{ day: '2026-12-05', calls: 2, tokens: 120, estimatedTokens: 0, costUsd: 0, unpricedCalls: 1 }], [row({})], 'vscode-resource:');
    assert.match(html, /<td class="n">no price<\/td>/);
    assert.doesNotMatch(html, /<td class="n">\$0\.00<\/td>/);
  });
});
