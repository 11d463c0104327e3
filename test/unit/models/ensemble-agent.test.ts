import assert from 'node:assert/strict';
import { resolveConfig } from '../../../src/host/config-resolver';
import { RunService } from '../../../src/host/run-service';
import { AgentExchanges } from '../../../src/models/agent-exchanges';
import { answerWithEnsemble, type EnsembleTools } from '../../../src/models/ensemble-model';
import { LM_ROLE, type LmMessage, type LmTool } from '../../../src/models/message-mapping';
import { ensembleInformation } from '../../../src/models/model-catalog';
import type { ToolCall } from '../../../src/pipeline/client';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import { loadConfig } from '../../../src/pipeline/config';
import { exchangeTotals } from '../../../src/pipeline/trace';
import { startFakeServer, type FakeRequest, type FakeServer } from '../../server/fake-openai';

// The ensemble in Agent mode, end to end through RunService, the engine and the SDK against the fake server: the
// aggregator alone gets tool schemas and calls tools; the other members advise from the conversation.

const user = (value: string): LmMessage => ({ role: LM_ROLE.user, content: [{ value }] });
const readFile: LmTool = {
  name: 'readFile',
  description: 'Reads a file of the workspace.',
  inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};
const FILE_TEXT = 'export const answer = 41; // FILE-CONTENT-MARKER';
/** A turn after the agent called readFile and VS Code sent its result back. */
const afterToolResult: LmMessage[] = [
  { role: LM_ROLE.system, content: [{ value: 'You are a coding agent. Use tools to act.' }] },
  user('Fix the off-by-one in a.ts.'),
  { role: LM_ROLE.assistant, content: [{ callId: 'call_1', name: 'readFile', input: { path: 'a.ts' } }] },
  { role: LM_ROLE.user, content: [{ callId: 'call_1', content: [{ value: FILE_TEXT }] }] },
];

const stageOf = (r: FakeRequest) => String(r.headers['x-smoa-stage'] ?? '');
const toolNames = (r: FakeRequest): string[] => (r.body.tools ?? []).map((t: { function: { name: string } }) => t.function.name);
const wire = (r: FakeRequest) => JSON.stringify(r.body.messages);

function services(server: FakeServer, overrides: Record<string, unknown> = {}) {
  const settings: Record<string, unknown> = {
    endpoints: [{ id: 'local', baseURL: server.url, maxRetries: 0 }],
    models: [
      { id: 'a', endpoint: 'local', model: 'model-a' },
      { id: 'b', endpoint: 'local', model: 'model-b' },
    ],
    proposers: ['a', 'b'],
    aggregator: 'a',
    judge: 'b',
    layers: 1,
    topK: 1,
    roles: 'off',
    ...overrides,
  };
  const sources = { settingsInput: () => settings, vscodeModels: async () => [] };
  const pool = new EndpointPool();
  const runs = new RunService({
    getConfig: async () => {
      const r = await resolveConfig(sources);
      if (!r.ok) throw new Error(r.problem.message);
      return r.config;
    },
    clientFor: (config) => createClientFactory(config, pool),
  });
  return { runs, resolveConfig: () => resolveConfig(sources) };
}

function agent(tools: LmTool[] = [readFile]): EnsembleTools & { calls: ToolCall[] } {
  const calls: ToolCall[] = [];
  return { tools, calls, onToolCall: (call) => calls.push(call) };
}

