import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { SmoaEvent } from '../../src/pipeline/events';
import { foldEvents } from '../../src/pipeline/trace';
import { kindOf } from '../unit/helpers/engine-harness';
import { launch, openPanel, settled, type PanelPage } from './support/browser';
import { recordRun } from './support/record';

/** Issue 10, items 1-4: what the panel says about a run matches what happened in it. */
describe('trace panel: the record of a run', function () {
  let browser: Browser;
  let panel: PanelPage;

  before(async () => {
    browser = await launch();
  });
  after(() => browser?.close());
  beforeEach(async () => {
    panel = await openPanel(browser);
    await panel.dispatch({ type: 'config', defaults: { strategy: 'smoa', layers: 2, topK: 2, proposers: 6 } });
  });
  afterEach(() => panel?.close());

  async function show(events: SmoaEvent[]): Promise<void> {
    const runId = (events[0] as Extract<SmoaEvent, { type: 'run-started' }>).runId;
    await panel.dispatch({ type: 'runStarted', runId, origin: 'chat', events });
    await settled(panel.page);
  }

  it('after Stop, no layer says running and cancelled calls say cancelled, not failed (items 1, 2)', async () => {
    const controller = new AbortController();
    let tokens = 0;
    const events = await recordRun({
      prompt: 'stop me',
      server: { ttftMs: 10, tokensPerSecond: 40 },
      config: { layers: 2, roles: 'off' },
      responder: () => ({ text: 'one two three four five six seven eight nine ten eleven twelve' }),
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'call-token' && ++tokens === 8) controller.abort();
      },
    });
    await show(events);
    const page = panel.page;
    assert.deepEqual(await page.getByTestId('layer-status').allInnerTexts(), ['cancelled']);
    assert.equal(await page.getByTestId('layer').getAttribute('data-status'), 'cancelled');
    const statuses = await page.getByTestId('proposal-card').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.status));
    assert.deepEqual(statuses, Array(6).fill('cancelled'));
    const summary = await page.getByTestId('run-summary').innerText();
    assert.match(summary, /6 calls \(6 cancelled\)/);
    assert.doesNotMatch(summary, /failed/);
  });

  it('every call the summary counts is shown somewhere, the failed role writer included (item 2)', async () => {
    const events = await recordRun({
      prompt: 'roles please',
      config: { layers: 1, roles: 'auto', roleModel: 'm2' },
      responder: (req) => (kindOf(req) === 'roles' ? { fault: { kind: 'server-error', status: 503 } } : undefined),
    });
    await show(events);
    const trace = foldEvents(events);
    const roleCall = trace.calls.find((c) => c.stage === 'roles')!;
    assert.equal(roleCall.status, 'failed');
    assert.equal(trace.totals!.calls, trace.calls.length);
    for (const call of trace.calls) {
      assert.equal(await panel.page.locator(`[data-call-ids~="${call.callId}"]`).count(), 1, `${call.stage} call ${call.callId} is visible`);
    }
    const roles = panel.page.locator(`[data-call-ids~="${roleCall.callId}"]`);
    assert.ok(await roles.isVisible());
    assert.equal(await roles.getAttribute('data-status'), 'failed');
    assert.match(await roles.innerText(), /Role writer.*failed.*503/s);
  });

  it('rank runs one layer and says so; single says "1 call" (item 3)', async () => {
    await show(await recordRun({ prompt: 'rank it', config: { strategy: 'rank', layers: 2, roles: 'off' } }));
    assert.deepEqual(await panel.page.locator('.layer-title').allInnerTexts(), ['Layer 1 of 1']);

    await show(await recordRun({ prompt: 'just one', config: { strategy: 'single', roles: 'off' } }));
    const summary = await panel.page.getByTestId('run-summary').innerText();
    assert.match(summary, /(^|· )1 call( |$)/);
    assert.doesNotMatch(summary, /1 calls|0 layers/);
  });

  it('Layers and Top k enable as soon as the strategy changes, and disabled ones look disabled (item 4)', async () => {
    const page = panel.page;
    await settled(page);
    const topK = page.getByTestId('topk-input');
    const layers = page.getByTestId('layers-input');
    await page.getByTestId('strategy-select').selectOption('moa');
    await settled(page);
    assert.equal(await topK.isDisabled(), true, 'MoA keeps every answer: no top k');
    await page.getByTestId('strategy-select').selectOption('smoa');
    await settled(page);
    assert.equal(await topK.isDisabled(), false, 'SMoA: top k is editable again without anything else happening');
    await topK.fill('3');
    assert.equal(await topK.inputValue(), '3');
    await page.getByTestId('strategy-select').selectOption('single');
    await settled(page);
    assert.equal(await layers.isDisabled(), true);
    const look = await layers.evaluate((e) => ({ opacity: getComputedStyle(e).opacity, cursor: getComputedStyle(e).cursor }));
    assert.ok(Number(look.opacity) < 1, `a disabled input is dimmed (opacity ${look.opacity})`);
    assert.equal(look.cursor, 'not-allowed');
  });

  it('a loaded file is its own history entry with its name; a restored panel says it is restored (items 6, 9)', async () => {
    const events = await recordRun({ prompt: 'original', config: { layers: 1, roles: 'off' } });
    const trace = foldEvents(events);
    const page = panel.page;
    const original = { runId: trace.runId, origin: 'chat', prompt: 'original', strategy: 'smoa' as const, startedAt: trace.startedAt, status: 'ok' as const };
    const file = { ...original, runId: 'file-1', origin: 'saved.json', offline: true };
    await panel.dispatch({ type: 'runList', runs: [original, file] });
    await panel.dispatch({ type: 'traceLoaded', runId: 'file-1', trace, source: 'saved.json' });
    await settled(page);
    assert.equal(await page.locator('li[data-selected="true"]').count(), 1, 'one highlighted entry, not the original run too');
    assert.match(await page.locator('li[data-selected="true"]').innerText(), /file saved\.json/);
    assert.match(await page.getByTestId('run-meta').innerText(), /opened from saved\.json/);
    assert.doesNotMatch(await page.getByTestId('run-meta').innerText(), /started from/);

    // Show the run itself, then reload the webview (as a window reload does): it comes back from the saved state.
    await panel.dispatch({ type: 'runStarted', runId: trace.runId, origin: 'chat', events });
    await settled(page);
    await page.reload();
    await settled(page);
    const ready = (await panel.messages()).filter((m) => m.type === 'ready').at(-1);
    assert.deepEqual(ready, { type: 'ready', restoredRunId: trace.runId }, 'the webview tells the host what it showed');
    await panel.dispatch({ type: 'runList', runs: [] });
    await settled(page);
    const meta = await page.getByTestId('run-meta').innerText();
    assert.match(meta, /started from chat/);
    assert.match(meta, /restored from before the panel reloaded; no longer among this window's runs/);
    assert.match(await page.getByTestId('run-history').innerText(), /No runs in this window yet/);
    // The host still has the run: it sends it again and the panel is live, not restored.
    await panel.dispatch({ type: 'runList', runs: [original] });
    await panel.dispatch({ type: 'runStarted', runId: trace.runId, origin: 'chat', events });
    await settled(page);
    assert.doesNotMatch(await page.getByTestId('run-meta').innerText(), /restored/);
  });
});
