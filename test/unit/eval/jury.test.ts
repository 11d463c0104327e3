import assert from 'node:assert/strict';
import type { JudgeBallot } from '../../../src/pipeline/events';
import { effectiveVotes, juryAgreement, juryRecord, juryText, mergeJury } from '../../../src/eval/jury';
import { unitKey, type AnswerRecord } from '../../../src/eval/records';
import { renderMarkdown, renderText, summarize } from '../../../src/eval/report';
import { parseEvalReport } from '../../../src/views/eval-protocol';

const ballot = (modelId: string, scores: Record<number, number>, extra: Partial<JudgeBallot> = {}): JudgeBallot => ({
  modelId,
  reversed: false,
  order: Object.keys(scores).map(Number),
  scores,
  picks: [],
  positions: [],
  ...extra,
});
const layer = (...ballots: JudgeBallot[]) => ({ judge: { ballots } });

/** Judge a and b agree on the better of two answers in three layers and disagree in the fourth: r = 0.5. */
const AGREE = { 0: 8, 1: 4 };
const AGREE_B = { 0: 7, 1: 3 };
const DISAGREE_B = { 0: 3, 1: 7 };
const twoJudges = [
  layer(ballot('a', AGREE), ballot('b', AGREE_B)),
  layer(ballot('a', AGREE), ballot('b', AGREE_B)),
  layer(ballot('a', AGREE), ballot('b', AGREE_B)),
  layer(ballot('a', AGREE), ballot('b', DISAGREE_B)),
];

describe('jury agreement', () => {
  it('n / (1 + (n - 1) r): one vote when the judges move as one, n when independent, bounded for negative r', () => {
    assert.equal(effectiveVotes(3, 1), 1);
    assert.equal(effectiveVotes(3, 0), 3);
    assert.equal(effectiveVotes(2, 0.5), 2 / 1.5);
    assert.equal(effectiveVotes(3, -0.4), 3, 'negative correlation does not make more than n judges');
  });

  it('two judges agreeing in 3 of 4 layers: 75% agreement, correlation 0.5, 1.33 votes', () => {
    const a = juryAgreement(juryRecord(twoJudges)!);
    assert.deepEqual(a, { judges: ['a', 'b'], decisions: 4, agreement: 0.75, meanCorrelation: 0.5, effectiveVotes: 1.33 });
    assert.equal(
      juryText(a),
      'jury of 2 (a, b): same best answer in 75% of 4 judge-pair decisions; scores correlate 0.50 on average: worth 1.33 independent votes of 2',
    );
  });

  it('three judges, a and b identical, c agreeing with them in 3 of 4 layers: mean r = 2/3, 9/7 votes', () => {
    const layers = twoJudges.map((l, i) => layer(ballot('a', AGREE), ballot('b', AGREE), ballot('c', i < 3 ? AGREE_B : DISAGREE_B)));
    assert.deepEqual(juryAgreement(juryRecord(layers)!), {
      judges: ['a', 'b', 'c'],
      decisions: 12,
      agreement: 10 / 12,
      meanCorrelation: 0.667,
      effectiveVotes: 1.29,
    });
  });

  it('uncorrelated scores are worth every judge; the same best answer still counts as agreement', () => {
    // Centred: a (-1, 0, 1), b (1, -2, 1): the products sum to 0.
    const j = juryAgreement(juryRecord([layer(ballot('a', { 0: 1, 1: 2, 2: 3 }), ballot('b', { 0: 6, 1: 3, 2: 6 }))])!);
    assert.equal(j.meanCorrelation, 0);
    assert.equal(j.effectiveVotes, 2);
    assert.equal(j.agreement, 1, 'b ties 0 and 2 for best; a picks 2');
  });

  it('a judge in both orders is one judge; skipped ballots, recused answers and lone judges are left out', () => {
    const reversed = (b: JudgeBallot) => ({ ...b, reversed: true, order: [...b.order].reverse() });
    assert.equal(juryRecord([layer(ballot('a', AGREE), reversed(ballot('a', AGREE_B)))]), undefined, 'one judge, two orders: no jury');
    const layers = [
      layer(ballot('a', AGREE), reversed(ballot('a', AGREE)), ballot('b', AGREE_B), ballot('c', { 0: 1, 1: 9 }, { skipped: 'the call failed' })),
      // b recused from answer 2: a's score of it is not compared.
      layer(ballot('a', { 0: 8, 1: 4, 2: 10 }), ballot('b', { 0: 7, 1: 3 }, { order: [0, 1, 2], excluded: [2] })),
    ];
    const j = juryAgreement(juryRecord(layers)!);
    assert.deepEqual(j.judges, ['a', 'b']);
    assert.equal(j.decisions, 2);
    assert.equal(j.agreement, 1);
    assert.equal(j.meanCorrelation, 1);
    assert.equal(j.effectiveVotes, 1);
  });

  it('records of several runs add up to the record of all their layers', () => {
    const merged = mergeJury([juryRecord(twoJudges.slice(0, 2)), undefined, juryRecord(twoJudges.slice(2))]);
    assert.deepEqual(merged, juryRecord(twoJudges));
  });

  it('the report carries the figure per strategy: row.jury, the text summary, report.md, and a report.json the view accepts', () => {
    const answer = (taskId: string, jury = juryRecord(twoJudges.slice(taskId === 'q1' ? 0 : 2, taskId === 'q1' ? 2 : 4))): AnswerRecord => ({
      key: unitKey(taskId, 'smoa', 0),
      taskId,
      strategy: 'smoa',
      repeat: 0,
      promptHash: 'x',
      status: 'ok',
      answer: '1',
      totals: { calls: 1, failedCalls: 0, promptTokens: 1, completionTokens: 1, estimated: false, wallMs: 1, layersRun: 1 },
      ...(jury ? { jury } : {}),
    });
    const tasks = ['q1', 'q2'].map((id) => ({ id, prompt: id, reference: '1', match: 'numeric' as const, source: id }));
    const answers = tasks.map((t) => answer(t.id));
    const report = summarize({ tasks, strategies: ['smoa'], grader: 'exact', repeat: 1, seed: 0, answers, grades: answers.map((a) => ({ key: a.key, grader: 'exact', score: 1 })) });
    assert.deepEqual(report.rows[0].jury, { judges: ['a', 'b'], decisions: 4, agreement: 0.75, meanCorrelation: 0.5, effectiveVotes: 1.33 });
    assert.match(renderText(report), /smoa: jury of 2 \(a, b\): same best answer in 75% of 4 judge-pair decisions; .*worth 1\.33 independent votes of 2/);
    assert.match(renderMarkdown(report), /- smoa: jury of 2 \(a, b\).*1\.33 independent votes/);
    const json = JSON.parse(JSON.stringify(report));
    const parsed = parseEvalReport(json);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
  });
});
