import assert from 'node:assert/strict';
import { buildRouter } from '../../../src/eval/route-build';
import type { RouterFile } from '../../../src/pipeline/route/router-file';
import { skillRecords, skillTasks } from '../helpers/route-fixtures';
import type { ChatReferencePort, HistoryTurn } from '../../../src/chat/chat-port';
import { followupsFor } from '../../../src/chat/followups';
import { handleChatRequest, type ChatDeps } from '../../../src/chat/handler';
import { resolveConfig } from '../../../src/host/config-resolver';
import { RunService } from '../../../src/host/run-service';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import { MemoryRoleCache } from '../../../src/pipeline/roles/prompt';
import { startFakeServer, type FakeRequest, type FakeServer } from '../../server/fake-openai';
import { RecordingStream, TestCancellation } from './recording-stream';
import { scoresFor } from '../helpers/engine-harness';

// The participant logic end to end: real RunService, real engine, real openai SDK, against the fake server.

interface Harness {
  deps: ChatDeps;
  runs: RunService;
}

function harness(server: FakeServer, overrides: Record<string, unknown> = {}, apiKey: () => string | undefined = () => 'test-key', router?: RouterFile): Harness {
  const settings: Record<string, unknown> = {
    endpoints: [{ id: 'local', baseURL: server.url, maxRetries: 0 }],
    models: [
      { id: 'claude', endpoint: 'local', model: 'model-a' },
      { id: 'gpt-4o', endpoint: 'local', model: 'model-b' },
      { id: 'llama', endpoint: 'local', model: 'model-c' },
    ],
    proposers: ['claude', 'gpt-4o', 'llama', 'claude'],
    aggregator: 'gpt-4o',
    layers: 3,
    topK: 2,
    ...overrides,
  };
  const pool = new EndpointPool({ apiKey });
  const clientFor = (config: Parameters<typeof createClientFactory>[0]) => createClientFactory(config, pool);
  const sources = { settingsInput: () => settings, vscodeModels: async () => [] };
  const roleCache = new MemoryRoleCache();
  const runs = new RunService({
    roleCache,
    getConfig: async () => {
      const r = await resolveConfig(sources);
      if (!r.ok) throw new Error(r.problem.message);
      return r.config;
    },
    clientFor,
    ...(router ? { routerFor: () => ({ router }) } : {}),
  });
  const deps: ChatDeps = {
    runs,
    roleCache,
    resolveConfig: (chosen) => resolveConfig(sources, chosen),
    readReference: async (ref) =>
      typeof ref.value === 'string' ? { label: ref.id, content: ref.value, anchor: `anchor:${ref.id}` } : undefined,
  };
  return { deps, runs };
}

const isJudge = (req: FakeRequest) => JSON.stringify(req.responseFormat ?? '').includes('"scores"');
const isRoles = (req: FakeRequest) => JSON.stringify(req.responseFormat ?? '').includes('roles');

/** A judge that keeps responses 1 and 2 and stops after the first layer, so the run's shape is known. */
function agreeingJudge(req: FakeRequest) {
  if (isJudge(req)) return { text: JSON.stringify({ reason: 'They are correct.', scores: scoresFor(req, [1, 2]), stop: true, stopReason: 'The answers agree' }) };
  if (isRoles(req)) return { text: JSON.stringify({ roles: ['You are A.', 'You are B.', 'You are C.', 'You are D.'] }) };
  return undefined;
}

function ask(prompt: string, extra: { command?: string; references?: ChatReferencePort[] } = {}) {
  return { prompt, command: extra.command, references: extra.references ?? [] };
}

