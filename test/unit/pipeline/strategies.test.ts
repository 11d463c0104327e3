import assert from 'node:assert/strict';
import type { FakeServer } from '../../../test/server/fake-openai';
import { kindOf, lastUser, ofType, record, scoresFor, systemOf, useFakeServer } from '../helpers/engine-harness';
import { testConfig } from '../helpers/config';

describe('strategies: which calls run and what reaches them', () => {
  const fake = useFakeServer();
  let server: FakeServer;
  beforeEach(() => {
    server = fake();
  });

  // Proposers answer with a text naming their model and layer, so later prompts can be inspected.
  function answerByModel() {
    server.setResponder((req) => {
      const layer = systemOf(req).includes('### Candidate') ? 2 : 1;
      return kindOf(req) === 'judge' ? undefined : { text: `ANSWER L${layer} from ${req.model}` };
    });
  }

  it('smoa: n proposers per layer, a judge after each, only the kept k reach the next layer and the aggregator', async () => {
    server.setResponder((req) => {
      if (kindOf(req) === 'judge') {
        // Always pick the responses that came from model-c and model-a, whatever order they were shown in.
        const shown = [...lastUser(req).matchAll(/### Response (\d+)\n(ANSWER L\d from (model-\w))/g)];
        const pick = (m: string) => Number(shown.find((s) => s[3] === m)![1]);
        return { text: JSON.stringify({ reason: 'c then a', scores: scoresFor(req, [pick('model-c'), pick('model-a')]), stop: false, stopReason: 'differ' }) };
      }
      const layer = systemOf(req).includes('### Candidate') ? 2 : 1;
      return { text: `ANSWER L${layer} from ${req.model}` };
    });
    const config = testConfig(server, { strategy: 'smoa', layers: 2, topK: 2 });
    const { result, events } = await record(config, { prompt: 'What is 2+2?' });

    assert.equal(result.status, 'ok');
    const kinds = server.requests.map((r) => `${kindOf(r)}:${r.model}`);
    // 4 proposers, judge, 4 proposers, judge, aggregator.
    assert.equal(kinds.filter((k) => k === 'judge:model-b').length, 2);
    assert.equal(server.requests.filter((r) => kindOf(r) !== 'judge').length, 9);
    const layer2 = server.requests.filter((r) => kindOf(r) === 'synthesis').slice(0, -1);
    assert.equal(layer2.length, 4);
    for (const req of layer2) {
      const system = systemOf(req);
      assert.match(system, /ANSWER L1 from model-c/);
      assert.match(system, /ANSWER L1 from model-a/);
      assert.doesNotMatch(system, /from model-b|from model-d/, 'dropped answers must not reach the next layer');
    }
    const aggregatorReq = server.requests.at(-1)!;
    assert.equal(aggregatorReq.model, 'model-a');
    assert.equal((systemOf(aggregatorReq).match(/### Candidate/g) ?? []).length, 2, 'the aggregator sees exactly k answers');
    // The user's turn is untouched by the synthesis instruction.
    assert.equal(lastUser(aggregatorReq), 'What is 2+2?');
    const picks = ofType(events, 'judge-picks');
    assert.deepEqual(picks.map((p) => p.picks), [[2, 0], [2, 0]]);
    assert.equal(result.answer, 'ANSWER L2 from model-a');
  });

  it('moa: every answer of a layer feeds the next; no judge, no moderator', async () => {
    answerByModel();
    const config = testConfig(server, { strategy: 'moa', layers: 3 });
    const { result, events } = await record(config, { prompt: 'Explain DNS.' });
    assert.equal(result.status, 'ok');
    assert.equal(server.requests.length, 4 * 3 + 1);
    assert.equal(server.requests.filter((r) => kindOf(r) === 'judge' || kindOf(r) === 'moderator').length, 0);
    const synth = server.requests.filter((r) => kindOf(r) === 'synthesis');
    for (const req of synth) assert.equal((systemOf(req).match(/### Candidate/g) ?? []).length, 4);
    assert.equal(ofType(events, 'judge-picks').length, 0);
    assert.equal(result.totals.layersRun, 3);
  });

  it('single: one streamed call to the aggregator model with the plain prompt', async () => {
    const config = testConfig(server, { strategy: 'single' });
    const { result, events } = await record(config, { prompt: 'Hello' });
    assert.equal(result.status, 'ok');
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].model, 'model-a');
    assert.equal(server.requests[0].stream, true);
    assert.equal(ofType(events, 'answer-token').map((e) => e.text).join(''), result.answer);
  });

  it('rank: the judge picks one proposal, returned exactly as written, with no aggregator call', async () => {
    server.setResponder((req) => {
      if (kindOf(req) === 'judge') {
        const shown = [...lastUser(req).matchAll(/### Response (\d+)\nfrom (model-\w)/g)];
        return { text: JSON.stringify({ reason: 'd is best', scores: scoresFor(req, [Number(shown.find((s) => s[2] === 'model-d')![1])]) }) };
      }
      return { text: `from ${req.model}` };
    });
    const config = testConfig(server, { strategy: 'rank' });
    const { result } = await record(config, { prompt: 'Pick one' });
    assert.equal(result.answer, 'from model-d');
    assert.equal(server.requests.length, 5);
    assert.match(result.answerSource ?? '', /d \(slot 4\)/);
  });

  it('history and attached context reach proposers and aggregator; system prompt and roles precede candidates', async () => {
    const config = testConfig(server, { strategy: 'smoa', layers: 1, roles: ['R1', 'R2', 'R3', 'R4'], systemPrompt: 'Be brief.' });
    await record(config, {
      prompt: 'And in Go?',
      history: [
        { role: 'user', content: 'How to sort in Python?' },
        { role: 'assistant', content: 'Use sorted().' },
      ],
      context: [{ label: 'src/app.go', content: 'package main' }],
    });
    const proposers = server.requests.filter((r) => kindOf(r) === 'plain');
    assert.equal(proposers.length, 4);
    proposers.forEach((req) => {
      assert.deepEqual(req.messages.map((m) => m.role), ['system', 'user', 'assistant', 'user']);
      assert.match(lastUser(req), /<context source="src\/app.go">\npackage main\n<\/context>\n\nAnd in Go\?$/);
    });
    assert.deepEqual(proposers.map((r) => systemOf(r)).sort(), ['Be brief.\n\nR1', 'Be brief.\n\nR2', 'Be brief.\n\nR3', 'Be brief.\n\nR4']);
    const aggregator = server.requests.at(-1)!;
    assert.match(systemOf(aggregator), /^Be brief\.\n\nBelow are candidate answers/);
    assert.doesNotMatch(systemOf(aggregator), /R1|R2/, 'roles never go to the aggregator');
  });
});
