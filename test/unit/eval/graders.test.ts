import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeServer, type FakeRequest, type FakeServer } from '../../../test/server/fake-openai';
import { callCost } from '../../../src/pipeline/accounting';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import { loadConfig, modelById } from '../../../src/pipeline/config';
import {
  gradeExact,
  GradeError,
  gradePairwise,
  gradeRubric,
  lastNumber,
  parseRubricReply,
  type GraderCall,
  type GraderUsage,
} from '../../../src/eval/graders';
import { parseTaskFile } from '../../../src/eval/tasks';
import { bootstrapInterval, mean } from '../../../src/eval/stats';

describe('eval graders', () => {
  describe('exact (no model)', () => {
    it('numeric compares the last number in the answer, as people write numbers', () => {
      const cases: [string, string, 0 | 1][] = [
        ['The journey takes 215 minutes.', '215', 1],
        ['3 pens cost $2, so 27 pens cost $18.', '18', 1],
        ['Step 1: 12 * 100 = 1200. Answer: 1,200', '1200', 1],
        ['x = -12', '-12', 1],
        ['x = 12', '-12', 0],
        ['It is 42.0', '42', 1],
        ['About 33.3% of them', '33.3', 1],
        ['Answer: 42. (I first thought 41.)', '42', 0], // the last number wins, not the one labelled
        ['no digits at all', '7', 0],
        ['Answer: 7.', '7', 1], // a sentence's full stop is not a decimal point
        ['0.1 + 0.2 = 0.30000000000000004', '0.30000000000000004', 1],
      ];
      for (const [answer, reference, want] of cases) assert.equal(gradeExact(answer, reference, 'numeric').score, want, `${answer} vs ${reference}`);
      assert.equal(lastNumber('between 1,000 and 2,500'), 2500);
      assert.equal(lastNumber('.5 of it'), 0.5);
    });

    it('exact trims and folds case; regex and contains as written', () => {
      assert.equal(gradeExact('  Yrassecen \n', 'yrassecen', 'exact').score, 1);
      assert.equal(gradeExact('yrassecen.', 'yrassecen', 'exact').score, 0);
      assert.equal(gradeExact('ＡＢＣ', 'abc', 'exact').score, 1); // full-width letters fold to ASCII
      assert.equal(gradeExact('Yes, because all bloops are lazzies', '/^\\W*yes\\b/i', 'regex').score, 1);
      assert.equal(gradeExact('No. Yes would be wrong', '/^\\W*yes\\b/i', 'regex').score, 0);
      assert.equal(gradeExact('Answer: 2 / 15', '/\\b2\\s*\\/\\s*15\\b/', 'regex').score, 1);
      assert.equal(gradeExact('Answer: 2/150', '/\\b2\\s*\\/\\s*15\\b/', 'regex').score, 0);
      assert.equal(gradeExact('The odd one is CARROT.', 'carrot', 'contains').score, 1);
      assert.equal(gradeExact('The odd one is cherry.', 'carrot', 'contains').score, 0);
    });

    it('an ideal answer to every shipped reasoning task scores 1 (the references are right)', () => {
      const parsed = parseTaskFile(readFileSync(join(__dirname, '../../../examples/eval/reasoning.jsonl'), 'utf8'));
      assert.ok(parsed.ok);
      const ideal: Record<string, string> = { 'two-red': 'Answer: 2/15', 'odd-one-out': 'Carrot', syllogism: 'Yes: the relation is transitive.', 'reverse-word': 'yrassecen' };
      for (const t of parsed.tasks) {
        const answer = ideal[t.id] ?? `Working... Answer: ${t.reference}`;
        assert.equal(gradeExact(answer, t.reference!, t.match!).score, 1, t.id);
      }
    });
  });

  describe('bootstrap interval', () => {
    it('is seeded, contains the mean, and is degenerate when every score is equal', () => {
      const scores = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1];
      const ci = bootstrapInterval(scores, { seed: 3 });
      assert.deepEqual(bootstrapInterval(scores, { seed: 3 }), ci, 'same seed, same interval');
      assert.ok(ci[0] <= mean(scores) && mean(scores) <= ci[1]);
      // The normal approximation for p=0.7, n=10 gives about 0.42 to 0.98; the bootstrap must be near it.
      assert.ok(ci[0] > 0.3 && ci[0] < 0.55 && ci[1] > 0.85 && ci[1] <= 1, String(ci));
      assert.deepEqual(bootstrapInterval([0.5, 0.5, 0.5]), [0.5, 0.5]);
      assert.deepEqual(bootstrapInterval([4]), [4, 4]);
    });

    it('narrows as tasks are added', () => {
      const small = bootstrapInterval([1, 0, 1, 0], { seed: 1 });
      const large = bootstrapInterval(Array.from({ length: 100 }, (_, i) => i % 2), { seed: 1 });
      assert.ok(large[1] - large[0] < (small[1] - small[0]) / 2);
    });
  });

  describe('LLM graders against the fake server', () => {
    let server: FakeServer;
    let call: GraderCall;
    let usage: GraderUsage;
    before(async () => {
      server = await startFakeServer({ tokensPerSecond: Infinity, ttftMs: 0 });
      const config = loadConfig({
        endpoints: [{ id: 'local', baseURL: server.url, maxRetries: 0 }],
        models: [{ id: 'g', endpoint: 'local', model: 'grader', price: { inputPerMTok: 1, outputPerMTok: 2 } }],
        proposers: ['g'],
        aggregator: 'g',
        topK: 1,
      });
      const model = modelById(config, 'g');
      call = { client: createClientFactory(config, new EndpointPool())(model), signal: new AbortController().signal, cost: (u) => callCost(model, u) };
    });
    beforeEach(() => {
      server.reset();
      server.setResponder(undefined);
      usage = { calls: 0, promptTokens: 0, completionTokens: 0 };
    });
    after(() => server.close());

    const rubric = (scores: Record<string, unknown>) =>
      JSON.stringify(Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, { reason: `${k} ok`, score: v }])));
    const all = (v: unknown) => ({ helpfulness: v, clarity: v, factuality: v, depth: v, engagement: v, safety: v });

    it('rubric: sends the strict schema, averages six aspects, keeps the reasons, counts usage and cost', async () => {
      server.setResponder(() => ({ text: rubric({ ...all(4), safety: 5, depth: 2 }) }));
      const grade = await gradeRubric(call, 'How do I sort?', 'Use sorted().', usage);
      assert.equal(grade.score, (4 * 4 + 5 + 2) / 6);
      assert.equal(grade.aspects.depth.reason, 'depth ok');
      const sent = server.requests[0];
      assert.equal(sent.headers['x-smoa-stage'], 'grader');
      const schema = (sent.responseFormat as { json_schema: { schema: { required: string[]; additionalProperties: boolean } } }).json_schema.schema;
      assert.deepEqual(schema.required.sort(), ['clarity', 'depth', 'engagement', 'factuality', 'helpfulness', 'safety']);
      assert.equal(schema.additionalProperties, false);
      assert.equal(usage.calls, 1);
      assert.ok(usage.costUsd! > 0);
    });

    it('rubric: the default fake reply (schema-shaped JSON) is usable as is', async () => {
      const grade = await gradeRubric(call, 'Explain closures', 'A closure captures variables.', usage);
      assert.ok(grade.score >= 1 && grade.score <= 5);
    });

    it('rubric: a malformed reply is asked once more; twice malformed is an error naming the problem, not a guessed score', async () => {
      const replies = ['Sure! I would give it a 4.', rubric({ ...all(3), clarity: '5' })];
      server.setResponder(() => ({ text: replies.shift() ?? '' }));
      const grade = await gradeRubric(call, 'q', 'a', usage);
      assert.equal(grade.aspects.clarity.score, 5, 'an integer written as a string is accepted');
      assert.equal(usage.calls, 2);

      server.setResponder(() => ({ text: '```json\n' + rubric({ ...all(3), depth: 7, safety: undefined }) + '\n```' }));
      await assert.rejects(gradeRubric(call, 'q', 'a', usage), (err: Error) => {
        assert.ok(err instanceof GradeError);
        assert.match(err.message, /depth\.score must be an integer from 1 to 5, got 7/);
        assert.match(err.message, /safety/);
        return true;
      });
      assert.deepEqual(parseRubricReply(rubric(all(2.5))), { problem: ASPECT_PROBLEMS(2.5) });
    });

    function ASPECT_PROBLEMS(v: number) {
      return ['helpfulness', 'clarity', 'factuality', 'depth', 'engagement', 'safety'].map((a) => `${a}.score must be an integer from 1 to 5, got ${v}`).join('; ');
    }

    const responses = (req: FakeRequest) => {
      const user = req.messages.find((m) => m.role === 'user')!.content;
      const a = user.slice(user.indexOf('## Response A'), user.indexOf('## Response B'));
      const b = user.slice(user.indexOf('## Response B'));
      return { a, b };
    };

    it('pairwise: asks both orders; a grader that always says "A" (pure position bias) nets a tie', async () => {
      server.setResponder(() => ({ text: JSON.stringify({ reason: 'first is better', winner: 'A' }) }));
      const grade = await gradePairwise(call, 'q', 'candidate answer', 'baseline', usage);
      assert.equal(server.requests.length, 2);
      const shown = server.requests.map(responses);
      assert.ok(shown[0].a.includes('candidate answer') && shown[1].b.includes('candidate answer'), 'the second call swaps the order');
      assert.deepEqual(grade.orders, { candidateFirst: 'win', baselineFirst: 'loss' });
      assert.equal(grade.score, 0.5);
      assert.equal(grade.lengthRatio, 'candidate answer'.length / 'baseline'.length);
    });

    it('pairwise: a grader that prefers the better content in either position gives a win (1) or a loss (0)', async () => {
      server.setResponder((req) => {
        const { a } = responses(req);
        return { text: JSON.stringify({ reason: 'correct one', winner: a.includes('CORRECT') ? 'A' : 'B' }) };
      });
      assert.equal((await gradePairwise(call, 'q', 'CORRECT answer', 'wrong answer', usage)).score, 1);
      assert.equal((await gradePairwise(call, 'q', 'wrong answer', 'CORRECT answer', usage)).score, 0);
      server.setResponder(() => ({ text: JSON.stringify({ reason: 'same', winner: 'tie' }) }));
      assert.equal((await gradePairwise(call, 'q', 'x', 'y', usage)).score, 0.5);
    });

    it('pairwise: an unusable verdict twice is a GradeError; a failed grader call is a GradeError too', async () => {
      server.setResponder(() => ({ text: JSON.stringify({ reason: 'hmm', winner: 'C' }) }));
      await assert.rejects(gradePairwise(call, 'q', 'x', 'y', usage), /"winner" must be "A", "B" or "tie", got "C"/);
      server.setResponder(undefined);
      server.injectFault({ kind: 'server-error', status: 500 }, { times: 10 });
      await assert.rejects(gradePairwise(call, 'q', 'x', 'y', usage), (err: Error) => err instanceof GradeError && /grader call failed/.test(err.message));
    });
  });
});
