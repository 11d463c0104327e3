import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startFakeServer } from '../server/fake-openai';
import { buildRouter } from '../../src/eval/route-build';
import { createClientFactory, EndpointPool } from '../../src/pipeline/client-factory';
import { loadConfig } from '../../src/pipeline/config';
import { runPipeline } from '../../src/pipeline/engine';
import type { SmoaEvent } from '../../src/pipeline/events';
import { skillRecords, skillResponder, skillTasks } from '../unit/helpers/route-fixtures';
import { launch, openPanel, settled, type PanelPage } from './support/browser';

/** Issue 25: the trace panel says what the route strategy chose and why. */
describe('trace panel: the route decision', function () {
  let browser: Browser;
  let panel: PanelPage;
  before(async () => {
    browser = await launch();
  });
  after(() => browser?.close());
  beforeEach(async () => {
    panel = await openPanel(browser);
    await panel.dispatch({ type: 'config', defaults: { strategy: 'smoa', layers: 1, topK: 2, proposers: 3 } });
  });
  afterEach(() => panel?.close());

  async function routedRun(prompt: string): Promise<SmoaEvent[]> {
    const server = await startFakeServer({ tokensPerSecond: Infinity, ttftMs: 0 });
    server.setResponder(skillResponder);
    try {
      const built = buildRouter([{ name: 'fixture', tasks: skillTasks(), ...skillRecords(skillTasks()), grader: 'exact' }]);
      assert.ok(built.ok);
      const config = loadConfig({
        endpoints: [{ id: 'local', baseURL: server.url, maxRetries: 0 }],
        models: ['arith', 'coder', 'neither'].map((id) => ({ id, endpoint: 'local', model: `model-${id}` })),
        proposers: ['arith', 'coder', 'neither'],
        aggregator: 'neither',
        strategy: 'route',
        layers: 1,
        roles: 'off',
      });
      const events: SmoaEvent[] = [];
      await runPipeline(config, { prompt }, { clientFor: createClientFactory(config, new EndpointPool()), router: built.router, onEvent: (e) => events.push(e) });
      return events;
    } finally {
      await server.close();
    }
  }

  async function show(events: SmoaEvent[]): Promise<string> {
    const runId = (events[0] as Extract<SmoaEvent, { type: 'run-started' }>).runId;
    await panel.dispatch({ type: 'runStarted', runId, origin: 'chat', events });
    await settled(panel.page);
    return panel.page.getByTestId('route-decision').innerText();
  }

  it('shows the plan chosen, why, the nearest tasks and each model expected score', async () => {
    const text = await show(await routedRun('What is 40 + 2? Answer with the number.'));
    assert.match(text, /^Route: single:arith\. On \d+ similar tasks \(arithmetic\), arith 1\.00±0\.\d\d is clearly best for its cost/);
    assert.match(text, /Nearest: arith-\d+ \(0\.\d\d\)/);
    assert.match(text, /Expected: arith 1\.00±0\.\d\d \(value 0\.90\), coder 0\.00/);
    assert.match(await panel.page.getByTestId('final-answer').innerText(), /The sum is 42\./);
  });

  it('an unlike prompt: says it fell back, and why', async () => {
    const text = await show(await routedRun('Compose a sonnet about autumn leaves in Kyoto'));
    assert.match(text, /^Route: fell back to smoa: no evaluated task is like this prompt: best similarity 0\.\d\d < route\.minSimilarity 0\.2/);
  });
});
