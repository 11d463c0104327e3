import assert from 'node:assert/strict';
import { buildJudgeRequest, combineScores, judgeResponseFormat, parseJudgeReply, relabelReason } from '../../../src/pipeline/judge/prompt';
import { freeInstanceOf } from '../../../test/server/free-decoder';
import { schemaViolations, strictSchemaProblems } from '../../../test/server/strict-schema';

const candidates = [0, 1, 2, 3].map((slot) => ({ slot, text: `answer number ${slot}` }));
const request = (seed = 7, askStop = true) => buildJudgeRequest({ prompt: 'Q?', candidates, k: 2, askStop, seed });
/** Scores by shown response number. */
const reply = (scores: Record<string, unknown>, extra: Record<string, unknown> = {}) => JSON.stringify({ reason: 'r', scores, ...extra });

describe('judge: prompt, scores and their parsing', () => {
  it('shows candidates anonymized, in a seeded shuffled order, and maps scores back to slots', () => {
    const req = request();
    assert.notDeepEqual(req.order, [0, 1, 2, 3], 'seed 7 shuffles');
    assert.deepEqual(request().order, req.order, 'the same seed gives the same order');
    const user = req.messages[1].content;
    req.order.forEach((slot, i) => assert.ok(user.includes(`### Response ${i + 1}\nanswer number ${slot}`)));
    assert.doesNotMatch(user, /slot/, 'candidates carry no model name or slot');
    const verdict = parseJudgeReply(reply({ 1: 4, 2: 2, 3: 9, 4: 6 }, { stop: true, stopReason: 'agree' }), req);
    assert.deepEqual(verdict.ranking, [req.order[2], req.order[3], req.order[0], req.order[1]]);
    assert.deepEqual(verdict.scores, { [req.order[0]]: 4, [req.order[1]]: 2, [req.order[2]]: 9, [req.order[3]]: 6 });
    assert.deepEqual(verdict.stop, { stop: true, reason: 'agree' });
    assert.equal(verdict.unusable, undefined);
    assert.equal(verdict.problems, undefined);
  });

  it('the schema asks one required integer enum score per response, inside OpenAI strict mode', () => {
    const req = request();
    const { schema } = judgeResponseFormat(req) as unknown as {
      schema: { properties: Record<string, { properties?: Record<string, unknown>; required?: string[] }>; $defs: Record<string, unknown> };
    };
    assert.deepEqual(strictSchemaProblems(schema), []);
    assert.deepEqual(schema.properties.scores.required, ['1', '2', '3', '4']);
    assert.deepEqual(schema.properties.scores.properties!['3'], { $ref: '#/$defs/score' });
    assert.deepEqual(schema.$defs.score, { type: 'integer', enum: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
    // A free decoder following the schema writes a score in range for every response: the reference resolves.
    for (const seed of ['a', 'b', 'c']) {
      const value = freeInstanceOf(schema, seed) as { scores: Record<string, number> };
      assert.deepEqual(schemaViolations(value, schema), []);
      assert.deepEqual(parseJudgeReply(JSON.stringify(value), req).ranking.length, 4);
    }
    assert.deepEqual(Object.keys(schema.properties), ['reason', 'scores', 'agreements', 'contradictions', 'droppedInsights', 'stop', 'stopReason']);
  });

  it('judgeReasons: false and judgeNotes: off leave only the scores (and the stop decision); brief caps each list at one', () => {
    const lean = buildJudgeRequest({ prompt: 'Q', candidates, k: 2, askStop: false, seed: 1, reasons: false, notes: 'off' });
    const leanSchema = judgeResponseFormat(lean).schema as { properties: Record<string, unknown> };
    assert.deepEqual(Object.keys(leanSchema.properties), ['scores']);
    assert.doesNotMatch(lean.messages[0].content, /agreements|"reason"/);
    const brief = judgeResponseFormat(request()).schema as { properties: Record<string, { maxItems?: number }> };
    assert.deepEqual([brief.properties.agreements.maxItems, brief.properties.contradictions.maxItems, brief.properties.droppedInsights.maxItems], [1, 1, 1]);
    const full = buildJudgeRequest({ prompt: 'Q', candidates, k: 2, askStop: false, seed: 1, notes: 'full' });
    const fullSchema = judgeResponseFormat(full).schema as { properties: Record<string, { maxItems?: number }> };
    assert.deepEqual([fullSchema.properties.agreements.maxItems, fullSchema.properties.droppedInsights.maxItems], [3, 2]);
    // Notes beyond the level's limits are cut when read: count and length.
    const long = 'x'.repeat(500);
    const verdict = parseJudgeReply(reply({ 1: 5, 2: 5, 3: 5, 4: 5 }, { agreements: [long, 'second'] }), request());
    assert.equal(verdict.notes!.agreements.length, 1);
    assert.ok(verdict.notes!.agreements[0].length <= 160);
  });

  it('a reply with some usable scores counts them and names the rest as problems, not a fallback', () => {
    const req = request();
    const verdict = parseJudgeReply(reply({ 1: 8, 2: 11, 3: '7/10', 9: 5 }), req);
    assert.deepEqual(verdict.ranking, [req.order[0], req.order[2]]);
    assert.equal(verdict.unusable, undefined);
    assert.match(verdict.problems!, /response 2: 11 is not a score from 1 to 10/);
    assert.match(verdict.problems!, /there is no response 9/);
    assert.match(verdict.problems!, /no score for response 4/);
  });

  it('reads JSON in prose or code fences, keys like "Response 2", and a list in shown order', () => {
    const req = request();
    const fenced = 'Sure:\n```json\n{"reason":"ok","scores":{"Response 1":3,"Response 2":9,"Response 3":1,"Response 4":"8"},"stop":false,"stopReason":"no"}\n```';
    assert.deepEqual(parseJudgeReply(fenced, req).ranking.slice(0, 2), [req.order[1], req.order[3]]);
    assert.deepEqual(parseJudgeReply(reply([2, 3, 10, 1] as unknown as Record<string, unknown>), req).ranking[0], req.order[2]);
  });

  it('prose, or placeholders copied from the prompt, are unusable (the step then falls back) and say why', () => {
    const req = request();
    const prose = parseJudgeReply('I think the second answer is best.', req);
    assert.match(prose.unusable!, /not JSON/);
    assert.deepEqual(prose.stop, { missing: 'the judge gave no stop decision' });
    const copied = parseJudgeReply(reply({ 1: '<1-10>', 2: '<1-10>', 3: '<1-10>', 4: '<1-10>' }), req);
    assert.match(copied.unusable!, /"<1-10>" is not a score/);
  });

  it('equal scores keep the order shown (the seeded order), in one vote', () => {
    const req = request();
    const verdict = parseJudgeReply(reply({ 1: 5, 2: 7, 3: 7, 4: 5 }), req);
    assert.deepEqual(verdict.ranking, [req.order[1], req.order[2], req.order[0], req.order[3]]);
  });

  it('recusal: the excluded response is neither asked for nor counted', () => {
    const req = buildJudgeRequest({ prompt: 'Q', candidates, k: 2, askStop: false, seed: 3, excluded: [2] });
    const own = req.order.indexOf(2) + 1;
    assert.ok(!req.allowed.includes(own));
    const schema = judgeResponseFormat(req).schema as { properties: { scores: { required: string[] } } };
    assert.ok(!schema.properties.scores.required.includes(String(own)));
    const verdict = parseJudgeReply(reply({ 1: 5, 2: 6, 3: 7, 4: 8 }), req);
    assert.equal(verdict.scores[2], undefined);
    assert.match(verdict.problems!, new RegExp(`response ${own} is excluded`));
  });

  it('combines votes by Borda over the scores: a recused judge does not lower an answer; ties go to the seeded order, said', () => {
    // Two orders of one judge that disagree: slot 0 and 3 each win one order, slot 0 has the higher mean score.
    const forward = { 0: 9, 1: 5, 2: 4, 3: 8 };
    const reversed = { 0: 8, 1: 5, 2: 4, 3: 9 };
    const both = combineScores([forward, reversed], [2, 0, 3, 1], 2);
    assert.deepEqual(both.ranking.slice(0, 2), [0, 3], 'tied on points and mean score: the seeded order (0 shown before 3) decides');
    assert.match(both.tieBreak!, /proposals 1 and 4 tied: the seeded order/);
    assert.deepEqual(both.scores, { 0: 8.5, 3: 8.5, 1: 5, 2: 4 });
    // A jury where judge 2 recused itself from slot 1: slot 1 keeps judge 1's points alone.
    const jury = combineScores([{ 0: 3, 1: 9, 2: 5 }, { 0: 6, 2: 7 }], [0, 1, 2], 1);
    assert.deepEqual(jury.ranking, [1, 2, 0]);
    assert.equal(jury.tieBreak, undefined);
  });

  it('rewrites the shuffled labels in the reason into proposer slots', () => {
    assert.equal(relabelReason('Responses 1 and 3 beat Response 2.', [2, 0, 1]), 'proposals 3 and 2 beat proposal 1.');
  });
});
