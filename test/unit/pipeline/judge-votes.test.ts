import assert from 'node:assert/strict';
import type { FakeRequest, FakeServer } from '../../../test/server/fake-openai';
import { jsonAnswer } from '../../../test/server/default-responder';
import { schemaViolations, strictSchemaProblems } from '../../../test/server/strict-schema';
import { buildJudgeRequest, parseJudgeReply } from '../../../src/pipeline/judge/prompt';
import { judgeBias, describeJudgeBias } from '../../../src/pipeline/judge/bias';
import { JUDGE_NOTES_INSTRUCTION } from '../../../src/pipeline/prompts';
import { foldEvents } from '../../../src/pipeline/trace';
import { configWarnings, loadConfig } from '../../../src/pipeline/config';
import { checkApiKeys } from '../../../src/cli/io';
import { ProgressNarrator } from '../../../src/pipeline/narrator';
import { kindOf, lastUser, ofType, record, scoresFor, systemOf, useFakeServer } from '../helpers/engine-harness';
import { testConfig } from '../helpers/config';

/** The model names of the responses a judge request shows, in the order shown ("model-c" for "**model-c** (simulated)"). */
function shown(req: FakeRequest): string[] {
  return [...lastUser(req).matchAll(/^### Response \d+\n\*\*(model-[a-z])\*\*/gm)].map((m) => m[1]);
}

/** A judge reply ranking the given models first (by score), whatever numbers this request showed them under. */
function picksOf(req: FakeRequest, models: string[], extra: Record<string, unknown> = {}): { text: string } {
  const order = shown(req);
  const scores = scoresFor(req, models.map((m) => order.indexOf(m) + 1));
  return { text: JSON.stringify({ reason: 'fixed', scores, agreements: [], contradictions: [], droppedInsights: [], ...extra }) };
}

interface SentSchema {
  type: string;
  json_schema: {
    name: string;
    strict: boolean;
    schema: {
      properties: Record<string, { properties: Record<string, { $ref: string }>; required: string[]; additionalProperties: boolean }>;
      $defs: Record<string, { type: string; enum: number[] }>;
    };
  };
}
const schemaOf = (req: FakeRequest) => (req.responseFormat as SentSchema).json_schema;

describe('judge: scores, both orders, jury, recusal, notes', () => {
  const fake = useFakeServer();
  let server: FakeServer;
  beforeEach(() => {
    server = fake();
  });

  it('asks one required integer score from 1 to 10 per shown response, in a strict schema', async () => {
    const config = testConfig(server, { strategy: 'smoa', layers: 2, topK: 2, earlyStop: true });
    await record(config, { prompt: 'How do I cache?' });
    const judges = server.requests.filter((r) => kindOf(r) === 'judge');
    assert.ok(judges.length >= 1);
    for (const req of judges) {
      const { strict, schema } = schemaOf(req);
      assert.equal(strict, true);
      const scores = schema.properties.scores;
      assert.deepEqual(scores.required, ['1', '2', '3', '4']);
      assert.equal(scores.additionalProperties, false);
      // Each score refers to the one score schema in $defs (written once, as it is billed as prompt by some endpoints).
      for (const n of scores.required) assert.deepEqual(scores.properties[n], { $ref: '#/$defs/score' });
      assert.deepEqual(schema.$defs.score, { type: 'integer', enum: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
      assert.deepEqual(strictSchemaProblems(schema), [], 'inside OpenAI strict mode');
    }
    assert.ok('stop' in schemaOf(judges[0]).schema.properties, 'layer 1 asks for the stop decision');
    assert.ok(systemOf(judges[0]).includes('"scores":{"1":n,"2":n,"3":n,"4":n}'), 'prompt mode is shown the same shape');
    assert.match(systemOf(judges[0]), /Score each response 1-10 .*the 2 best are kept/);
  });

  it('the moderator and role schemas are strict too', async () => {
    const config = testConfig(server, { strategy: 'smoa', layers: 2, moderator: 'c', roles: 'auto' });
    await record(config, { prompt: 'x' });
    for (const kind of ['moderator', 'roles'] as const) {
      const req = server.requests.find((r) => kindOf(r) === kind)!;
      assert.deepEqual(strictSchemaProblems(schemaOf(req).schema), [], kind);
    }
  });

  it('a server that follows the schema exactly never triggers a fallback (orders 1 and 2, a jury, recusal)', async () => {
    let judged = 0;
    for (const seed of [0, 1, 2, 3, 4, 5]) {
      for (const overrides of [{}, { judgeOrders: 2 as const }, { judge: ['b', 'c', 'd'], judgeRecusal: true }]) {
        server.reset();
        const config = testConfig(server, { strategy: 'smoa', layers: 3, topK: 2, earlyStop: false, seed, ...overrides });
        const { events, result } = await record(config, { prompt: `question ${seed}` });
        assert.equal(result.status, 'ok');
        assert.deepEqual(ofType(events, 'judge-fallback'), [], JSON.stringify(ofType(events, 'judge-fallback')));
        // Every reply the fake judge gave follows the schema it was sent.
        const replies = foldEvents(events).calls.filter((c) => c.stage === 'judge');
        const requests = server.requests.filter((r) => kindOf(r) === 'judge');
        assert.equal(replies.length, requests.length);
        judged += requests.length;
        for (const req of requests) {
          const reply = JSON.parse(jsonAnswer(req)!);
          assert.deepEqual(schemaViolations(reply, schemaOf(req).schema), []);
        }
      }
    }
    assert.ok(judged >= 6 * 3 * 3, `${judged} judge calls`);
  });

  it('the strict fake exposes a loose schema: an object of scores without properties comes back empty and falls back', () => {
    const loose = {
      type: 'object',
      properties: { reason: { type: 'string' }, scores: { type: 'object', properties: {}, required: [], additionalProperties: false } },
      required: ['reason', 'scores'],
      additionalProperties: false,
    };
    const task = { prompt: 'q', candidates: [0, 1, 2, 3, 4].map((slot) => ({ slot, text: `answer ${slot}` })), k: 2, askStop: false, seed: 3 };
    const request = buildJudgeRequest(task);
    let fallbacks = 0;
    for (let i = 0; i < 12; i++) {
      const req = {
        model: `model-${i}`,
        messages: [...request.messages.slice(0, 1), { role: 'user', content: `${request.messages[1].content}\n${i}` }],
        responseFormat: { type: 'json_schema', json_schema: { name: 'judge', strict: true, schema: loose } },
      } as unknown as FakeRequest;
      const raw = jsonAnswer(req)!;
      assert.deepEqual(schemaViolations(JSON.parse(raw), loose), [], 'still valid for the loose schema');
      if (parseJudgeReply(raw, request).unusable) fallbacks++;
    }
    assert.equal(fallbacks, 12, 'every loose-schema verdict falls back, as against a real constrained decoder');
  });

  it('judgeOrders 2: asks twice at once, the second time reversed, and combines the scores by Borda, ties to the seeded order', async () => {
    // A judge that always scores the first two it is shown highest: the reversed order cancels its position bias.
    server.setResponder((req) =>
      kindOf(req) === 'judge' ? { text: JSON.stringify({ reason: 'first two', scores: scoresFor(req, [1, 2]), agreements: [], contradictions: [], droppedInsights: [] }), ttftMs: 150 } : undefined,
    );
    const config = testConfig(server, { strategy: 'smoa', layers: 1, topK: 2, judgeOrders: 2 });
    const { events } = await record(config, { prompt: 'q' });
    const judges = server.requests.filter((r) => kindOf(r) === 'judge');
    assert.equal(judges.length, 2);
    const [forward, reversed] = judges.map(shown);
    assert.deepEqual(reversed, [...forward].reverse());
    const trace = foldEvents(events);
    const calls = trace.calls.filter((c) => c.stage === 'judge');
    assert.ok(calls[1].startedMs < calls[0].endedMs! && calls[0].startedMs < calls[1].endedMs!, 'the two calls overlap');
    const slot = (model: string) => ['model-a', 'model-b', 'model-c', 'model-d'].indexOf(model);
    // Borda: forward[0] and reversed[0] (= forward[3]) each win one order and place last in the other: a tie on points
    // and on mean score, which the seeded order (the forward one) breaks.
    const judge = trace.layers[0].judge!;
    assert.deepEqual(judge.picks, [slot(forward[0]), slot(forward[3])]);
    assert.match(judge.tieBreak!, /tied: the seeded order/);
    assert.deepEqual(judge.scores![slot(forward[0])], 5.5);
    assert.equal(judge.ballots!.length, 2);
    assert.deepEqual(judge.ballots!.map((b) => b.reversed), [false, true]);
    assert.deepEqual(judge.ballots!.map((b) => b.positions), [[1, 2], [1, 2]]);
    assert.match(judge.combination!, /Borda/);
    assert.deepEqual(judge.lengths && Object.keys(judge.lengths).length, 4);
    const bias = judgeBias(trace.layers)!;
    assert.equal(bias.firstShownTop, 2);
    assert.equal(bias.orderPairs, 1);
    assert.equal(bias.orderAgree, 0, 'the two orders disagree on the top pick: a position-biased judge');
  });

  it('a jury votes; a failing judge is skipped and said; the votes are combined by Borda', async () => {
    server.setResponder((req) => {
      if (kindOf(req) !== 'judge') return undefined;
      if (req.model === 'model-b') return picksOf(req, ['model-c', 'model-a']);
      if (req.model === 'model-c') return picksOf(req, ['model-a', 'model-d']);
      return { fault: { kind: 'server-error', status: 500 } };
    });
    const config = testConfig(server, { strategy: 'smoa', layers: 1, topK: 2, judge: ['b', 'c', 'd'] });
    const { events, result } = await record(config, { prompt: 'q' });
    assert.equal(result.status, 'ok');
    const picks = ofType(events, 'judge-picks')[0];
    // a: 1 + 2 = 3, c: 2, d: 1.
    assert.deepEqual(picks.picks, [0, 2]);
    assert.equal(picks.fallback, false);
    assert.deepEqual(picks.ballots!.map((b) => [b.modelId, b.picks]), [['b', [2, 0]], ['c', [0, 3]], ['d', []]]);
    assert.match(picks.ballots![2].skipped!, /judge call failed/);
    assert.deepEqual(ofType(events, 'judge-fallback'), []);
  });

  it('Borda ties go to the seeded order (the first vote\'s shown order), and the trace says so', async () => {
    server.setResponder((req) => {
      if (kindOf(req) !== 'judge') return undefined;
      return picksOf(req, req.model === 'model-b' ? ['model-d', 'model-b'] : ['model-b', 'model-d']);
    });
    const config = testConfig(server, { strategy: 'smoa', layers: 1, topK: 1, judge: ['b', 'c'] });
    const { events } = await record(config, { prompt: 'q' });
    // b and d each win one vote and come second in the other, with the same scores: a tie.
    const verdict = ofType(events, 'judge-picks')[0];
    const seeded = verdict.ballots![0].order.filter((slot) => slot === 1 || slot === 3);
    assert.deepEqual(verdict.picks, [seeded[0]]);
    assert.match(verdict.tieBreak!, /proposals (2 and 4|4 and 2) tied/);
  });

  it('recusal: a judge sees its own answer but does not score it; all its own: it abstains', async () => {
    const config = testConfig(server, { strategy: 'smoa', layers: 1, topK: 2, judge: 'b', judgeRecusal: true });
    const { events } = await record(config, { prompt: 'q' });
    const req = server.requests.find((r) => kindOf(r) === 'judge')!;
    const own = shown(req).indexOf('model-b') + 1;
    assert.equal(shown(req).length, 4, 'it still sees all four');
    assert.deepEqual(schemaOf(req).schema.properties.scores.required, ['1', '2', '3', '4'].filter((n) => n !== String(own)));
    assert.match(systemOf(req), new RegExp(`Do not score response ${own}:`));
    const picks = ofType(events, 'judge-picks')[0];
    assert.ok(!picks.picks.includes(1));
    assert.equal(picks.scores![1], undefined, 'its own answer has no score');
    assert.equal(picks.fallback, false);
    assert.deepEqual(picks.ballots![0].excluded, [1]);

    server.reset();
    const allOwn = testConfig(server, { strategy: 'smoa', layers: 1, topK: 2, proposers: ['b', 'b', 'b'], judge: 'b', judgeRecusal: true });
    const run = await record(allOwn, { prompt: 'q' });
    assert.equal(server.requests.filter((r) => kindOf(r) === 'judge').length, 0, 'no call when every answer is its own');
    const verdict = ofType(run.events, 'judge-picks')[0];
    assert.match(verdict.ballots![0].skipped!, /abstained/);
    assert.equal(verdict.fallback, true);
    assert.match(ofType(run.events, 'judge-fallback')[0].problem, /abstained/);
  });

  it('a judge that also proposes gets a settings warning unless recusal is on', () => {
    const config = testConfig(server, { judge: ['b', 'c'] });
    assert.deepEqual(configWarnings(config).map((w) => w.path), ['judge[0]', 'judge[1]']);
    assert.match(configWarnings(config)[0].message, /judge "b" is also a proposer.*judgeRecusal/);
    assert.deepEqual(configWarnings(testConfig(server, { judge: 'b', judgeRecusal: true })), []);
    assert.deepEqual(configWarnings(testConfig(server, { judge: 'b', proposers: ['a', 'c', 'd'] })), []);
  });

  it("notes reach the trace (proposal numbers) and the aggregator's prompt (candidate numbers, dropped ones named so)", async () => {
    server.setResponder((req) => {
      if (kindOf(req) !== 'judge') return undefined;
      const order = shown(req);
      const n = (m: string) => order.indexOf(m) + 1;
      return picksOf(req, ['model-c', 'model-a'], {
        agreements: ['Both use an LRU cache.'],
        contradictions: [`Response ${n('model-c')} says 60 s, Response ${n('model-a')} says 5 min.`],
        droppedInsights: [`Response ${n('model-d')} warns that the cache must be invalidated on writes.`],
      });
    });
    const config = testConfig(server, { strategy: 'smoa', layers: 1, topK: 2 });
    const { events } = await record(config, { prompt: 'cache?' });
    const notes = foldEvents(events).layers[0].judge!.notes!;
    assert.deepEqual(notes, {
      agreements: ['Both use an LRU cache.'],
      contradictions: ['proposal 3 says 60 s, proposal 1 says 5 min.'],
      droppedInsights: ['proposal 4 warns that the cache must be invalidated on writes.'],
    });
    const aggregator = server.requests.find((r) => kindOf(r) === 'synthesis' && r.model === 'model-a' && systemOf(r).includes(JUDGE_NOTES_INSTRUCTION));
    assert.ok(aggregator, 'the aggregator got the notes');
    const system = systemOf(aggregator);
    assert.match(system, /Candidate 1 says 60 s, Candidate 2 says 5 min\./, 'kept answers are named as the aggregator sees them');
    assert.match(system, /a dropped answer warns that the cache must be invalidated on writes\./);
    assert.ok(system.indexOf(JUDGE_NOTES_INSTRUCTION) > system.indexOf('### Candidate 2'), 'after the candidates');
    assert.ok(system.length - system.indexOf(JUDGE_NOTES_INSTRUCTION) <= 2000, 'a few hundred tokens at most');
  });

  it('a layer asks for notes only when the aggregator may read them: the last one, one that may stop, any under a budget; never for rank', async () => {
    const asksNotes = (req: FakeRequest) => 'agreements' in schemaOf(req).schema.properties && systemOf(req).includes('Notes for the writer');
    // The judge never stops early here, so every layer runs.
    const judgeLayers = async (overrides: Parameters<typeof testConfig>[1]) => {
      server.reset();
      server.setResponder((req) => (kindOf(req) === 'judge' ? picksOf(req, ['model-a', 'model-b'], { stop: false, stopReason: 'differ', agreements: ['Both cache.'] }) : undefined));
      const { events } = await record(testConfig(server, { strategy: 'smoa', layers: 3, topK: 2, ...overrides }), { prompt: 'How do I cache?' });
      const judges = server.requests.filter((r) => kindOf(r) === 'judge');
      return { asked: judges.map(asksNotes), trace: foldEvents(events) };
    };
    // Every layer run: only the last layer's notes reach the aggregator, so layers 1 and 2 are not asked to write any.
    const dense = await judgeLayers({ earlyStop: false });
    assert.deepEqual(dense.asked, [false, false, true]);
    assert.ok(dense.trace.layers[2].judge!.notes, "the last layer's notes are in the trace");
    const aggregator = server.requests.at(-1)!;
    assert.ok(systemOf(aggregator).includes(JUDGE_NOTES_INSTRUCTION), 'and reach the aggregator');
    // Early stop on: any layer may be the last, so each asks.
    assert.deepEqual((await judgeLayers({ earlyStop: true })).asked, [true, true, true]);
    // A budget may refuse the next layer: each asks.
    assert.deepEqual((await judgeLayers({ earlyStop: false, budget: { maxTokens: 1_000_000 } })).asked, [true, true, true]);
    // rank: the judge's pick is the answer, no aggregator reads notes.
    assert.deepEqual((await judgeLayers({ strategy: 'rank', earlyStop: false, layers: 1 })).asked, [false]);
  });

  it('the CLI checks the API key of every jury member before sending anything', () => {
    const config = loadConfig({
      endpoints: [{ id: 'open', baseURL: 'http://127.0.0.1:1/v1' }, { id: 'keyed', baseURL: 'http://127.0.0.1:2/v1', apiKeyEnv: 'JURY_KEY' }],
      models: [{ id: 'a', endpoint: 'open', model: 'm' }, { id: 'j', endpoint: 'keyed', model: 'm' }],
      proposers: ['a'],
      aggregator: 'a',
      judge: ['a', 'j'],
      topK: 1,
    });
    assert.throws(() => checkApiKeys(config, {}), /endpoints\[1\]\.apiKeyEnv: environment variable JURY_KEY is not set/);
    assert.doesNotThrow(() => checkApiKeys(config, { JURY_KEY: 'x' }));
  });

  it("chat's and the CLI's stage record shows how votes were combined and the notes", () => {
    const narrator = new ProgressNarrator();
    narrator.describe({ t: 0, type: 'layer-started', layer: 1, of: 1, proposers: ['a', 'b', 'c'].map((modelId, slot) => ({ slot, modelId })) });
    const ballot = { modelId: 'b', reversed: false, order: [0, 1, 2], picks: [2, 0], positions: [3, 1] };
    const line = narrator.describe({
      t: 1,
      type: 'judge-picks',
      layer: 1,
      picks: [2, 0],
      reason: 'fine',
      fallback: false,
      ballots: [ballot, { ...ballot, reversed: true, picks: [], positions: [], skipped: 'the judge call failed: HTTP 500' }],
      notes: { agreements: ['Both cache.'], contradictions: ['They differ on the TTL'], droppedInsights: ['proposal 2 mentions invalidation.'] },
    });
    // Notes read as sentences: one full stop each, none doubled as ".;".
    assert.equal(
      line,
      'Layer 1: judge kept c and a (2 of 3): fine (1 of 2 votes combined by Borda count; not counted: b (reversed): the judge call failed: HTTP 500) ' +
        'Notes: Agree: Both cache. Contradiction: They differ on the TTL. Only in a dropped answer: proposal 2 mentions invalidation.',
    );
    const reversedCall = narrator.describe({ t: 2, type: 'call-started', callId: 'c9', stage: 'judge', layer: 1, modelId: 'b', model: 'model-b', note: 'candidates in reverse order (judgeOrders: 2)' });
    assert.equal(reversedCall, 'Layer 1: judge b: candidates in reverse order (judgeOrders: 2)');
  });

  it('bias figures from the scores: first-shown rate against chance (ties share), longer-scored rate, order agreement', () => {
    const ballot = (order: number[], scores: Record<number, number>, reversed = false) => ({ modelId: 'j', reversed, order, scores, picks: [], positions: [] });
    const lengths = { 0: 100, 1: 50, 2: 10, 3: 400 };
    const bias = judgeBias([{ judge: { ballots: [ballot([0, 1, 2, 3], { 0: 9, 1: 7, 2: 3, 3: 7 }), ballot([3, 2, 1, 0], { 0: 8, 1: 5, 2: 2, 3: 8 }, true)], lengths } }])!;
    // Forward: the first shown (0) scored highest alone. Reversed: the first shown (3) ties with 0 for highest: half.
    assert.deepEqual([bias.firstShownTop, bias.firstShownVotes, bias.firstShownChance], [1.5, 2, 0.5]);
    // Forward: 5 differently scored pairs, the higher-scored longer in 4 (not 0 over 3). Reversed: 5 of 5.
    assert.deepEqual([bias.longerPicked, bias.pairs], [9, 10]);
    assert.deepEqual([bias.orderAgree, bias.orderPairs], [1, 1], 'both orders gave 0 their highest score');
    assert.deepEqual(describeJudgeBias(bias), [
      'first-shown answer scored highest in 1.5 of 2 votes (75%; 25% by chance)',
      'higher-scored answer was the longer one in 9 of 10 differently scored pairs (90%; 50% means no length preference)',
      'both orders scored the same answer highest in 1 of 1 votes',
      'only 2 votes: too few to call a bias',
    ]);
    assert.equal(judgeBias([{ judge: { ballots: [{ ...ballot([0, 1], {}), skipped: 'failed' }] } }]), undefined);
    // A trace from before scores (picks only) still gives figures: picks rank above the rest.
    const legacy = judgeBias([{ judge: { ballots: [{ modelId: 'j', reversed: false, order: [0, 1, 2], picks: [1], positions: [2] }] } }])!;
    assert.deepEqual([legacy.firstShownTop, legacy.firstShownVotes], [0, 1]);
  });
});
