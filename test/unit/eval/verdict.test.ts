import assert from 'node:assert/strict';
import { startFakeServer, type FakeServer } from '../../../test/server/fake-openai';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import { loadConfig } from '../../../src/pipeline/config';
import { parseStrategySpecs } from '../../../src/pipeline/strategy/spec';
import { runEvaluation, type EvalPlan } from '../../../src/eval/harness';
import { MemoryStore } from '../../../src/eval/records';
import { renderMarkdown, renderText, summarize } from '../../../src/eval/report';
import { pairedBootstrapInterval, signTestP } from '../../../src/eval/stats';
import { verdictSentence } from '../../../src/eval/verdict';
import type { EvalTask } from '../../../src/eval/tasks';
import { lastUser } from '../helpers/engine-harness';

describe('eval verdict', function () {
  this.timeout(30_000);

  it('sign test: exact two-sided binomial tail; ties carry no sign', () => {
    assert.equal(signTestP([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), 2 / 1024);
    assert.equal(signTestP([1, 1, 1, 1, 1]), 2 / 32);
    assert.equal(signTestP([1, -1, 0, 0]), 1);
    assert.equal(signTestP([0, 0]), 1);
    // 2 of 12 negative: 2 * (1 + 12 + 66) / 4096
    assert.ok(Math.abs(signTestP([...Array(10).fill(0.5), -1, -1]) - (2 * 79) / 4096) < 1e-12);
    // Summed in log space: 2,000 tasks split evenly is p near 1, not NaN from 2000! overflowing.
    const even = signTestP([...Array(1000).fill(1), ...Array(1000).fill(-1)]);
    assert.ok(even > 0.9 && even <= 1, String(even));
  });

  it('paired bootstrap: the shared part of two strategies’ scores cancels, a constant difference has a zero-width interval', () => {
    const hard = [0.1, 0.9, 0.3, 0.7, 0.5, 0.2, 0.8];
    assert.deepEqual(
      pairedBootstrapInterval(
        hard.map((v) => v + 0.1),
        hard,
      ).map((v) => Math.round(v * 1e9) / 1e9),
      [0.1, 0.1],
    );
    assert.throws(() => pairedBootstrapInterval([1], [1, 2]), /differ in length/);
  });

  describe('on fixed-answer models through the harness', () => {
    let server: FakeServer;
    before(async () => {
      server = await startFakeServer({ tokensPerSecond: Infinity, ttftMs: 0 });
      // a is right on every task, b on tasks 1-20 of 40, c on exactly the same tasks as b.
      server.setResponder((req) => {
        const m = /What is (\d+) \+ (\d+)\?/.exec(lastUser(req));
        if (!m) return undefined;
        const i = Number(m[1]);
        const right = req.model === 'model-a' || i <= 20;
        return { text: right ? `It is ${2 * i}.` : 'It is 0.' };
      });
    });
    after(() => server.close());

    const tasks: EvalTask[] = Array.from({ length: 40 }, (_, k) => ({ id: `t${k + 1}`, prompt: `What is ${k + 1} + ${k + 1}?`, reference: String(2 * (k + 1)), match: 'numeric', source: `line ${k + 1}` }));

    async function evaluate(list: string) {
      const config = loadConfig({
        endpoints: [{ id: 'local', baseURL: server.url, maxRetries: 0, maxConcurrency: 16 }],
        models: ['a', 'b', 'c'].map((id) => ({ id, endpoint: 'local', model: `model-${id}`, price: { inputPerMTok: 1, outputPerMTok: 1 } })),
        proposers: ['a', 'b', 'c'],
        aggregator: 'a',
        roles: 'off',
      });
      const parsed = parseStrategySpecs(list, config);
      assert.ok(parsed.ok);
      const plan: EvalPlan = { tasks, specs: parsed.specs, grader: 'exact', repeat: 1 };
      const store = new MemoryStore();
      await runEvaluation(plan, { config, clientFor: createClientFactory(config, new EndpointPool()), store, signal: new AbortController().signal, concurrency: 4 });
      return summarize({ tasks, strategies: parsed.specs.map((s) => s.label), grader: 'exact', repeat: 1, seed: 0, answers: store.answers(), grades: store.grades() });
    }

    it('names the known difference (-50 points) against the best single model, with its interval, p-value and token ratio', async () => {
      const report = await evaluate('single:b,single:a');
      const b = report.rows.find((r) => r.strategy === 'single:b')!;
      assert.equal(report.rows.find((r) => r.strategy === 'single:a')!.vsBest, undefined, 'the best single model is not compared with itself');
      assert.equal(b.vsBest!.against, 'single:a');
      assert.equal(b.vsBest!.diff, -0.5);
      assert.equal(b.vsBest!.n, 40);
      assert.ok(b.vsBest!.ci[0] < -0.3 && b.vsBest!.ci[1] < -0.3 && b.vsBest!.ci[0] >= -0.7, `ci ${b.vsBest!.ci}`);
      assert.equal(b.vsBest!.p, 2 / 2 ** 20); // 20 tasks differ, all the same way
      assert.ok(b.vsBest!.tokenRatio! > 0.5 && b.vsBest!.tokenRatio! < 2);
      assert.ok(b.vsBest!.costRatio !== null);
      const sentence = /^single:b trails single:a by -50\.0 points \(95% CI -\d+\.\d to -\d+\.\d, p < 0\.001, 40 tasks\) at \d\.\dx the tokens and \d\.\dx the cost$/;
      assert.match(renderText(report).split('\n')[1], sentence);
      assert.match(renderMarkdown(report), /- single:b trails single:a by -50\.0 points/);
    });

    it('says "no significant difference" when two models are equally accurate', async () => {
      const report = await evaluate('single:b,single:c');
      const c = report.rows.find((r) => r.strategy === 'single:c')!;
      assert.equal(c.vsBest!.against, 'single:b');
      assert.equal(c.vsBest!.diff, 0);
      assert.equal(c.vsBest!.p, 1);
      assert.match(verdictSentence('single:c', c.vsBest!, 'exact'), /^single:c: no significant difference from single:b \(\+0\.0 points, 95% CI \+0\.0 to \+0\.0, p = 1\.00, 40 tasks\)/);
    });
  });

  it('a few tasks all one way are not enough: the sign test keeps the verdict at "no significant difference"', () => {
    const sentence = verdictSentence('smoa', { against: 'single:a', diff: 1, ci: [1, 1], p: signTestP([1, 1, 1]), n: 3, tokenRatio: 4.06, costRatio: null }, 'exact');
    assert.equal(sentence, 'smoa: no significant difference from single:a (+100.0 points, 95% CI +100.0 to +100.0, p = 0.25, 3 tasks) at 4.1x the tokens');
  });
});