describe('SMoA ensemble in Agent mode', function () {
  this.timeout(20_000);
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer({ ttftMs: 0, tokensPerSecond: 0 });
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  it('gives tool schemas to the aggregator only and streams its tool call back', async () => {
    server.setResponder((req) =>
      stageOf(req) === 'aggregator' ? { toolCalls: [{ id: 'call_9', name: 'readFile', arguments: '{"path":"src/a.ts"}' }] } : undefined,
    );
    const deps = services(server);
    const tools = agent();
    const text: string[] = [];
    const outcome = await answerWithEnsemble([user('Fix the bug in a.ts.')], deps, new AbortController().signal, (t) => text.push(t), tools);
    assert.equal(outcome.status, 'ok');
    assert.deepEqual(tools.calls, [{ callId: 'call_9', name: 'readFile', input: { path: 'src/a.ts' } }]);
    assert.equal(text.join(''), '', 'a tool call, no text');
    const withTools = server.requests.filter((r) => r.body.tools);
    assert.deepEqual(withTools.map(stageOf), ['aggregator']);
    assert.deepEqual(toolNames(withTools[0]), ['readFile']);
    assert.ok(server.requests.some((r) => stageOf(r) === 'proposer') && server.requests.some((r) => stageOf(r) === 'judge'));
    // The run's trace shows the call in the aggregator's card.
    const run = (deps.runs as RunService).get(outcome.runId);
    const aggregatorCall = run?.trace.calls.find((c) => c.stage === 'aggregator');
    assert.deepEqual(aggregatorCall?.toolCalls, [{ toolCallId: 'call_9', name: 'readFile', input: { path: 'src/a.ts' } }]);
  });

  it('each run of one agent task carries what the earlier runs cost; the last one sums the whole task', async () => {
    server.setResponder((req) => {
      if (stageOf(req) !== 'aggregator') return undefined;
      return JSON.stringify(req.body.messages).includes('FILE-CONTENT-MARKER')
        ? { text: 'Changed 41 to 42.' }
        : { toolCalls: [{ id: 'call_1', name: 'readFile', arguments: '{"path":"a.ts"}' }] };
    });
    const priced = (id: string, model: string) => ({ id, endpoint: 'local', model, price: { inputPerMTok: 1, outputPerMTok: 2 } });
    const deps = { ...services(server, { models: [priced('a', 'model-a'), priced('b', 'model-b')] }), exchanges: new AgentExchanges() };
    const run = (messages: LmMessage[]) => answerWithEnsemble(messages, deps, new AbortController().signal, () => {}, agent());
    const traceOf = (runId: string) => deps.runs.get(runId)!.trace;

    // Step 1 calls the tool; step 2 (final-only) is the aggregator's turn plus the panel's reconsult: three runs.
    const first = await run(afterToolResult.slice(0, 2));
    const second = await run(afterToolResult);
    const ids = [...first.runIds, ...second.runIds];
    assert.equal(ids.length, 3);
    const traces = ids.map(traceOf);
    assert.deepEqual(traces.map((t) => t.exchange?.turn), [1, 2, 3]);
    assert.equal(traces[0].exchange?.earlier.runs, 0);
    const total = exchangeTotals(traces[2])!;
    const sum = (f: (t: (typeof traces)[number]) => number) => traces.reduce((n, t) => n + f(t), 0);
    assert.equal(total.runs, 3);
    assert.equal(total.calls, sum((t) => t.totals!.calls));
    assert.equal(total.promptTokens, sum((t) => t.totals!.promptTokens));
    assert.equal(total.completionTokens, sum((t) => t.totals!.completionTokens));
    assert.ok(total.cost?.complete);
    assert.ok(Math.abs(total.cost.usd - sum((t) => t.totals!.cost!.usd)) < 1e-12);
    assert.ok(total.cost.usd > traces[2].totals!.cost!.usd, 'more than the last run alone');

    // A new message from the user starts a new task.
    const next = await run([...afterToolResult, { role: LM_ROLE.assistant, content: [{ value: 'Changed 41 to 42.' }] }, user('Now add a test.')]);
    assert.equal(traceOf(next.runIds[0]).exchange?.turn, 1);
  });

  it('never offers its own consult tools to the aggregator, so a run cannot start a run', async () => {
    server.setResponder((req) => (stageOf(req) === 'aggregator' ? { text: 'No tool needed.' } : undefined));
    const own: LmTool[] = [
      { name: 'smoa_consult', description: 'Ask the SMoA ensemble.' },
      { name: 'mcp_smoa_consult', description: 'Ask the SMoA ensemble over MCP.' },
      // VS Code numbers a second server with the same name: mcp_smoa2_consult.
      { name: 'mcp_smoa2_consult', description: 'Ask the SMoA ensemble over MCP, registered twice.' },
    ];
    await answerWithEnsemble([user('q')], services(server), new AbortController().signal, () => {}, agent([...own, readFile]));
    assert.deepEqual(toolNames(server.requests.find((r) => r.body.tools)!), ['readFile']);
    server.reset();
    await answerWithEnsemble([user('q')], services(server), new AbortController().signal, () => {}, agent(own));
    assert.ok(server.requests.length > 0);
    assert.ok(!server.requests.some((r) => r.body.tools), 'with only its own tools offered, nobody gets tools');
  });

  it('reconsult "full": the follow-up turn is a whole run and every member sees the tool result', async () => {
    server.setResponder((req) => (stageOf(req) === 'aggregator' ? { text: 'Changed 41 to 42.' } : undefined));
    const deps = services(server, { agent: { reconsult: 'full' } });
    const text: string[] = [];
    const outcome = await answerWithEnsemble(afterToolResult, deps, new AbortController().signal, (t) => text.push(t), agent());
    assert.equal(text.join(''), 'Changed 41 to 42.');
    assert.deepEqual(
      [...new Set(server.requests.map(stageOf))].sort(),
      ['aggregator', 'judge', 'proposer'],
    );
    for (const r of server.requests) assert.match(wire(r), /FILE-CONTENT-MARKER/, `${stageOf(r)} request carries the tool result`);
    for (const r of server.requests.filter((q) => stageOf(q) !== 'aggregator')) {
      assert.ok(!r.body.tools, `${stageOf(r)} gets no tool schemas`);
      assert.ok(!r.body.messages.some((m: { role: string }) => m.role === 'tool'), `${stageOf(r)} reads tool traffic as text`);
      assert.match(wire(r), /Fix the off-by-one in a\.ts/);
    }
    // The aggregator sees the conversation in OpenAI's own shape, the agent's instructions included.
    const aggregator = server.requests.find((r) => stageOf(r) === 'aggregator')!;
    const messages = aggregator.body.messages as { role: string; content: string | null; tool_call_id?: string; tool_calls?: unknown[] }[];
    assert.equal(messages[0].role, 'system');
    assert.match(messages[0].content ?? '', /### Candidate 1/);
    assert.ok(messages.some((m) => m.role === 'system' && /coding agent/.test(m.content ?? '')));
    assert.ok(messages.some((m) => m.role === 'assistant' && m.tool_calls?.length === 1));
    assert.deepEqual(messages.at(-1), { role: 'tool', tool_call_id: 'call_1', content: FILE_TEXT });
    assert.deepEqual(toolNames(aggregator), ['readFile']);
    const run = deps.runs as RunService;
    assert.deepEqual(run.get(outcome.runId)?.trace.toolResults, [{ toolCallId: 'call_1', name: 'readFile', text: FILE_TEXT }]);
  });

  it('reconsult "final-only": while the aggregator calls tools it works alone', async () => {
    server.setResponder(() => ({ toolCalls: [{ id: 'call_2', name: 'readFile', arguments: '{"path":"b.ts"}' }] }));
    const tools = agent();
    const deps = services(server, { agent: { reconsult: 'final-only' } });
    const outcome = await answerWithEnsemble(afterToolResult, deps, new AbortController().signal, () => {}, tools);
    assert.deepEqual(server.requests.map(stageOf), ['aggregator'], 'one call: no proposers, no judge');
    assert.deepEqual(toolNames(server.requests[0]), ['readFile']);
    assert.match(wire(server.requests[0]), /FILE-CONTENT-MARKER/);
    assert.deepEqual(tools.calls, [{ callId: 'call_2', name: 'readFile', input: { path: 'b.ts' } }]);
    assert.equal(outcome.runIds.length, 1);
  });

  it('reconsult "final-only": when the aggregator stops calling tools, the panel reconsults once on its draft', async () => {
    let aggregatorCalls = 0;
    server.setResponder((req) => {
      if (stageOf(req) !== 'aggregator') return undefined;
      aggregatorCalls++;
      return { text: aggregatorCalls === 1 ? 'DRAFT: set it to 42.' : 'Final: set answer to 42 in a.ts.' };
    });
    const text: string[] = [];
    const outcome = await answerWithEnsemble(afterToolResult, services(server), new AbortController().signal, (t) => text.push(t), agent());
    assert.equal(text.join(''), 'Final: set answer to 42 in a.ts.', 'the draft is not shown, the reconsulted answer is');
    assert.equal(outcome.runIds.length, 2);
    const proposals = server.requests.filter((r) => stageOf(r) === 'proposer');
    assert.equal(proposals.length, 2);
    for (const p of proposals) {
      assert.match(wire(p), /DRAFT: set it to 42\./, 'the panel reviews the draft');
      assert.match(wire(p), /FILE-CONTENT-MARKER/);
    }
    assert.equal(aggregatorCalls, 2);
  });

  it('is the default: reconsult "final-only"', () => {
    const config = loadConfig({ models: [{ id: 'a', endpoint: 'vscode', model: 'copilot/gpt-4o' }], proposers: ['a'], aggregator: 'a', topK: 1 });
    assert.equal(config.agent.reconsult, 'final-only');
  });

  it('declares tool calling only when the aggregator can call tools, and says why not in the tooltip', async () => {
    const base = {
      endpoints: [{ id: 'local', baseURL: 'http://127.0.0.1:1/v1' }],
      models: [
        { id: 'a', endpoint: 'local', model: 'model-a', toolCalling: false },
        { id: 'b', endpoint: 'local', model: 'model-b' },
        { id: 'v', endpoint: 'vscode', model: 'copilot/gpt-4o' },
      ],
      proposers: ['a', 'b'],
      topK: 1,
    };
    const noTools = ensembleInformation(loadConfig({ ...base, aggregator: 'a' }));
    assert.equal(noTools.capabilities.toolCalling, false);
    assert.match(noTools.tooltip ?? '', /Not offered in Agent mode: its aggregator "a" has toolCalling: false/);
    assert.equal(ensembleInformation(loadConfig({ ...base, aggregator: 'b' })).capabilities.toolCalling, true);
    assert.equal(ensembleInformation(loadConfig({ ...base, aggregator: 'v' })).capabilities.toolCalling, true);
    assert.equal(ensembleInformation(undefined).capabilities.toolCalling, true, 'zero set-up aggregates with a VS Code model');
  });

  it('ignores tools when the aggregator cannot call them, and answers in text', async () => {
    server.setResponder((req) => (stageOf(req) === 'aggregator' ? { text: 'Advice only.' } : undefined));
    const deps = services(server, {
      models: [
        { id: 'a', endpoint: 'local', model: 'model-a', toolCalling: false },
        { id: 'b', endpoint: 'local', model: 'model-b' },
      ],
    });
    const text: string[] = [];
    await answerWithEnsemble([user('q')], deps, new AbortController().signal, (t) => text.push(t), agent());
    assert.equal(text.join(''), 'Advice only.');
    assert.ok(!server.requests.some((r) => r.body.tools));
  });

  it('cancel stops every call of an agent turn', async () => {
    server.setResponder(() => ({ text: 'slow '.repeat(400), tokensPerSecond: 50 }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const outcome = await answerWithEnsemble(afterToolResult, services(server, { agent: { reconsult: 'full' } }), controller.signal, () => {}, agent());
    assert.equal(outcome.status, 'cancelled');
    await server.waitForIdle(2000);
    assert.equal(server.activeRequests(), 0);
  });
});
