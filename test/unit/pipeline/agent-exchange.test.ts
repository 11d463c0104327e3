import assert from 'node:assert/strict';
import type { RunTotals } from '../../../src/pipeline/events';
import { addToExchange, applyEvent, emptyTrace, exchangeTotals } from '../../../src/pipeline/trace';

// An agent task is several runs; the panel shows their sum. A cost is only "complete" when every run was priced.
const run = (over: Partial<RunTotals> = {}): RunTotals => ({
  calls: 3,
  failedCalls: 0,
  promptTokens: 100,
  completionTokens: 40,
  estimated: false,
  wallMs: 10,
  layersRun: 1,
  cost: { usd: 0.25, complete: true },
  ...over,
});

describe('agent task totals', () => {
  it('adds runs, calls, tokens and cost', () => {
    const sum = addToExchange(addToExchange(undefined, run()), run({ calls: 1, promptTokens: 10, completionTokens: 5, cost: { usd: 0.5, complete: true } }));
    assert.deepEqual(sum, { runs: 2, calls: 4, promptTokens: 110, completionTokens: 45, cost: { usd: 0.75, complete: true } });
  });

  it('says the cost is short when one run was unpriced or partly priced', () => {
    const { cost: _unpriced, ...unpriced } = run();
    assert.deepEqual(addToExchange(addToExchange(undefined, run()), unpriced).cost, { usd: 0.25, complete: false });
    assert.deepEqual(addToExchange(addToExchange(undefined, unpriced), run()).cost, { usd: 0.25, complete: false });
    assert.equal(addToExchange(addToExchange(undefined, unpriced), unpriced).cost, undefined, 'no prices at all: no figure');
    assert.equal(addToExchange(undefined, run({ cost: { usd: 0.1, complete: false } })).cost?.complete, false);
  });

  it('a folded trace with an agent-exchange event sums the earlier runs with its own, once it has finished', () => {
    const trace = emptyTrace();
    applyEvent(trace, { t: 0, type: 'agent-exchange', turn: 3, earlier: addToExchange(addToExchange(undefined, run()), run()) });
    assert.equal(exchangeTotals(trace), undefined, 'still running');
    trace.totals = run();
    assert.deepEqual(exchangeTotals(trace), { turn: 3, runs: 3, calls: 9, promptTokens: 300, completionTokens: 120, cost: { usd: 0.75, complete: true } });
  });
});
