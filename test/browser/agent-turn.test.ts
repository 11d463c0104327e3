import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { ChatMessage, ToolSpec } from '../../src/pipeline/client';
import type { ExchangeTotals, SmoaEvent } from '../../src/pipeline/events';
import { foldEvents } from '../../src/pipeline/trace';
import { kindOf } from '../unit/helpers/engine-harness';
import { launch, openPanel, settled, type PanelPage } from './support/browser';
import { recordRun } from './support/record';

// Agent turns in the trace panel: the aggregator's card (the answer section) shows the tools it called and the tool
// results the turn was given. Both runs go through the real engine against the fake server, as in Agent mode.
const readFile: ToolSpec = { name: 'read_file', description: 'Reads a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } };
const hostile = `<img src=x onerror="window.__xss='tool-result'"><script>window.__xss='tool-script'</script>`;
const ask: ChatMessage = { role: 'user', content: 'What is in a.ts?' };
const called: ChatMessage = { role: 'assistant', content: '', toolCalls: [{ callId: 'call_7', name: 'read_file', input: { path: 'a.ts' } }] };
const result: ChatMessage = { role: 'tool', toolCallId: 'call_7', content: `export const a = 41; ${hostile}\n${'x'.repeat(5_000)}` };

/** What the first turn of the task cost, as the host hands it to the second (models/agent-exchanges.ts). */
const earlier: ExchangeTotals = { runs: 1, calls: 4, promptTokens: 1_000, completionTokens: 500, cost: { usd: 0.01, complete: true } };

function agentTurn(conversation: ChatMessage[], toolCall: boolean): Promise<SmoaEvent[]> {
  return recordRun({
    prompt: 'What is in a.ts?',
    config: { layers: 1, topK: 2, roles: 'off' },
    input: {
      aggregatorTools: { tools: [readFile], conversation },
      exchange: toolCall ? { turn: 1, earlier: { runs: 0, calls: 0, promptTokens: 0, completionTokens: 0 } } : { turn: 2, earlier },
    },
    responder: (req) => {
      if (kindOf(req) !== 'synthesis' || !req.body.tools) return undefined; // only the aggregator gets tools
      return toolCall
        ? { toolCalls: [{ id: 'call_7', name: 'read_file', arguments: JSON.stringify({ path: `a.ts ${hostile}` }) }] }
        : { text: 'a.ts exports `a = 41`.' };
    },
  });
}

describe('trace panel: an agent turn (tool calls and results in the aggregator card)', function () {
  let browser: Browser;
  let firstTurn: SmoaEvent[];
  let secondTurn: SmoaEvent[];
  let panel: PanelPage;

  before(async () => {
    [browser, firstTurn, secondTurn] = await Promise.all([launch(), agentTurn([ask], true), agentTurn([ask, called, result], false)]);
  });
  after(() => browser?.close());
  beforeEach(async () => {
    panel = await openPanel(browser);
  });
  afterEach(() => panel?.close());

  async function show(events: SmoaEvent[]): Promise<void> {
    const runId = (events[0] as Extract<SmoaEvent, { type: 'run-started' }>).runId;
    await panel.dispatch({ type: 'runStarted', runId, origin: 'agent', events });
    await settled(panel.page);
  }

  it('the first turn shows the tool the aggregator called, its arguments as text', async () => {
    assert.ok(firstTurn.some((e) => e.type === 'tool-call'), 'the engine emitted a tool-call event');
    await show(firstTurn);
    const activity = panel.page.getByTestId('answer').getByTestId('tool-activity');
    assert.ok(await activity.isVisible());
    assert.equal(await activity.getByTestId('tool-result').count(), 0, 'a first turn brings no tool results');
    const call = activity.getByTestId('tool-call');
    assert.equal(await call.count(), 1);
    assert.equal(await call.locator('.tool-name').innerText(), 'read_file');
    const args = await call.locator('pre').innerText();
    assert.ok(args.includes(JSON.stringify(`a.ts ${hostile}`)), `the arguments are shown as JSON text: ${args}`);
    assert.match(await activity.innerText(), /called a tool/);
    assert.ok(!(await panel.page.getByTestId('exchange-summary').isVisible()), 'the first step of a task has nothing to add up');
    assert.equal(await panel.page.locator('[data-testid="tool-activity"] img, [data-testid="tool-activity"] script').count(), 0);
    assert.equal(await panel.page.evaluate(() => (window as unknown as { __xss?: string }).__xss), undefined);
  });

  it('the follow-up turn shows the tool result it was given (clipped, as text) and no tool call', async () => {
    assert.ok(secondTurn.some((e) => e.type === 'tool-results'), 'the engine emitted a tool-results event');
    await show(secondTurn);
    const activity = panel.page.getByTestId('answer').getByTestId('tool-activity');
    assert.ok(await activity.isVisible());
    assert.equal(await activity.getByTestId('tool-call').count(), 0);
    const results = activity.getByTestId('tool-results');
    assert.match(await results.locator('summary').innerText(), /^1 tool result given to this turn$/);
    await results.locator('summary').click();
    const item = results.getByTestId('tool-result');
    assert.equal(await item.locator('.tool-name').innerText(), 'read_file');
    assert.match(await item.innerText(), /\(call_7\)/);
    const text = await item.locator('pre').innerText();
    assert.ok(text.startsWith(`export const a = 41; ${hostile}`), 'hostile markup stays text');
    assert.equal(text.length, 2_000, 'a long result is clipped in the card');
    assert.ok(text.endsWith('x…'));
    assert.equal(await panel.page.locator('[data-testid="tool-activity"] img, [data-testid="tool-activity"] script').count(), 0);
    assert.equal(await panel.page.evaluate(() => (window as unknown as { __xss?: string }).__xss), undefined);
    assert.match(await panel.page.getByTestId('final-answer').innerText(), /a\.ts exports/);
  });

  it("a later step of the task shows the task's cost so far: every run's, this one included", async () => {
    await show(secondTurn);
    const totals = foldEvents(secondTurn).totals!;
    const line = await panel.page.getByTestId('exchange-summary').innerText();
    const tokens = (earlier.promptTokens + earlier.completionTokens + totals.promptTokens + totals.completionTokens).toLocaleString('en-US');
    const usd = (earlier.cost!.usd + totals.cost!.usd).toFixed(4);
    assert.equal(line, `Agent task, step 2: all 2 runs so far · ${earlier.calls + totals.calls} calls · ${tokens} tokens · $${usd}`);
    assert.match(await panel.page.getByTestId('run-summary').innerText(), new RegExp(`\\$${totals.cost!.usd.toFixed(4)}`), 'the run summary keeps this run alone');
  });

  it('a run without tools shows no tool section', async () => {
    const plain = await recordRun({ prompt: 'Hi', config: { layers: 1, roles: 'off' } });
    await show(plain);
    assert.ok(!(await panel.page.getByTestId('tool-activity').isVisible()));
  });
});
