import assert from 'node:assert/strict';
import type { SmoaEvent } from '../../../src/pipeline/events';
import { clip, formatCost, summarizeTotals } from '../../../src/pipeline/format';
import { ProgressNarrator } from '../../../src/pipeline/narrator';

const totals = { calls: 1, failedCalls: 0, promptTokens: 1200, completionTokens: 34, estimated: false, wallMs: 8420, layersRun: 0 };

type Untimed<E = SmoaEvent> = E extends unknown ? Omit<E, 't'> : never;

function narrate(events: Untimed[]): { lines: string[]; narrator: ProgressNarrator } {
  const narrator = new ProgressNarrator();
  const lines = events.flatMap((e) => narrator.describe({ t: 0, ...e } as SmoaEvent) ?? []);
  return { lines, narrator };
}

const layer1 = {
  type: 'layer-started',
  layer: 1,
  of: 3,
  proposers: ['claude', 'gpt-4o', 'llama', 'claude'].map((modelId, slot) => ({ slot, modelId })),
} as const;

describe('progress narrator', () => {
  it('names the slot when the judge keeps a model that fills several slots', () => {
    const { lines } = narrate([layer1, { type: 'judge-picks', layer: 1, picks: [3, 0], reason: 'Both are right.', fallback: false }]);
    assert.equal(lines[1], 'Layer 1: judge kept claude (slot 4) and claude (slot 1) (2 of 4): Both are right.');
    const single = narrate([layer1, { type: 'judge-picks', layer: 1, picks: [1, 2], reason: '', fallback: false }]);
    assert.equal(single.lines[1], 'Layer 1: judge kept gpt-4o and llama (2 of 4)');
  });

  it('adaptive: names every kept model of a widened layer, with its score, and says the layer was widened', () => {
    const { narrator } = narrate([
      { type: 'layer-started', layer: 1, of: 2, proposers: ['a', 'b'].map((modelId, slot) => ({ slot, modelId })) },
      { type: 'adaptive-decision', layer: 1, agree: false, reason: 'They differ.', asked: 2, of: 4 },
      { type: 'layer-widened', layer: 1, proposers: [{ slot: 2, modelId: 'c' }, { slot: 3, modelId: 'd' }] },
      { type: 'judge-picks', layer: 1, picks: [2, 0], reason: '', fallback: false, scores: { 2: 9, 0: 7, 1: 4, 3: 2 } },
      { type: 'layer-started', layer: 2, of: 2, proposers: ['a', 'b', 'c', 'd'].map((modelId, slot) => ({ slot, modelId })) },
      { type: 'judge-picks', layer: 2, picks: [3, 1], reason: '', fallback: false },
    ]);
    assert.deepEqual(narrator.record, [
      'Layer 1: the first 2 of 4 proposers disagree (they differ.); the rest of the layer joins',
      'Layer 1: judge kept c (9) and a (7) (2 of 4, widened from 2)',
      'Layer 2: judge kept d and b (2 of 4)',
    ]);
  });

  it('keeps the outcome of each stage as a compact record, merging consecutive skipped layers', () => {
    const { narrator } = narrate([
      { type: 'roles-assigned', roles: ['a', 'b', 'c', 'd'], source: 'generated' },
      layer1,
      { type: 'call-started', callId: 'j1', stage: 'judge', layer: 1, modelId: 'gpt-4o', model: 'm' },
      { type: 'judge-picks', layer: 1, picks: [1, 2], reason: 'They agree.', fallback: false },
      { type: 'moderator-decision', layer: 1, stop: true, reason: 'The answers agree' },
      { type: 'layer-skipped', layer: 2, reason: 'the moderator stopped early' },
      { type: 'layer-skipped', layer: 3, reason: 'the moderator stopped early' },
      { type: 'call-started', callId: 'a1', stage: 'aggregator', modelId: 'gpt-4o', model: 'm' },
    ]);
    assert.deepEqual(narrator.record, [
      'Roles generated: 4 roles',
      'Layer 1: judge kept gpt-4o and llama (2 of 4): They agree.',
      'Moderator: stop, the answers agree',
      'Layers 2-3 skipped: the moderator stopped early',
    ]);
  });
});

describe('progress narrator: adaptive runs', () => {
  it('says whether the first proposers agreed and what that saved, and keeps it in the record', () => {
    const agreed = narrate([{ type: 'adaptive-decision', layer: 1, agree: true, reason: 'Both give the same fix', asked: 2, of: 4, callsSaved: 7 }]);
    assert.deepEqual(agreed.lines, ['Layer 1: the first 2 of 4 proposers agree (both give the same fix); no more proposers, 7 calls saved']);
    assert.deepEqual(agreed.narrator.record, agreed.lines);
    const widened = narrate([
      { type: 'adaptive-decision', layer: 1, agree: false, reason: 'They disagree on the edge case', asked: 2, of: 4 },
      { type: 'layer-widened', layer: 1, proposers: [{ slot: 2, modelId: 'c' }, { slot: 3, modelId: 'd' }] },
    ]);
    assert.deepEqual(widened.lines, [
      'Layer 1: the first 2 of 4 proposers disagree (they disagree on the edge case); the rest of the layer joins',
      'Layer 1: 2 more proposers answering',
    ]);
  });
});

describe('shared formatting', () => {
  it('says one thing about an unknown cost everywhere, and "1 call" for one', () => {
    assert.equal(formatCost({}), 'cost unknown (no prices configured)');
    assert.equal(summarizeTotals(totals), '1 call, 1,234 tokens (1,200 in, 34 out), cost unknown (no prices configured), 8.4 s');
    assert.equal(summarizeTotals({ ...totals, layersRun: 2, calls: 11, failedCalls: 2, cost: { usd: 0.0123, complete: false } }, ' · '),
      '2 layers · 11 calls (2 failed) · 1,234 tokens (1,200 in, 34 out) · $0.0123 (some models unpriced) · 8.4 s');
  });

  it('clips for a model with a count of what is missing, for a person with an ellipsis', () => {
    assert.equal(clip('abcdefghij', 4), 'abcd\n[... 6 more characters]');
    assert.equal(clip('abcdefghij', 4, { ellipsis: true }), 'abc…');
    assert.equal(clip('  a\n  b   c ', 20, { oneLine: true }), 'a b c');
    assert.equal(clip('short', 5), 'short');
  });
});
