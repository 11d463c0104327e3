import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Trace } from '../../../src/pipeline/trace';
import { parseEvalHostMessage, type EvalHostMessage } from '../../../src/views/eval-protocol';
import { EvalSession, type EvalResults } from '../../../src/views/eval-session';
import { panelCsp } from '../../../src/views/html';
import { recordEvalResults, XSS_ANSWER } from '../helpers/eval-results';

describe('evaluation results view: host session', function () {
  this.timeout(20_000);
  let results: EvalResults;
  let posted: EvalHostMessage[];
  let traces: { trace: Trace; name: string }[];
  let warnings: string[];
  let saved: number;
  let session: EvalSession;

  before(async () => {
    results = await recordEvalResults();
  });
  beforeEach(() => {
    posted = [];
    traces = [];
    warnings = [];
    saved = 0;
    session = new EvalSession(results, {
      post: (m) => {
        // Everything the host sends must pass the schema the webview checks it with.
        const parsed = parseEvalHostMessage(JSON.parse(JSON.stringify(m)));
        assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
        posted.push(m);
      },
      showTrace: (trace, name) => traces.push({ trace, name }),
      save: async () => {
        saved++;
        return 'smoa-eval';
      },
      open: async () => undefined,
      warn: (m) => warnings.push(m),
    });
  });

  it('sends the results when the page is ready: the report, every task and every run with its score', async () => {
    await session.receive({ type: 'ready' });
    const [message] = posted;
    assert.equal(message.type, 'results');
    if (message.type !== 'results') return;
    assert.deepEqual(message.report.rows.map((r) => r.strategy), ['single:c', 'moa', 'smoa']);
    assert.equal(message.tasks.length, 4);
    assert.equal(message.units.length, 12);
    assert.ok(message.units.every((u) => typeof u.score === 'number' && u.score >= 1 && u.score <= 5));
    assert.ok(message.report.rows.every((r) => r.aspects && r.costUsd! > 0));
    assert.deepEqual([...new Set(message.report.categories.map((c) => c.category))], ['code', 'explain']);
  });

  it('a task click sends its answers in table order with the grader reasons; markup in an answer is sent as text', async () => {
    await session.receive({ type: 'showTask', taskId: 't2' });
    const message = posted[0];
    assert.equal(message.type, 'task');
    if (message.type !== 'task') return;
    assert.deepEqual(message.answers.map((a) => a.strategy), ['single:c', 'moa', 'smoa']);
    assert.equal(message.answers[0].answer, XSS_ANSWER);
    assert.match(message.answers[1].grade!, /^helpfulness \d: /m);
    assert.match(message.answers[1].grade!, /^safety \d: /m);
  });

  it('Open trace shows that run in the trace panel; an unknown task or run is an error message, a bad message is ignored', async () => {
    const key = results.answers.find((a) => a.strategy === 'smoa' && a.taskId === 't3')!.key;
    await session.receive({ type: 'openTrace', key });
    assert.equal(traces.length, 1);
    assert.equal(traces[0].name, 'smoa on t3');
    assert.equal(traces[0].trace.prompt, results.tasks[2].prompt);
    assert.equal(traces[0].trace.strategy, 'smoa');

    await session.receive({ type: 'openTrace', key: 'nope' });
    await session.receive({ type: 'showTask', taskId: 'nope' });
    assert.deepEqual(posted.map((m) => m.type), ['error', 'error']);
    await session.receive({ type: 'openTrace', key: 42 });
    await session.receive({ type: 'runCommand', command: 'workbench.action.terminal.new' });
    assert.equal(warnings.length, 2);
    assert.equal(posted.length, 2);
  });

  it('Save reports where the results went', async () => {
    await session.receive({ type: 'save' });
    assert.equal(saved, 1);
    assert.deepEqual(posted, [{ type: 'notice', message: 'Results saved to smoa-eval.' }]);
  });

  it('the browser-test page runs under the same policy as the real view', () => {
    const harness = readFileSync('test/browser/eval-harness.html', 'utf8');
    assert.equal(/http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(harness)?.[1], panelCsp('file:', 'harness'));
  });
});