describe('chat participant logic', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer({ ttftMs: 1, tokensPerSecond: 5000 });
  });
  afterEach(() => server.reset());
  after(() => server.close());

  it('narrates each stage in order, streams the answer, then a summary and the two buttons', async () => {
    server.setResponder(agreeingJudge);
    const { deps } = harness(server);
    const stream = new RecordingStream();
    const result = await handleChatRequest(ask('How do I debounce in TypeScript?'), [], stream, new TestCancellation(), deps);

    assert.equal(result.errorDetails, undefined);
    assert.deepEqual(stream.progressLines, [
      // First, what the run may use at most (VS Code's models have no maxTokens: the completion is unbounded).
      stream.progressLines[0],
      'Role writer gpt-4o is assigning roles',
      'Roles generated: 4 roles',
      'Layer 1/3: 4 proposers answering',
      'Layer 1: judge gpt-4o is choosing',
      // The judge's "Response 1/2" are shuffled proposer slots; the names are mapped back from the slots.
      stream.progressLines[5],
      'Moderator: stop, the answers agree',
      'Layer 2 skipped: the moderator stopped early',
      'Layer 3 skipped: the moderator stopped early',
      'Aggregator gpt-4o is writing the answer',
    ]);
    assert.match(stream.progressLines[0], /^Estimate: at most 17 calls, unbounded prompt tokens, unbounded completion tokens \(no maxTokens: .+\)$/);
    assert.match(stream.progressLines[5], /^Layer 1: judge kept .+ and .+ \(2 of 4\): They are correct\.$/);

    const kinds = stream.parts.map((p) => p.kind);
    const lastProgress = kinds.lastIndexOf('progress');
    assert.ok(kinds.indexOf('markdown') > lastProgress, 'the answer streams after the stages');
    const answer = result.metadata.answer ?? '';
    assert.ok(answer.length > 20);
    assert.ok(stream.markdownText.startsWith(answer), 'the streamed markdown is the answer, then the summary');
    const [summary, stages] = stream.markdownText.slice(answer.length).split('_\n\n');
    assert.match(summary, /^\n\n---\n_SMoA: 1 layer, 7 calls, [\d,]+ tokens .*, cost unknown \(no prices configured\), [\d.]+ m?s$/);
    // Chat folds the progress lines into "Completed N steps"; what each stage decided stays in the response.
    assert.deepEqual(stages.split('\n'), [
      '- Roles generated: 4 roles',
      `- ${stream.progressLines[5]}`,
      '- Moderator: stop, the answers agree',
      '- Layers 2-3 skipped: the moderator stopped early',
    ]);
    assert.deepEqual(stream.buttons, [
      { title: 'Open trace', command: 'smoa.openTrace', arguments: [result.metadata.runId] },
      { title: 'Insert into editor', command: 'smoa.insertLastAnswer', arguments: [result.metadata.runId] },
    ]);
    assert.equal(result.metadata.strategy, 'smoa');
  });

  it('when the aggregator stream breaks and is retried, the chat says the answer starts over', async () => {
    let aggregatorCalls = 0;
    server.setResponder((req) => {
      if (req.model === 'model-b' && req.headers['x-smoa-stage'] === 'aggregator') {
        aggregatorCalls++;
        return { text: 'alpha beta gamma delta', ...(aggregatorCalls === 1 ? { fault: { kind: 'cut-stream', afterTokens: 2 } } : {}) };
      }
      return agreeingJudge(req);
    });
    const { deps } = harness(server, { endpoints: [{ id: 'local', baseURL: server.url, maxRetries: 1 }] });
    const stream = new RecordingStream();
    const result = await handleChatRequest(ask('Explain'), [], stream, new TestCancellation(), deps);
    assert.equal(result.errorDetails, undefined);
    assert.equal(result.metadata.answer, 'alpha beta gamma delta');
    assert.match(stream.markdownText, /^alpha beta\n\n---\n_The aggregator's stream broke off; it answers again from the start:_\n\nalpha beta gamma delta\n\n---\n_SMoA/);
  });

  it('/route: the progress says what the router chose and why, the estimate is the routed plan, one model answers', async () => {
    const built = buildRouter([{ name: 'fixture', tasks: skillTasks(), ...skillRecords(skillTasks()), grader: 'exact' }]);
    assert.ok(built.ok);
    // The fixture's models are arith, coder, neither; here claude is the one right on arithmetic.
    const router = JSON.parse(JSON.stringify(built.router).replace(/"arith"/g, '"claude"').replace(/"coder"/g, '"llama"').replace(/"neither"/g, '"gpt-4o"'));
    const { deps } = harness(server, {}, () => 'test-key', router);
    server.setResponder((req) => (req.model === 'model-a' ? { text: 'The sum is 42.' } : undefined));
    const stream = new RecordingStream();
    const result = await handleChatRequest(ask('What is 40 + 2? Answer with the number.', { command: 'route' }), [], stream, new TestCancellation(), deps);
    assert.equal(result.errorDetails, undefined);
    assert.match(stream.progressLines[0], /^Estimate: at most 1 call \(routed: single:claude\), /);
    assert.match(stream.progressLines[1], /^Route: single:claude\. On \d+ similar tasks \(arithmetic\), claude 1\.00±0\.\d\d is clearly best for its cost/);
    assert.deepEqual(server.requests.map((r) => r.model), ['model-a']);
    assert.match(stream.markdownText, /The sum is 42\./);

    const unlike = new RecordingStream();
    await handleChatRequest(ask('Compose a sonnet about autumn leaves in Kyoto', { command: 'route' }), [], unlike, new TestCancellation(), deps);
    assert.match(unlike.progressLines[1], /^Route: fell back to smoa: no evaluated task is like this prompt/);
  });

  it('runs the strategy named by the slash command', async () => {
    const { deps } = harness(server);
    const stream = new RecordingStream();
    const result = await handleChatRequest(ask('Say hi', { command: 'single' }), [], stream, new TestCancellation(), deps);
    assert.equal(result.errorDetails, undefined);
    assert.deepEqual(stream.progressLines.slice(1), ['Aggregator gpt-4o is writing the answer']);
    assert.match(stream.progressLines[0], /^Estimate: at most 1 call, /);
    assert.equal(server.requests.length, 1);
    assert.match(stream.markdownText, /_Single model: 1 call, /);
  });

  it('sends the earlier @smoa turns and the attached references to every model, and shows each reference', async () => {
    const { deps } = harness(server);
    const history: HistoryTurn[] = [
      { kind: 'request', prompt: 'What is a debounce?' },
      { kind: 'response', text: 'progress noise and summary', metadata: { answer: 'It delays a call until input settles.' } },
      { kind: 'request', prompt: '', command: 'roles' },
      { kind: 'response', text: 'Cached roles ...' },
    ];
    const references = [{ id: 'file:app.ts', value: 'export const x = 1;' }];
    const stream = new RecordingStream();
    await handleChatRequest(ask('Now write one for app.ts', { command: 'moa', references }), history, stream, new TestCancellation(), deps);

    assert.deepEqual(
      stream.parts.filter((p) => p.kind === 'reference'),
      [{ kind: 'reference', anchor: 'anchor:file:app.ts' }],
    );
    const proposerCalls = server.requests.filter((r) => !isJudge(r) && !isRoles(r));
    assert.ok(proposerCalls.length >= 4);
    for (const req of proposerCalls) {
      const turns = req.messages.filter((m) => m.role !== 'system');
      assert.deepEqual(turns.slice(0, 2), [
        { role: 'user', content: 'What is a debounce?' },
        { role: 'assistant', content: 'It delays a call until input settles.' },
      ]);
      const last = turns.at(-1)!.content;
      assert.match(last, /<context source="file:app.ts">\nexport const x = 1;\n<\/context>/);
      assert.ok(last.endsWith('Now write one for app.ts'));
      assert.equal(turns.length, 3, 'the /roles exchange is not part of the conversation');
    }
  });

  describe('context asked for in words (no #file completion without Copilot)', () => {
    const files: Record<string, string> = { 'src/stats.ts': 'export function median(xs: number[]) {}' };
    function withWorkspace(deps: ChatDeps, selection?: ReturnType<NonNullable<ChatDeps['activeSelection']>>) {
      deps.findWorkspaceFile = async (path) => (files[path] ? { label: path, content: files[path], anchor: `uri:${path}` } : undefined);
      deps.activeSelection = () => selection;
      return deps;
    }
    // What the response shows under the answer: VS Code folds what comes before the answer away ("Completed N steps").
    const footer = (stream: RecordingStream) => stream.markdownText.split('\n---\n').at(-1) ?? '';
    const lastUserTurns = () =>
      server.requests.filter((r) => !isJudge(r) && !isRoles(r)).map((r) => r.messages.filter((m) => m.role === 'user').at(-1)!.content);

    it('a literal #file:<path> VS Code did not resolve is read from the workspace and reaches every model', async () => {
      const deps = withWorkspace(harness(server, { roles: 'off', layers: 1 }).deps);
      const stream = new RecordingStream();
      await handleChatRequest(ask('What is wrong in #file:src/stats.ts?'), [], stream, new TestCancellation(), deps);
      assert.deepEqual(stream.parts.filter((p) => p.kind === 'reference'), [{ kind: 'reference', anchor: 'uri:src/stats.ts' }]);
      assert.match(footer(stream), /^_SMoA: [^\n]+_\n\nAttached `src\/stats\.ts` for `#file:src\/stats\.ts`\./);
      const turns = lastUserTurns();
      assert.ok(turns.length >= 4);
      for (const turn of turns) assert.match(turn, /<context source="src\/stats\.ts">\nexport function median/);
    });

    it('says in the response when a #<path> names no file, and sends the question without it', async () => {
      const deps = withWorkspace(harness(server, { roles: 'off', layers: 1 }).deps);
      const stream = new RecordingStream();
      await handleChatRequest(ask('Explain #src/missing.ts please'), [], stream, new TestCancellation(), deps);
      assert.match(footer(stream), /^_SMoA: [^\n]+_\n\n`#src\/missing\.ts`: no such file in the workspace; the models did not get it\./);
      for (const turn of lastUserTurns()) assert.doesNotMatch(turn, /<context/);
    });

    it('does not read a #file VS Code resolved itself a second time', async () => {
      const deps = withWorkspace(harness(server, { roles: 'off', layers: 1 }).deps);
      let looked = 0;
      const find = deps.findWorkspaceFile!;
      deps.findWorkspaceFile = (path) => (looked++, find(path));
      const prompt = 'Review #file:src/stats.ts';
      const references = [{ id: 'vscode.file', value: 'export function median() {}', range: [7, 25] as const }];
      const stream = new RecordingStream();
      await handleChatRequest(ask(prompt, { references }), [], stream, new TestCancellation(), deps);
      assert.equal(looked, 0);
      assert.doesNotMatch(stream.markdownText, /Attached/);
    });

    it('a question about "this" code sends the editor\'s selection and says which lines', async () => {
      const selection = { label: 'src/stats.ts:6-9', content: 'const sorted = [...xs].sort();', anchor: 'loc:6-9', file: 'src/stats.ts', firstLine: 6, lastLine: 9 };
      const deps = withWorkspace(harness(server, { roles: 'off', layers: 1 }).deps, selection);
      const stream = new RecordingStream();
      await handleChatRequest(ask('Why is this wrong?'), [], stream, new TestCancellation(), deps);
      assert.match(footer(stream), /^_SMoA: [^\n]+_\n\nSent your selection: lines 6-9 of `src\/stats\.ts`\./);
      assert.deepEqual(stream.parts.filter((p) => p.kind === 'reference'), [{ kind: 'reference', anchor: 'loc:6-9' }]);
      for (const turn of lastUserTurns()) assert.match(turn, /<context source="src\/stats\.ts:6-9">\nconst sorted/);
    });

    it('a selection VS Code attached itself (its implicit context) is sent once, and the response says which lines', async () => {
      const selection = { label: 'src/stats.ts:6-9', content: 'const sorted = [...xs].sort();', anchor: 'loc:6-9', file: 'src/stats.ts', firstLine: 6, lastLine: 9 };
      const deps = withWorkspace(harness(server, { roles: 'off', layers: 1 }).deps, selection);
      deps.readReference = async () => ({ label: 'src/stats.ts:6-9', content: selection.content, anchor: 'loc:6-9' });
      const references = [{ id: 'vscode.implicit.selection', value: 'a Location' }];
      const stream = new RecordingStream();
      await handleChatRequest(ask('Why is this wrong?', { references }), [], stream, new TestCancellation(), deps);
      assert.match(footer(stream), /^_SMoA: [^\n]+_\n\nSent your selection: lines 6-9 of `src\/stats\.ts`\./);
      assert.equal(stream.parts.filter((p) => p.kind === 'reference').length, 1);
      for (const turn of lastUserTurns()) assert.equal(turn.split('<context source="src/stats.ts:6-9">').length, 2, turn);
    });

    it('a question not about "this" code leaves the selection out', async () => {
      const selection = { label: 'src/stats.ts:6-9', content: 'const sorted = [...xs].sort();', anchor: 'loc:6-9', file: 'src/stats.ts', firstLine: 6, lastLine: 9 };
      const deps = withWorkspace(harness(server, { roles: 'off', layers: 1 }).deps, selection);
      const stream = new RecordingStream();
      await handleChatRequest(ask('How do I sort numbers in JavaScript?'), [], stream, new TestCancellation(), deps);
      assert.doesNotMatch(stream.markdownText, /selection/);
      for (const turn of lastUserTurns()) assert.doesNotMatch(turn, /<context/);
    });
  });

  it('cancelling the chat request aborts every request in flight at the server', async () => {
    server.setResponder(() => ({ text: 'slow '.repeat(400), tokensPerSecond: 20 }));
    const { deps } = harness(server, { roles: 'off' });
    const stream = new RecordingStream();
    const token = new TestCancellation();
    const pending = handleChatRequest(ask('Take your time'), [], stream, token, deps);
    await stream.when((p) => p.kind === 'progress' && p.text.startsWith('Layer 1/3'));
    while (server.activeRequests() < 4) await new Promise((r) => setImmediate(r));
    token.cancel();
    const result = await pending;
    await server.waitForIdle(2000);
    assert.equal(server.abortedRequests, 4);
    assert.equal(result.errorDetails, undefined, 'a cancel is not an error');
    // The response says it was cancelled (after the last progress line) and offers nothing to build on.
    const kinds = stream.parts.map((p) => p.kind);
    assert.ok(kinds.lastIndexOf('markdown') > kinds.lastIndexOf('progress'));
    assert.equal(stream.markdownText, '**Cancelled** 0 of 4 calls had finished.');
    assert.deepEqual(stream.buttons, []);
    assert.equal(result.metadata.cancelled, true);
    assert.deepEqual(followupsFor(result.metadata), []);
  });

  it('after the chat\'s own Stop, which hides the rest of the response, the user is still told what had finished', async () => {
    server.setResponder(() => ({ text: 'slow '.repeat(400), tokensPerSecond: 20 }));
    const { deps } = harness(server, { roles: 'off' });
    const told: string[] = [];
    deps.notify = (message) => told.push(message);
    const token = new TestCancellation();
    // As in VS Code: nothing streamed after Stop reaches the response.
    const stream = new RecordingStream(token);
    const pending = handleChatRequest(ask('Take your time'), [], stream, token, deps);
    await stream.when((p) => p.kind === 'progress' && p.text.startsWith('Layer 1/3'));
    while (server.activeRequests() < 4) await new Promise((r) => setImmediate(r));
    token.cancel();
    const result = await pending;
    await server.waitForIdle(2000);
    assert.equal(stream.markdownText, '', 'VS Code shows nothing streamed after Stop');
    assert.deepEqual(told, ['SMoA run cancelled: 0 of 4 calls had finished.']);
    assert.deepEqual(followupsFor(result.metadata), []);

    // What VS Code does show after Stop is the next response: it starts by saying how the stopped run ended, once.
    server.setResponder(agreeingJudge);
    const next = new RecordingStream();
    await handleChatRequest(ask('A shorter question'), [], next, new TestCancellation(), deps);
    assert.ok(next.markdownText.startsWith('_Your previous run was stopped: 0 of 4 calls had finished._\n\n'), next.markdownText.slice(0, 120));
    const after = new RecordingStream();
    await handleChatRequest(ask('And another'), [], after, new TestCancellation(), deps);
    assert.doesNotMatch(after.markdownText, /previous run was stopped/);
  });

  describe('failures the user can act on', () => {
    it('an invalid setting names the setting and offers to open it', async () => {
      const { deps } = harness(server, { proposers: ['claude', 'nope'] });
      const stream = new RecordingStream();
      const result = await handleChatRequest(ask('hi'), [], stream, new TestCancellation(), deps);
      assert.equal(result.errorDetails!.message, 'SMoA cannot run: invalid setting');
      assert.match(stream.markdownText, /smoa\.proposers\[1\]: unknown model "nope"/);
      assert.deepEqual(stream.buttons, [{ title: 'Open Settings', command: 'workbench.action.openSettings', arguments: ['smoa.proposers'] }]);
      assert.equal(server.requests.length, 0);
    });

    it('a missing key says which endpoint and offers "Set API Key"', async () => {
      const endpoints = [{ id: 'local', baseURL: server.url, apiKeyEnv: 'SMOA_TEST_UNSET_KEY_VAR', maxRetries: 0 }];
      const { deps } = harness(server, { roles: 'off', endpoints }, () => undefined);
      const stream = new RecordingStream();
      const result = await handleChatRequest(ask('hi'), [], stream, new TestCancellation(), deps);
      assert.equal(result.errorDetails!.message, 'SMoA run failed: all 4 proposers failed in layer 1');
      // The explanation comes first, its fix hint a paragraph of its own (not glued to the last failed call), then the button.
      assert.match(stream.markdownText, /- claude \(slot 4\): endpoint "local": no API key \(environment variable SMOA_TEST_UNSET_KEY_VAR is not set\)\n\nSet the key for endpoint "local" with "SMoA: Set API Key"\.\n\n$/);
      assert.match(stream.markdownText, /^SMoA run failed: all 4 proposers failed in layer 1:\n- claude \(slot 1\): endpoint "local": no API key/);
      assert.deepEqual(stream.parts.filter((p) => p.kind !== 'progress').map((p) => p.kind), ['markdown', 'button']);
      assert.deepEqual(stream.buttons, [{ title: 'Set API Key', command: 'smoa.setApiKey', arguments: ['local'] }]);
    });

    it('an unreachable endpoint names its URL and offers the endpoint settings', async () => {
      const closed = await startFakeServer();
      await closed.close();
      const { deps } = harness(server, { roles: 'off', endpoints: [{ id: 'local', baseURL: closed.url, maxRetries: 0 }] });
      const stream = new RecordingStream();
      const result = await handleChatRequest(ask('hi'), [], stream, new TestCancellation(), deps);
      assert.equal(result.errorDetails?.message, 'SMoA run failed: all 4 proposers failed in layer 1');
      assert.match(stream.markdownText, new RegExp(`cannot reach endpoint "local" at ${closed.url.replace(/[.]/g, '\\.')} \\(ECONNREFUSED\\)`));
      assert.deepEqual(stream.buttons, [{ title: 'Open Settings', command: 'workbench.action.openSettings', arguments: ['smoa.endpoints'] }]);
    });

    it('when every proposer fails, each one is listed with its reason', async () => {
      server.injectFault({ kind: 'server-error', status: 503 }, { times: 4 });
      const { deps } = harness(server, { roles: 'off' });
      const stream = new RecordingStream();
      await handleChatRequest(ask('hi'), [], stream, new TestCancellation(), deps);
      const message = stream.markdownText;
      for (const line of ['claude (slot 1): HTTP 503', 'gpt-4o (slot 2): HTTP 503', 'llama (slot 3): HTTP 503', 'claude (slot 4): HTTP 503']) {
        assert.ok(message.includes(line), `${line} in:\n${message}`);
      }
    });

    it('with nothing configured and no VS Code models, says how to get a model', async () => {
      const { deps } = harness(server, { models: [], proposers: [], aggregator: '' });
      const stream = new RecordingStream();
      const result = await handleChatRequest(ask('hi'), [], stream, new TestCancellation(), deps);
      assert.match(result.errorDetails!.message, /^No model configured/);
      assert.deepEqual(stream.buttons.map((b) => b.command), ['smoa.configureModels', 'workbench.action.openSettings']);
    });
  });

  describe('/roles', () => {
    it('shows the roles written for the last question, and regenerates them on request', async () => {
      let written = 0;
      server.setResponder((req) => (isRoles(req) ? { text: JSON.stringify({ roles: [1, 2, 3, 4].map((i) => `You are role ${i}.${written}`) }) } : undefined));
      const { deps } = harness(server);
      const history: HistoryTurn[] = [{ kind: 'request', prompt: 'Design a cache' }, { kind: 'response', text: 'answer' }];
      const first = new RecordingStream();
      await handleChatRequest(ask('', { command: 'roles' }), history, first, new TestCancellation(), deps);
      assert.match(first.markdownText, /^Newly written roles for "Design a cache":\n\n1\. \*\*claude\*\*: You are role 1\.0/);

      const again = new RecordingStream();
      await handleChatRequest(ask('', { command: 'roles' }), history, again, new TestCancellation(), deps);
      assert.match(again.markdownText, /^Cached roles/);

      written = 1;
      const fresh = new RecordingStream();
      const result = await handleChatRequest(ask('regenerate', { command: 'roles' }), history, fresh, new TestCancellation(), deps);
      assert.match(fresh.markdownText, /^Newly written roles .*\n\n1\. \*\*claude\*\*: You are role 1\.1/s);
      assert.deepEqual(followupsFor(result.metadata), [{ prompt: 'regenerate', command: 'roles', label: 'Regenerate the roles' }]);
    });

    it('writes roles as a run of the run service, so the log and the trace panel see the role writer', async () => {
      server.setResponder((req) => (isRoles(req) ? { text: JSON.stringify({ roles: ['r1', 'r2', 'r3', 'r4'] }) } : undefined));
      const { deps, runs } = harness(server);
      const history: HistoryTurn[] = [{ kind: 'request', prompt: 'Design a cache' }, { kind: 'response', text: 'answer' }];
      await handleChatRequest(ask('', { command: 'roles' }), history, new RecordingStream(), new TestCancellation(), deps);
      const [run] = runs.list();
      assert.equal(run.trace.purpose, 'roles');
      assert.deepEqual(run.trace.calls.map((c) => c.stage), ['roles']);
      assert.deepEqual(run.trace.roles?.roles, ['r1', 'r2', 'r3', 'r4']);
      assert.equal(run.trace.status, 'ok');
    });
  });

  it('offers a dense re-run and the roles as follow-ups after an answer', () => {
    assert.deepEqual(followupsFor({ command: 'smoa', prompt: 'q', runId: 'r1', strategy: 'smoa' }), [
      { prompt: 'q', command: 'moa', label: 'Run again dense (MoA: keep every answer)' },
      { prompt: '', command: 'roles', label: 'Show the roles' },
    ]);
    assert.deepEqual(followupsFor({ command: 'moa', prompt: 'q', runId: 'r1', strategy: 'moa' }), []);
  });
});
