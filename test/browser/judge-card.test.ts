import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { SmoaEvent } from '../../src/pipeline/events';
import { kindOf } from '../unit/helpers/engine-harness';
import { launch, openPanel, settled, type PanelPage } from './support/browser';
import { recordRun } from './support/record';

/** The judge card and the cards' scores: what a user reads about the judge's verdict, or about a run stopped mid-way. */
describe('trace panel: judge scores and a run cancelled while judging', function () {
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

  async function show(events: SmoaEvent[]): Promise<void> {
    const runId = (events[0] as Extract<SmoaEvent, { type: 'run-started' }>).runId;
    await panel.dispatch({ type: 'runList', runs: [{ runId, origin: 'chat', prompt: 'q', strategy: 'smoa', startedAt: '', status: 'ok' }] });
    await panel.dispatch({ type: 'runStarted', runId, origin: 'chat', events });
    await settled(panel.page);
  }

  it('each scored card shows its score; the judge card lists the scores', async () => {
    await show(await recordRun({ prompt: 'How do I debounce?', config: { layers: 1, earlyStop: false } }));
    const page = panel.page;
    const scores = page.getByTestId('score-badge');
    assert.equal(await scores.count(), 6);
    for (const text of await scores.allInnerTexts()) assert.match(text, /^\d+(\.\d)?\/10$/);
    assert.match(await page.getByTestId('judge-scores').innerText(), /^Scores: proposal \d: \d+(, proposal \d: \d+){5}$/);
  });

  for (const [label, config] of [
    ['the judge deciding the stop itself', {}],
    ['a separate moderator', { moderator: 'm2' }],
  ] as const) {
    it(`cancelled while ${label}: the judge card says cancelled, no fallback, no "continue (fallback)"`, async () => {
      const controller = new AbortController();
      const waiting = new Set<string>(['judge', ...('moderator' in config ? ['moderator'] : [])]);
      const events = await recordRun({
        prompt: 'q',
        config: { layers: 2, earlyStop: true, ...config },
        responder: (req) => (kindOf(req) === 'judge' || kindOf(req) === 'moderator' ? { fault: { kind: 'hang' } } : undefined),
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'call-started' && waiting.delete(e.stage) && waiting.size === 0) controller.abort();
        },
      });
      await show(events);
      const page = panel.page;
      const judge = page.getByTestId('judge-verdict').first();
      assert.equal(await judge.getAttribute('data-state'), 'cancelled');
      assert.equal(await judge.getByTestId('judge-reason').innerText(), 'Cancelled');
      assert.equal(await judge.getByTestId('judge-fallback').isVisible(), false);
      const moderator = page.getByTestId('moderator-decision').first();
      if ('moderator' in config) {
        assert.equal(await moderator.getAttribute('data-decision'), 'cancelled');
        assert.equal(await moderator.locator('.decision').innerText(), 'Moderator: cancelled');
      } else {
        assert.equal(await moderator.isVisible(), false, 'no moderator decision was made');
      }
      assert.doesNotMatch(await page.locator('body').innerText(), /fallback|unusable/i);
    });
  }
});
