import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { SmoaEvent } from '../../src/pipeline/events';
import { kindOf, scoresFor } from '../unit/helpers/engine-harness';
import { launch, openPanel, settled } from './support/browser';
import { recordRun } from './support/record';
import { startCanary, xssPayloads, type Canary } from './support/xss-payloads';

describe('trace panel: hostile model output', function () {
  let browser: Browser;
  let canary: Canary;
  let payloads: string[];
  let events: SmoaEvent[];

  before(async () => {
    canary = await startCanary();
    payloads = xssPayloads(canary.origin);
    // Proposers, the judge's reason and the aggregator all answer with payloads, through the real engine.
    const bySlot = (model: string) => model.charCodeAt(model.length - 1) - 97;
    [browser, events] = await Promise.all([
      launch(),
      recordRun({
        prompt: 'Say something dangerous',
        config: { layers: 2, earlyStop: false, judgeNotes: 'full' },
        responder: (req) => {
          const kind = kindOf(req);
          if (kind === 'judge') {
            return {
              text: JSON.stringify({
                reason: `${payloads[0]} ${payloads[7]} Response 1 is best`,
                scores: scoresFor(req, [1, 2]),
                agreements: [payloads[1]],
                contradictions: [payloads[2]],
                droppedInsights: [payloads[3]],
              }),
            };
          }
          if (req.messages.some((m) => m.role === 'system' && m.content.includes('### Candidate'))) {
            return { text: payloads.join('\n\n') };
          }
          const slot = bySlot(req.model);
          return { text: payloads.filter((_, i) => i % 6 === slot).join('\n\n') };
        },
      }),
    ]);
  });
  after(async () => {
    await browser?.close();
    await canary?.close();
  });

  it(`renders at least 30 XSS payloads as inert text: nothing runs, nothing loads, nothing is posted`, async () => {
    assert.ok(payloads.length >= 30, `${payloads.length} payloads`);
    const panel = await openPanel(browser);
    try {
      const runId = (events[0] as Extract<SmoaEvent, { type: 'run-started' }>).runId;
      await panel.dispatch({ type: 'runStarted', runId, origin: 'chat', events });
      await settled(panel.page);
      const page = panel.page;
      // Open everything and poke at whatever a payload might have produced.
      for (const button of await page.getByTestId('card-expand').all()) await button.click();
      for (const el of await page.locator('.md-link, .md-image').all()) {
        await el.hover({ timeout: 200, force: true }).catch(() => undefined);
        await el.click({ timeout: 200, force: true }).catch(() => undefined);
      }
      await page.waitForTimeout(1000); // give delayed handlers (onerror, refresh, autofocus) their chance

      const answer = await page.getByTestId('final-answer').innerText();
      assert.ok(answer.includes("window.__xss = 'script'"), 'payloads are shown as text');
      assert.equal(await page.locator('.card').count(), 12);
      assert.match(await page.getByTestId('judge-reason').first().innerText(), /<script>/, "the judge's reason is text too");
      // Every layer run: only the last layer, whose notes the aggregator reads, is asked for notes.
      assert.equal(await page.getByTestId('judge-notes').last().locator('li').count(), 3, "the judge's notes are list items of text");

      const report = await page.evaluate(() => {
        const md = [...document.querySelectorAll('.md')];
        const all = md.flatMap((el) => [...el.querySelectorAll('*')]);
        return {
          flag: (window as unknown as { __xss?: unknown }).__xss,
          tags: [...new Set(all.map((e) => e.tagName.toLowerCase()))].sort(),
          attrs: [...new Set(all.flatMap((e) => [...e.attributes].map((a) => a.name)))].sort(),
          classes: [...new Set(all.flatMap((e) => [...e.classList]))].filter((c) => !/^(hl-|md-|language-)/.test(c)),
          url: location.href,
        };
      });
      assert.equal(report.flag, undefined, 'no payload set the global flag');
      assert.deepEqual(panel.dialogs, [], 'no dialog opened');
      const allowedTags = ['blockquote', 'br', 'code', 'em', 'h1', 'h2', 'h3', 'hr', 'li', 'ol', 'p', 'pre', 'span', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul'];
      assert.deepEqual(report.tags.filter((t) => !allowedTags.includes(t)), [], `only the allowlisted tags: ${report.tags.join(', ')}`);
      assert.deepEqual(report.attrs.filter((a) => a !== 'class' && a !== 'title'), [], 'no attributes but class and title');
      assert.deepEqual(report.classes, [], 'model output cannot use the panel\'s own classes');
      assert.match(report.url, /harness\.html$/, 'the page did not navigate');
      // Besides the estimate the empty prompt box asks for on load, nothing was posted.
      const posted = await panel.messages();
      assert.ok(posted.every((m) => m.type !== 'estimate' || m.prompt === ''), 'estimates only for the empty prompt box');
      assert.deepEqual(posted.filter((m) => m.type !== 'estimate'), [{ type: 'ready' }], 'nothing was posted to the extension');
      assert.deepEqual(panel.blocked, [], 'no request to anything but local files');
      assert.deepEqual(panel.requests.filter((u) => !u.startsWith('file:')), []);
      assert.deepEqual(canary.hits, [], 'the canary server saw no request');
      assert.ok(!(await page.getByTestId('panel-error').isVisible()), 'no message from the page reached the panel either');
      console.log(`      ${payloads.length} payloads in ${12} proposals, the judge's reason and the answer: none executed or loaded anything`);
    } finally {
      await panel.close();
    }
  });
});
