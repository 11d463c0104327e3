import assert from 'node:assert/strict';
import type { FakeServer } from '../../../test/server/fake-openai';
import { fillRoles, MemoryRoleCache, ROLE_MAX_CHARS, ROLE_WORDS } from '../../../src/pipeline/roles/prompt';
import { kindOf, lastUser, ofType, record, scoresFor, systemOf, useFakeServer } from '../helpers/engine-harness';
import { testConfig } from '../helpers/config';

describe('moderator and roles', () => {
  const fake = useFakeServer();
  let server: FakeServer;
  beforeEach(() => {
    server = fake();
  });

  const judgeSays = (stop: boolean) =>
    server.setResponder((req) =>
      kindOf(req) === 'judge'
        ? { text: JSON.stringify({ reason: 'fine', scores: scoresFor(req, [1, 2]), stop, stopReason: stop ? 'they agree' : 'they differ' }) }
        : undefined,
    );

  it('stops early when the combined judge+moderator says the answers agree; later layers are skipped', async () => {
    judgeSays(true);
    const config = testConfig(server, { strategy: 'smoa', layers: 3 });
    const { result, events } = await record(config, { prompt: 'hi' });
    assert.equal(result.status, 'ok');
    assert.equal(result.totals.layersRun, 1);
    assert.deepEqual(ofType(events, 'moderator-decision').map((e) => [e.layer, e.stop, e.reason]), [[1, true, 'they agree']]);
    assert.deepEqual(ofType(events, 'layer-skipped').map((e) => e.layer), [2, 3]);
    assert.equal(server.requests.length, 4 + 1 + 1, 'layer 1, one judge, the aggregator');
  });

  it('runs to the layer cap when the moderator says continue; the last layer asks no stop question', async () => {
    judgeSays(false);
    const config = testConfig(server, { strategy: 'smoa', layers: 3 });
    const { result, events } = await record(config, { prompt: 'hi' });
    assert.equal(result.totals.layersRun, 3);
    assert.equal(ofType(events, 'moderator-decision').length, 2);
    const judges = server.requests.filter((r) => kindOf(r) === 'judge');
    assert.equal(judges.length, 3);
    assert.match(systemOf(judges[0]), /Set "stop" to true/);
    assert.doesNotMatch(systemOf(judges[2]), /"stop"/);
  });

  it('a separate moderator model decides the stop in its own call, alongside the judge', async () => {
    server.setResponder((req) => (kindOf(req) === 'moderator' ? { text: '{"stop": true, "reason": "same answer"}' } : undefined));
    const config = testConfig(server, { strategy: 'smoa', layers: 2, moderator: 'c' });
    const { events } = await record(config, { prompt: 'hi' });
    const moderatorCalls = server.requests.filter((r) => kindOf(r) === 'moderator');
    assert.equal(moderatorCalls.length, 1);
    assert.equal(moderatorCalls[0].model, 'model-c');
    assert.equal((moderatorCalls[0].messages[1].content.match(/### Response/g) ?? []).length, 4, 'the moderator sees every survivor');
    assert.doesNotMatch(systemOf(server.requests.find((r) => kindOf(r) === 'judge')!), /"stop"/);
    assert.deepEqual(ofType(events, 'moderator-decision').map((e) => e.stop), [true]);
  });

  it('an unusable moderator reply means continue, marked as a fallback', async () => {
    server.setResponder((req) => (kindOf(req) === 'judge' ? { text: JSON.stringify({ reason: 'x', scores: scoresFor(req, [2, 1]) }) } : undefined));
    const config = testConfig(server, { strategy: 'smoa', layers: 2 });
    const { events, result } = await record(config, { prompt: 'hi' });
    const decision = ofType(events, 'moderator-decision')[0];
    assert.equal(decision.stop, false);
    assert.equal(decision.fallback, true);
    assert.equal(result.totals.layersRun, 2);
  });

  it('earlyStop: false never asks for a stop', async () => {
    judgeSays(true);
    const config = testConfig(server, { strategy: 'smoa', layers: 2, earlyStop: false });
    const { result } = await record(config, { prompt: 'hi' });
    assert.equal(result.totals.layersRun, 2);
  });

  it('prose where JSON was asked: the judge falls back by its stated rule and the raw reply is recorded', async () => {
    server.setResponder((req) => (kindOf(req) === 'judge' ? { fault: { kind: 'prose' } } : undefined));
    const config = testConfig(server, { strategy: 'smoa', layers: 1 });
    const { events, result } = await record(config, { prompt: 'hi' });
    assert.equal(result.status, 'ok');
    const fallback = ofType(events, 'judge-fallback')[0];
    assert.ok(fallback.raw && fallback.raw.length > 0);
    assert.match(fallback.problem, /not JSON/);
    assert.deepEqual(ofType(events, 'judge-picks')[0].picks, [0, 1]);
    assert.equal(ofType(events, 'judge-picks')[0].fallback, true);
  });

  it('roles: generated once from the task description, cached, reused; each proposer answers in its role', async () => {
    const roleCalls: string[] = [];
    server.setResponder((req) => {
      if (kindOf(req) === 'roles') {
        roleCalls.push(lastUser(req));
        return { text: JSON.stringify({ roles: ['You are R-one.', 'You are R-two.', 'You are R-three.', 'You are R-four.'] }) };
      }
      return undefined;
    });
    const cache = new MemoryRoleCache();
    const config = testConfig(server, { strategy: 'smoa', layers: 2, earlyStop: false, roles: 'auto', taskDescription: 'Answer programming questions' });
    const first = await record(config, { prompt: 'first question' }, { roleCache: cache });
    const second = await record(config, { prompt: 'second question' }, { roleCache: cache });
    assert.equal(roleCalls.length, 1, 'one role-writing call for both runs');
    assert.match(roleCalls[0], /Task: Answer programming questions/);
    assert.match(roleCalls[0], /first question/);
    // A role rides on every proposer call of every layer: the writer is told its length, in words.
    const writer = server.requests.find((r) => kindOf(r) === 'roles')!;
    assert.match(systemOf(writer), new RegExp(`Write 4 distinct roles .*\\n.*one sentence of at most ${ROLE_WORDS} words`));
    assert.equal(ofType(first.events, 'roles-assigned')[0].source, 'generated');
    assert.equal(ofType(second.events, 'roles-assigned')[0].source, 'cached');
    const proposerSystems = server.requests.filter((r) => kindOf(r) === 'plain' || kindOf(r) === 'synthesis').map(systemOf);
    for (const role of ['R-one', 'R-two', 'R-three', 'R-four']) {
      assert.equal(proposerSystems.filter((s) => s.includes(role)).length, 4, `${role}: 2 layers x 2 runs`);
    }
    const nonProposers = server.requests.filter((r) => ['judge', 'roles'].includes(kindOf(r)));
    for (const req of nonProposers) assert.doesNotMatch(systemOf(req) + lastUser(req), /R-one/, 'roles never reach the judge');
  });

  it('roles: a role longer than asked is cut on reading (it rides on every proposer call); stock roles keep the limit', async () => {
    const long = `You are ${'a very thorough and extremely patient reviewer of everything, '.repeat(12)}`;
    server.setResponder((req) => (kindOf(req) === 'roles' ? { text: JSON.stringify({ roles: [long, 'You are B.', 'You are C.'] }) } : undefined));
    const config = testConfig(server, { strategy: 'smoa', layers: 1, roles: 'auto' });
    const { events } = await record(config, { prompt: 'q' }, { roleCache: new MemoryRoleCache() });
    const assigned = ofType(events, 'roles-assigned')[0];
    assert.ok(assigned.roles[0].length <= ROLE_MAX_CHARS, `a ${long.length}-character role is cut to ${ROLE_MAX_CHARS}: ${assigned.roles[0].length}`);
    assert.ok(assigned.roles[0].startsWith('You are a very thorough'));
    const proposer = server.requests.find((r) => kindOf(r) === 'plain' && systemOf(r).startsWith('You are a very'))!;
    assert.ok(systemOf(proposer).length <= ROLE_MAX_CHARS, 'the proposer is sent the cut role');
    // A reply with no usable roles gets the stock ones, each within the words the writer is asked for.
    const stock = fillRoles([], 6);
    for (const role of stock) assert.ok(role.split(/\s+/).length <= ROLE_WORDS, `"${role}" is over ${ROLE_WORDS} words`);
  });

  it('roles: a bad role reply is filled with stock roles, not cached, and the run goes on', async () => {
    server.setResponder((req) => (kindOf(req) === 'roles' ? { text: '{"roles": ["Only one role", "Only one role"]}' } : undefined));
    const cache = new MemoryRoleCache();
    const config = testConfig(server, { strategy: 'smoa', layers: 1, roles: 'auto' });
    const { events, result } = await record(config, { prompt: 'q' }, { roleCache: cache });
    assert.equal(result.status, 'ok');
    const assigned = ofType(events, 'roles-assigned')[0];
    assert.equal(assigned.source, 'fallback');
    assert.equal(new Set(assigned.roles).size, 4, 'roles stay distinct');
    await record(config, { prompt: 'q' }, { roleCache: cache });
    assert.equal(server.requests.filter((r) => kindOf(r) === 'roles').length, 2, 'the bad reply was not cached');
  });
});
