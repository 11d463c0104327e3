import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { SmoaEvent } from '../../src/pipeline/events';
import { launch, openPanel, settled, type PanelPage } from './support/browser';
import { recordRun } from './support/record';

// The panel's controls and views for the newer run options: adaptive's decision and widening, a budget for one run.

describe('trace panel: adaptive runs and a budget for one run', function () {
  let browser: Browser;
  let panel: PanelPage;
  before(async () => {
    browser = await launch();
  });
  after(() => browser?.close());
  beforeEach(async () => {
    panel = await openPanel(browser);
  });
  afterEach(() => panel?.close());

  async function show(agree: boolean): Promise<void> {
    const events = await recordRun({
      prompt: 'adaptive',
      config: { strategy: 'adaptive', layers: 2, earlyStop: false },
      responder: (req) =>
        req.headers['x-smoa-stage'] === 'moderator' ? { text: JSON.stringify({ stop: agree, reason: agree ? 'both say 42' : 'they differ' }) } : undefined,
    });
    const runId = (events[0] as Extract<SmoaEvent, { type: 'run-started' }>).runId;
    await panel.dispatch({ type: 'config', defaults: { strategy: 'adaptive', layers: 2, topK: 2, proposers: 6 } });
    await panel.dispatch({ type: 'runStarted', runId, origin: 'panel', events });
    await settled(panel.page);
  }

  it('agreement: two cards, the decision and the calls saved, the next layer skipped', async () => {
    await show(true);
    const layers = panel.page.getByTestId('layer');
    assert.equal(await layers.nth(0).getByTestId('proposal-card').count(), 2);
    const moderator = layers.nth(0).getByTestId('moderator-decision');
    assert.equal(await moderator.getAttribute('data-adaptive'), 'narrow');
    assert.match(await moderator.innerText(), /first 2 agree.*both say 42 \(up to 12 calls saved\)/s);
    assert.equal(await layers.nth(1).getAttribute('data-status'), 'skipped');
  });

  it('disagreement: the rest of the layer joins and shows as cards', async () => {
    await show(false);
    const layer1 = panel.page.getByTestId('layer').nth(0);
    assert.equal(await layer1.getByTestId('proposal-card').count(), 6);
    const moderator = layer1.getByTestId('moderator-decision');
    assert.equal(await moderator.getAttribute('data-adaptive'), 'widen');
    assert.match(await moderator.innerText(), /first 2 disagree, 4 more join/);
  });

  it('Max $ and Max tokens go with the run; left empty, the setting applies', async () => {
    await panel.dispatch({ type: 'config', defaults: { strategy: 'smoa', layers: 2, topK: 2, proposers: 4 } });
    const page = panel.page;
    await page.getByTestId('prompt-input').fill('Design a cache');
    await page.getByTestId('max-usd-input').fill('0.05');
    await page.getByTestId('run-button').click();
    await page.getByTestId('max-usd-input').fill('');
    await page.getByTestId('max-tokens-input').fill('3000');
    await page.getByTestId('run-button').click();
    const runs = (await panel.messages()).filter((m) => m.type === 'run');
    assert.equal(runs.length, 2);
    assert.deepEqual([runs[0].type === 'run' && runs[0].maxUsd, runs[0].type === 'run' && runs[0].maxTokens], [0.05, undefined]);
    assert.deepEqual([runs[1].type === 'run' && runs[1].maxUsd, runs[1].type === 'run' && runs[1].maxTokens], [undefined, 3000]);
  });
});
