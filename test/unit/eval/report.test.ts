import assert from 'node:assert/strict';
import type { RunTotals } from '../../../src/pipeline/events';
import { unitKey, type AnswerRecord, type GradeRecord } from '../../../src/eval/records';
import { chartAxis, renderMarkdown, renderSvg, renderText, summarize } from '../../../src/eval/report';
import type { EvalTask } from '../../../src/eval/tasks';

const totals = (usd?: number): RunTotals => ({
  calls: 1,
  failedCalls: 0,
  promptTokens: 10,
  completionTokens: 20,
  estimated: false,
  ...(usd !== undefined ? { cost: { usd, complete: true } } : {}),
  wallMs: 100,
  layersRun: 0,
});

function answer(taskId: string, strategy: string, repeat: number, usd?: number, status: 'ok' | 'failed' = 'ok'): AnswerRecord {
  return { key: unitKey(taskId, strategy, repeat), taskId, strategy, repeat, promptHash: 'x', status, answer: 'a', totals: totals(usd) };
}
const grade = (a: AnswerRecord, score: number): GradeRecord => ({ key: a.key, grader: 'exact', score });

const tasks: EvalTask[] = [
  { id: 'q1', prompt: 'p1', reference: '1', match: 'numeric', category: 'math', source: 'line 1' },
  { id: 'q2', prompt: 'p2', reference: '2', match: 'numeric', category: 'logic', source: 'line 2' },
];

describe('eval report', () => {
  it('averages a task’s repeats before the mean and the interval; failures and categories are counted', () => {
    const answers = [answer('q1', 's', 0, 0.01), answer('q1', 's', 1, 0.01), answer('q2', 's', 0, 0.01), answer('q2', 's', 1, 0.01, 'failed')];
    const grades = [grade(answers[0], 1), grade(answers[1], 0), grade(answers[2], 1), grade(answers[3], 0)];
    const report = summarize({ tasks, strategies: ['s'], grader: 'exact', repeat: 2, seed: 0, answers, grades });
    const [row] = report.rows;
    assert.equal(row.n, 2);
    assert.equal(row.score, 0.5); // q1: (1+0)/2, q2: (1+0)/2
    assert.deepEqual(row.ci, [0.5, 0.5]);
    assert.equal(row.failed, 1);
    assert.equal(row.runs, 4);
    assert.ok(Math.abs(row.costUsd! - 0.04) < 1e-12);
    assert.deepEqual(report.categories.map((c) => [c.category, c.score]), [['logic', 0.5], ['math', 0.5]]);
    assert.match(renderText(report), /^accuracy, 2 tasks x 2 repeats/);
  });

  it('the chart plots cost only when every strategy that ran has one; otherwise tokens (an unpriced model is not free)', () => {
    const priced = [answer('q1', 'a', 0, 0.01), answer('q1', 'b', 0, 0.02)];
    const mixed = [answer('q1', 'a', 0, 0.01), answer('q1', 'b', 0)];
    const r1 = summarize({ tasks, strategies: ['a', 'b'], grader: 'exact', repeat: 1, seed: 0, answers: priced, grades: priced.map((a) => grade(a, 1)) });
    const r2 = summarize({ tasks, strategies: ['a', 'b'], grader: 'exact', repeat: 1, seed: 0, answers: mixed, grades: mixed.map((a) => grade(a, 1)) });
    assert.equal(chartAxis(r1), 'cost');
    assert.equal(chartAxis(r2), 'tokens');
    assert.match(renderSvg(r2), /tokens per run/);
  });

  it('strategy labels are escaped in the SVG and the Markdown', () => {
    const answers = [answer('q1', 'single:<b>&"x"|y', 0)];
    const report = summarize({ tasks, strategies: ['single:<b>&"x"|y'], grader: 'exact', repeat: 1, seed: 0, answers, grades: [grade(answers[0], 1)] });
    const svg = renderSvg(report);
    assert.doesNotMatch(svg, /<b>/);
    assert.match(svg, /single:&lt;b&gt;&amp;&quot;x&quot;\|y/);
    assert.match(renderMarkdown(report), /single:\\<b\\>&"x"\\\|y/);
  });
});
