import assert from 'node:assert/strict';
import { buildJudgeRequest, parseJudgeReply, relabelReason, FALLBACK_RULE } from '../../../src/pipeline/judge';

const candidates = [0, 1, 2, 3].map((slot) => ({ slot, text: `answer number ${slot}` }));
const request = (seed = 7, askStop = true) =>
  buildJudgeRequest({ prompt: 'Q?', candidates, k: 2, askStop, seed });

describe('judge: prompt and reply parsing', () => {
  it('shows candidates anonymized, in a seeded shuffled order, and maps picks back to slots', () => {
    const req = request();
    assert.notDeepEqual(req.order, [0, 1, 2, 3], 'seed 7 shuffles');
    assert.deepEqual(request().order, req.order, 'the same seed gives the same order');
    const user = req.messages[1].content;
    req.order.forEach((slot, i) => assert.ok(user.includes(`### Response ${i + 1}\nanswer number ${slot}`)));
    assert.doesNotMatch(user, /slot/, 'candidates carry no model name or slot');
    const verdict = parseJudgeReply(JSON.stringify({ reason: 'r', picks: [3, 1], stop: true, stopReason: 'agree' }), req);
    assert.deepEqual(verdict.picks, [req.order[2], req.order[0]]);
    assert.deepEqual(verdict.stop, { stop: true, reason: 'agree' });
    assert.equal(verdict.fallback, undefined);
  });

  it('drops out-of-range, negative, non-integer and duplicate picks and caps at k, filling by the stated rule', () => {
    const req = request();
    const verdict = parseJudgeReply('{"reason":"x","picks":[9,-1,0,2.5,2,2],"stop":false,"stopReason":"y"}', req);
    assert.equal(verdict.picks.length, 2);
    assert.equal(verdict.picks[0], req.order[1], 'the one valid pick is kept first');
    assert.ok(verdict.fallback);
    assert.match(verdict.fallback!.problem, /9.*not a response number/);
    assert.match(verdict.fallback!.problem, /2 repeated/);
    assert.match(verdict.fallback!.rule, /fill the remaining/);
  });

  it('keeps only the first k of more than k picks without calling it a fallback', () => {
    const req = request();
    const verdict = parseJudgeReply('{"reason":"x","picks":[1,2,3,4]}', req);
    assert.deepEqual(verdict.picks, [req.order[0], req.order[1]]);
    assert.equal(verdict.fallback, undefined);
  });

  it('reads JSON wrapped in prose or code fences, and picks written as strings', () => {
    const req = request();
    const raw = 'Sure! Here is my verdict:\n```json\n{"reason":"ok","picks":["Response 2","4"],"stop":false,"stopReason":"no"}\n```';
    const verdict = parseJudgeReply(raw, req);
    assert.deepEqual(verdict.picks, [req.order[1], req.order[3]]);
    assert.equal(verdict.fallback, undefined);
  });

  it('prose instead of JSON: the fallback keeps the survivors in proposer order and says why', () => {
    const req = request();
    const verdict = parseJudgeReply('I think the second answer is best.', req);
    assert.deepEqual(verdict.picks, [0, 1]);
    assert.equal(verdict.fallback?.rule, FALLBACK_RULE);
    assert.match(verdict.fallback!.problem, /not JSON/);
    assert.deepEqual(verdict.stop, { missing: 'the judge gave no stop decision' });
  });

  it('a missing stop flag is reported as missing (the engine then continues)', () => {
    const verdict = parseJudgeReply('{"reason":"x","picks":[1,2]}', request());
    assert.ok(verdict.stop && 'missing' in verdict.stop);
  });

  it('with fewer candidates than k, every candidate is kept', () => {
    const req = buildJudgeRequest({ prompt: 'Q', candidates: candidates.slice(0, 1), k: 2, askStop: false, seed: 1 });
    assert.deepEqual(parseJudgeReply('{"reason":"","picks":[1]}', req).picks, [0]);
  });

  it('rewrites the shuffled labels in the reason into proposer slots', () => {
    assert.equal(relabelReason('Responses 1 and 3 beat Response 2.', [2, 0, 1]), 'proposals 3 and 2 beat proposal 1.');
  });
});
