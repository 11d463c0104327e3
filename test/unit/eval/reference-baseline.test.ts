import assert from 'node:assert/strict';
import { startFakeServer, type FakeServer } from '../../../test/server/fake-openai';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import { loadConfig } from '../../../src/pipeline/config';
import { parseStrategySpecs } from '../../../src/pipeline/strategy/spec';
import { runEvaluation } from '../../../src/eval/harness';
import { REFERENCE_BASELINE } from '../../../src/eval/kinds';
import { MemoryStore } from '../../../src/eval/records';
import { renderText, summarize } from '../../../src/eval/report';
import type { EvalTask } from '../../../src/eval/tasks';
import { lastUser } from '../helpers/engine-harness';

describe('eval: pairwise against each task’s reference answer (AlpacaEval’s metric)', function () {
  this.timeout(30_000);
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer({ tokensPerSecond: Infinity, ttftMs: 0 });
  });
  after(() => server.close());

  it('the grader sees the reference as the other answer; the report gives the win rate and the length-controlled one', async () => {
    const tasks: EvalTask[] = Array.from({ length: 12 }, (_, k) => ({ id: `t${k}`, prompt: `Name the colour number ${k}.`, referenceOutput: `Colour ${k} is red.`, source: `item ${k + 1}` }));
    const graderSaw: string[] = [];
    server.setResponder((req) => {
      const user = lastUser(req);
      if (req.responseFormat) {
        graderSaw.push(user);
        const [, a, b] = /## Response A\n([\s\S]*?)\n\n## Response B\n([\s\S]*)$/.exec(user)!;
        // Red is right; an answer as good as the reference ties with it.
        const good = (t: string) => t.includes('red');
        return { text: JSON.stringify({ reason: 'red is right', winner: good(a) === good(b) ? 'tie' : good(a) ? 'A' : 'B' }) };
      }
      const k = /number (\d+)/.exec(user)![1];
      // As long as the reference, so the length-controlled rate must equal the raw one.
      return { text: req.model === 'model-a' ? `Colour ${k} is red.` : `Colour ${k} is tan.` };
    });
    const config = loadConfig({
      endpoints: [{ id: 'local', baseURL: server.url, maxRetries: 0, maxConcurrency: 16 }],
      models: ['a', 'b', 'g'].map((id) => ({ id, endpoint: 'local', model: `model-${id}` })),
      proposers: ['a', 'b'],
      aggregator: 'a',
      roles: 'off',
    });
    const parsed = parseStrategySpecs('single:a,single:b', config);
    assert.ok(parsed.ok);
    const plan = { tasks, specs: parsed.specs, grader: 'pairwise' as const, graderModel: 'g', baseline: REFERENCE_BASELINE, repeat: 1 };
    const store = new MemoryStore();
    await runEvaluation(plan, { config, clientFor: createClientFactory(config, new EndpointPool()), store, signal: new AbortController().signal, concurrency: 4 });
    assert.equal(graderSaw.length, 12 * 2 * 2, 'each answer, both orders');
    assert.ok(graderSaw.every((u) => /## Response [AB]\nColour \d+ is red\.\n/.test(u) || /## Response B\nColour \d+ is red\.$/.test(u)), 'the reference is one of the two');
    assert.ok(store.grades().every((g) => g.lengthDiff === 0 && g.baseline === 'reference'));

    const report = summarize({ tasks, strategies: ['single:a', 'single:b'], grader: 'pairwise', graderModel: 'g', baseline: REFERENCE_BASELINE, repeat: 1, seed: 0, answers: store.answers(), grades: store.grades() });
    const row = (s: string) => report.rows.find((r) => r.strategy === s)!;
    assert.equal(row('single:a').score, 0.5);
    assert.equal(row('single:b').score, 0);
    assert.ok(Math.abs(row('single:a').lengthControlled!.winRate - 0.5) < 1e-9);
    assert.ok(row('single:b').lengthControlled!.winRate < 0.01);
    assert.equal(row('single:b').vsBest!.against, 'single:a');
    assert.equal(row('single:b').vsBest!.diff, -0.5);
    const text = renderText(report);
    assert.match(text, /^win rate vs reference, 12 tasks/);
    assert.match(text, /single:a: length-controlled win rate 50\.0% \(95% CI 50\.0% - 50\.0%\)/);
  });
});
