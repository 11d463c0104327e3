import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gradeByTests } from '../../../src/eval/code-grader';
import { sandboxInfo } from '../../../src/eval/code-runner';
import { parseTaskFile } from '../../../src/eval/tasks';
import { referenceSolution, simulatedCodeAnswer, wrongSolution } from '../../server/simulated-code';
import { startFakeServer, type FakeServer } from '../../server/fake-openai';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import { loadConfig } from '../../../src/pipeline/config';
import { parseStrategySpecs } from '../../../src/pipeline/strategy/spec';
import { runEvaluation } from '../../../src/eval/harness';
import { MemoryStore } from '../../../src/eval/records';
import { renderText, summarize } from '../../../src/eval/report';

const root = join(__dirname, '../../..');

describe('the shipped programming task set (examples/eval/code-tasks.jsonl)', function () {
  this.timeout(180_000);

  it('has 20 tasks with tests; each reference solution passes them and a function of the right name that does nothing fails', async () => {
    const parsed = parseTaskFile(readFileSync(join(root, 'examples/eval/code-tasks.jsonl'), 'utf8'));
    assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.problems));
    assert.equal(parsed.tasks.length, 20);
    const python = !!sandboxInfo().python;
    const results: string[] = [];
    // Four at a time: each is a child process.
    for (let i = 0; i < parsed.tasks.length; i += 4) {
      await Promise.all(
        parsed.tasks.slice(i, i + 4).map(async (task) => {
          assert.ok(task.tests && task.entryPoint && task.language, `${task.id}: tests, entry_point and language`);
          if (task.language === 'python' && !python) return;
          const solution = referenceSolution(task.entryPoint)!;
          assert.equal(solution.language, task.language);
          const good = await gradeByTests(task, `Here it is:\n\n\`\`\`${task.language}\n${solution.code}\n\`\`\``);
          const bad = await gradeByTests(task, `\`\`\`${task.language}\n${wrongSolution(task.entryPoint)}\n\`\`\``);
          results.push(`${task.id}: ${'score' in good ? good.score : good.error} / ${'score' in bad ? bad.score : bad.error}`);
          assert.deepEqual('score' in good && good.score, 1, `${task.id}: ${JSON.stringify(good)}`);
          assert.deepEqual('score' in bad && bad.score, 0, `${task.id}: ${JSON.stringify(bad)}`);
        }),
      );
    }
    assert.ok(results.length >= 17);
  });
});

describe('the tests grader through the harness', function () {
  this.timeout(180_000);
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer({ tokensPerSecond: Infinity, ttftMs: 0 });
  });
  after(() => server.close());

  it('pass@1 per strategy is the share of tasks whose answer passes the tests, with a verdict between the models', async () => {
    const parsed = parseTaskFile(readFileSync(join(root, 'examples/eval/code-tasks.jsonl'), 'utf8'));
    assert.ok(parsed.ok);
    const tasks = parsed.tasks.filter((t) => t.language === 'javascript').slice(0, 8);
    const config = loadConfig({
      endpoints: [{ id: 'local', baseURL: server.url, maxRetries: 0, maxConcurrency: 16 }],
      models: ['a', 'b'].map((id) => ({ id, endpoint: 'local', model: `model-${id}` })),
      proposers: ['a', 'b'],
      aggregator: 'a',
      roles: 'off',
    });
    const specs = parseStrategySpecs('single:a,single:b', config);
    assert.ok(specs.ok);
    const store = new MemoryStore();
    await runEvaluation({ tasks, specs: specs.specs, grader: 'tests', repeat: 1 }, { config, clientFor: createClientFactory(config, new EndpointPool()), store, signal: new AbortController().signal, concurrency: 4 });
    const report = summarize({ tasks, strategies: ['single:a', 'single:b'], grader: 'tests', repeat: 1, seed: 0, answers: store.answers(), grades: store.grades() });
    for (const model of ['a', 'b']) {
      // What the simulated model answers right, known from the fixture.
      const expected = tasks.filter((t) => simulatedCodeAnswer(`model-${model}`, t.prompt)!.includes(referenceSolution(t.entryPoint!)!.code)).length / tasks.length;
      assert.equal(report.rows.find((r) => r.strategy === `single:${model}`)!.score, expected, `single:${model}`);
    }
    assert.match(renderText(report), /^pass@1 \(tests run\), 8 tasks/);
    assert.ok(report.rows.some((r) => r.vsBest));
  });
});
