import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planEvaluation, runEvaluationPlan, type EvalRequest } from '../../../src/eval/evaluate';
import { runEvaluation } from '../../../src/eval/harness';
import { MemoryStore, type AnswerRecord } from '../../../src/eval/records';
import { LOCK_FILE } from '../../../src/eval/dir-store';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import { loadConfig, type SmoaConfig } from '../../../src/pipeline/config';
import { parseStrategySpecs } from '../../../src/pipeline/strategy/spec';
import type { Trace } from '../../../src/pipeline/trace';
import { lastUser, useFakeServer } from '../helpers/engine-harness';

describe('evaluate: one evaluation for every surface', function () {
  this.timeout(30_000);
  const server = useFakeServer({ tokensPerSecond: Infinity, ttftMs: 0 });
  let dir: string;
  let n = 0;
  const fresh = () => join(dir, `out-${n++}`);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'smoa-evaluate-'));
  });
  const config = (): SmoaConfig =>
    loadConfig({
      endpoints: [{ id: 'local', baseURL: server().url, maxRetries: 0 }],
      models: [
        { id: 'a', endpoint: 'local', model: 'model-a', price: { inputPerMTok: 1, outputPerMTok: 1 } },
        { id: 'b', endpoint: 'local', model: 'model-b', price: { inputPerMTok: 1, outputPerMTok: 1 } },
      ],
      proposers: ['a', 'b'],
      aggregator: 'a',
      judge: 'b',
      layers: 1,
      topK: 1,
      roles: 'off',
    });
  const taskFile = (name: string, lines: unknown[]) => {
    const path = join(dir, name);
    writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    return path;
  };
  const arithmetic = (n: number, tweak = '') => Array.from({ length: n }, (_, i) => ({ id: `t${i}`, prompt: `What is ${i} + ${i}?${tweak}`, reference: String(2 * i) }));
  const adds = () =>
    server().setResponder((req) => {
      const m = /What is (\d+) \+ (\d+)\?/.exec(lastUser(req));
      return m && !req.responseFormat ? { text: `It is ${Number(m[1]) + Number(m[2])}.` } : undefined;
    });
  async function evaluate(request: EvalRequest, cfg = config()) {
    const planned = planEvaluation(request, cfg);
    assert.ok(planned.ok, planned.ok ? '' : planned.problems.map((p) => p.message).join('\n'));
    const ran = await runEvaluationPlan(planned.evaluation, { clientFor: createClientFactory(cfg, new EndpointPool()), signal: new AbortController().signal });
    assert.ok(ran.ok, ran.ok ? '' : ran.problems.map((p) => p.message).join('\n'));
    return ran.result;
  }
  const answersOn = (out: string): AnswerRecord[] => readFileSync(join(out, 'answers.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

  describe('--out is checked before any request (issue 20)', () => {
    it('a file, a folder under a file, an unwritable place: one problem naming the path', () => {
      const file = join(dir, 'a-file');
      writeFileSync(file, 'x');
      const tasks = taskFile('ok.jsonl', arithmetic(2));
      const cases: [string, RegExp][] = [
        [file, /^--out: .*a-file is a file, not a folder$/],
        [join(file, 'sub', 'deeper'), /^--out: .*a-file[/\\]sub[/\\]deeper is under .*a-file, which is a file$/],
        ['/proc/smoa-eval-out', /^--out: \/proc\/smoa-eval-out cannot be created: \/proc is not writable/],
      ];
      for (const [out, message] of cases) {
        const planned = planEvaluation({ tasks, out }, config());
        assert.ok(!planned.ok);
        assert.equal(planned.problems.length, 1);
        assert.equal(planned.problems[0].field, 'out');
        assert.match(planned.problems[0].message, message);
      }
      assert.equal(server().requests.length, 0);
    });
  });

  describe('results that never lose paid work (issue 20)', () => {
    it('a store that cannot be written stops the evaluation: no more runs start, what was saved is counted', async () => {
      adds();
      const cfg = config();
      const specs = parseStrategySpecs('single:a', cfg);
      assert.ok(specs.ok);
      let writes = 0;
      const store = new MemoryStore();
      const failing = Object.assign(Object.create(store) as MemoryStore, {
        addAnswer(record: AnswerRecord, trace: Trace) {
          if (++writes > 2) throw new Error('ENOSPC: no space left on device, write');
          store.addAnswer(record, trace);
        },
      });
      const tasks = arithmetic(10).map((t, i) => ({ ...t, match: 'numeric' as const, source: `line ${i + 1}` }));
      const outcome = await runEvaluation({ tasks, specs: specs.specs, grader: 'exact', repeat: 1 }, { config: cfg, clientFor: createClientFactory(cfg, new EndpointPool()), store: failing, signal: new AbortController().signal, concurrency: 1 });
      assert.equal(outcome.ending, 'write-failed');
      assert.match(outcome.writeError ?? '', /ENOSPC/);
      assert.equal(store.answers().length, 2);
      assert.equal(server().requests.length, 3, 'the run whose answer could not be saved is the last one asked');
      assert.equal(outcome.notRun, 8);
    });

    it('an edited task is asked again and its stale answer is not counted; an edited reference is graded again', async () => {
      adds();
      const out = fresh();
      const first = await evaluate({ tasks: taskFile('edit.jsonl', arithmetic(3)), strategies: 'single:a', out });
      assert.equal(first.report.rows[0].n, 3);
      server().reset();
      adds();
      const edited = arithmetic(3);
      edited[1] = { ...edited[1], prompt: 'What is 1 + 1? Show your work.' };
      edited[2] = { ...edited[2], reference: '5' };
      const second = await evaluate({ tasks: taskFile('edit.jsonl', edited), strategies: 'single:a', out });
      assert.equal(server().requests.length, 1, 'only the edited prompt is asked again');
      assert.equal(lastUser(server().requests[0]), 'What is 1 + 1? Show your work.');
      const row = second.report.rows[0];
      assert.equal(row.runs, 3, 'the stale answer is not counted beside the new one');
      assert.equal(row.n, 3);
      assert.equal(row.score, 2 / 3, 'task t2 was graded again against its new reference (5), and missed');
    });

    it('a second evaluation of the same folder is refused while the first runs; a dead process\'s lock is taken over', async () => {
      adds();
      const out = fresh();
      mkdirSync(out);
      const tasks = taskFile('lock.jsonl', arithmetic(2));
      // A live process holds it (this one).
      writeFileSync(join(out, LOCK_FILE), `${process.pid}\n`);
      const planned = planEvaluation({ tasks, strategies: 'single:a', out }, config());
      assert.ok(planned.ok);
      const refused = await runEvaluationPlan(planned.evaluation, { clientFor: createClientFactory(config(), new EndpointPool()), signal: new AbortController().signal });
      assert.ok(!refused.ok);
      assert.match(refused.problems[0].message, new RegExp(`is in use by another evaluation \\(process ${process.pid}\\)`));
      assert.equal(server().requests.length, 0);
      // A process that has exited left it behind.
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
      writeFileSync(join(out, LOCK_FILE), `${dead.stdout}\n`);
      const result = await evaluate({ tasks, strategies: 'single:a', out });
      assert.equal(result.report.rows[0].n, 2);
      assert.throws(() => readFileSync(join(out, LOCK_FILE)), /ENOENT/, 'the lock is released at the end');
    });

    it('a torn last line is cut off before appending, so the next record is not glued onto it', async () => {
      adds();
      const out = fresh();
      const tasks = taskFile('torn.jsonl', arithmetic(3));
      await evaluate({ tasks, strategies: 'single:a', out });
      const lines = readFileSync(join(out, 'answers.jsonl'), 'utf8').trim().split('\n');
      // Interrupted in the middle of writing the third answer.
      writeFileSync(join(out, 'answers.jsonl'), `${lines[0]}\n${lines[1]}\n${lines[2].slice(0, 40)}`);
      server().reset();
      adds();
      const again = await evaluate({ tasks, strategies: 'single:a', out });
      assert.equal(server().requests.length, 1, 'only the torn answer is asked again');
      const stored = answersOn(out);
      assert.equal(stored.length, 3, 'every line parses');
      assert.equal(again.report.rows[0].n, 3);
    });

    it('resuming with more than 10 stored answers adds no listener per pending grade (no MaxListenersExceededWarning)', async () => {
      adds();
      const out = fresh();
      const tasks = taskFile('many.jsonl', arithmetic(16));
      await evaluate({ tasks, strategies: 'single:a', grader: 'rubric', out });
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
      process.on('warning', onWarning);
      try {
        // The grader fails on the first pass (replies are not grades), so every stored answer waits for a grade now.
        await evaluate({ tasks, strategies: 'single:a', grader: 'rubric', out });
        await new Promise((r) => setImmediate(r));
      } finally {
        process.off('warning', onWarning);
      }
      assert.deepEqual(warnings.filter((w) => /MaxListeners/.test(w)), []);
    });
  });

  describe('multi-turn tasks are conversations (issue 22)', () => {
    const mtBench = [
      { question_id: 7, category: 'writing', turns: ['Describe a lighthouse in one sentence.', 'Now rewrite it so every word starts with L.'] },
      { question_id: 8, category: 'math', turns: ['What is 6 times 7?', 'Divide that by 2.'], reference: ['42', '21'] },
    ];
    const answering = () =>
      server().setResponder((req) => {
        if (req.responseFormat) return undefined;
        return { text: `${req.model} answers: ${lastUser(req).slice(0, 20)}` };
      });

    it("turn 2 reaches the model with turn 1 and the strategy's own turn-1 answer; both turns are graded", async () => {
      answering();
      const tasks = taskFile('question.jsonl', mtBench);
      const result = await evaluate({ tasks, strategies: 'single:a,single:b', grader: 'rubric' });
      const asked = server().requests.filter((r) => !r.responseFormat);
      assert.equal(asked.length, 8, '2 questions x 2 turns x 2 strategies');
      for (const model of ['model-a', 'model-b']) {
        const second = asked.find((r) => r.model === model && lastUser(r) === 'Now rewrite it so every word starts with L.');
        assert.ok(second, `${model} was asked turn 2`);
        const convo = second.messages.filter((m) => m.role !== 'system').map((m) => [m.role, m.content]);
        assert.deepEqual(convo, [
          ['user', 'Describe a lighthouse in one sentence.'],
          ['assistant', `${model} answers: Describe a lighthous`],
          ['user', 'Now rewrite it so every word starts with L.'],
        ]);
      }
      assert.deepEqual(result.report.rows.map((r) => r.runs), [4, 4], 'both turns are tasks of the report');
      // The grader of turn 2 sees the conversation; MT-Bench's reference reaches the grader (reference-guided).
      const grades = server().requests.filter((r) => r.responseFormat).map((r) => lastUser(r));
      assert.ok(grades.some((g) => /Describe a lighthouse[\s\S]*model-a answers: Describe a lighthous[\s\S]*every word starts with L/.test(g)), 'turn-2 grade shows the conversation');
      assert.ok(grades.some((g) => /What is 6 times 7\?[\s\S]*Reference answer[^\n]*\n42/.test(g)), 'turn-1 reference');
      assert.ok(grades.some((g) => /Divide that by 2\.[\s\S]*Reference answer[^\n]*\n21/.test(g)), 'turn-2 reference');
    });

    it('--turn 2 grades only turn 2, still asking turn 1 first; an edited turn 1 asks turn 2 again', async () => {
      answering();
      const out = fresh();
      const tasks = taskFile('question2.jsonl', mtBench);
      const result = await evaluate({ tasks, strategies: 'single:a', grader: 'rubric', turn: 2, out });
      const asked = server().requests.filter((r) => !r.responseFormat);
      assert.equal(asked.length, 4);
      assert.equal(result.report.rows[0].runs, 2, 'only turn 2 is in the report');
      const graded = server().requests.filter((r) => r.responseFormat);
      assert.ok(graded.every((r) => /the turn to grade/.test(lastUser(r))), 'no turn-1 grade');
      server().reset();
      answering();
      const edited = [{ ...mtBench[0], turns: ['Describe a harbour in one sentence.', mtBench[0].turns[1]] }, mtBench[1]];
      await evaluate({ tasks: taskFile('question2.jsonl', edited), strategies: 'single:a', grader: 'rubric', turn: 2, out });
      assert.deepEqual(
        server().requests.filter((r) => !r.responseFormat).map((r) => lastUser(r)),
        ['Describe a harbour in one sentence.', 'Now rewrite it so every word starts with L.'],
        'the edited conversation is asked again from turn 1; the other is reused',
      );
    });

    it('when turn 1 fails, turn 2 is not asked and counts as failed', async () => {
      server().setResponder((req) => (lastUser(req).startsWith('Describe') ? { fault: { kind: 'server-error', status: 500 } } : req.responseFormat ? undefined : { text: 'fine' }));
      const tasks = taskFile('question3.jsonl', [mtBench[0]]);
      const result = await evaluate({ tasks, strategies: 'single:a', grader: 'rubric' });
      assert.equal(server().requests.filter((r) => lastUser(r).startsWith('Now rewrite')).length, 0);
      assert.equal(result.report.rows[0].failed, 2);
    });
  });
});
