import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { isOwnTool } from '../../../src/models/ensemble-model';
import { startFakeServer, type FakeServer } from '../../server/fake-openai';

// The smoa vendor in a real VS Code: the configured endpoint models (test/vscode/settings.json: "a" and "b" on the fake
// server) and the SMoA ensemble reach vscode.lm, answer requests, and the consult tool is registered.
const EXTENSION_ID = 'smoa-dev.smoa-vscode';

/** Models appear once the provider is registered and VS Code has asked it; poll instead of guessing a delay. */
async function smoaModels(expected: number, timeoutMs = 10_000): Promise<vscode.LanguageModelChat[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const models = await vscode.lm.selectChatModels({ vendor: 'smoa' });
    if (models.length >= expected || Date.now() > deadline) return models;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function answer(model: vscode.LanguageModelChat, prompt: string): Promise<string> {
  const cts = new vscode.CancellationTokenSource();
  const response = await model.sendRequest([vscode.LanguageModelChatMessage.User(prompt)], {}, cts.token);
  let text = '';
  for await (const piece of response.text) text += piece;
  cts.dispose();
  return text;
}

suite('Model picker and consult tool', () => {
  suiteSetup(async function () {
    if (!process.env.SMOA_TEST_BASE_URL) this.skip(); // the models need the fake server
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  test('vscode.lm lists the configured models and the SMoA ensemble under the smoa vendor', async () => {
    const models = await smoaModels(3);
    const byId = new Map(models.map((m) => [m.id, m]));
    assert.deepEqual([...byId.keys()].sort(), ['a', 'b', 'smoa-ensemble']);
    assert.equal(byId.get('a')?.family, 'model-a');
    assert.equal(byId.get('smoa-ensemble')?.name, 'SMoA ensemble');
  });

  test('an endpoint model answers through the fake server', async () => {
    const [model] = await vscode.lm.selectChatModels({ vendor: 'smoa', id: 'b' });
    assert.ok(model, 'model "b" is offered');
    assert.match(await answer(model, 'Say hello'), /model-b/);
  });

  test('the ensemble answers with the pipeline and counts tokens', async function () {
    this.timeout(60_000);
    const [model] = await vscode.lm.selectChatModels({ vendor: 'smoa', id: 'smoa-ensemble' });
    assert.ok(model, 'the ensemble is offered');
    const text = await answer(model, 'How should I debounce a function?');
    assert.ok(text.trim().length > 0, 'a non-empty answer');
    // The project's one token rule: two bytes a token (an upper bound).
    assert.equal(await model.countTokens('12345678'), 4);
  });

  suite('tool calling through an endpoint model', () => {
    // A second fake server inside the extension host, so this test decides the replies: a tool call first, then text
    // once the tool result comes back. An extra endpoint and model are added to the user settings for the test.
    let server: FakeServer;
    const settings = () => vscode.workspace.getConfiguration('smoa');
    let saved: { endpoints: unknown; models: unknown };
    const tools: vscode.LanguageModelChatTool[] = [
      { name: 'read_file', description: 'Reads a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } },
    ];

    suiteSetup(async () => {
      server = await startFakeServer({
        ttftMs: 0,
        tokensPerSecond: 0,
        responder: (req) =>
          req.messages.some((m) => m.role === 'tool')
            ? { text: 'The file says hi.' }
            : { text: 'Reading it.', toolCalls: [{ id: 'call_1', name: 'read_file', arguments: '{"path":"a.ts"}' }] },
      });
      saved = { endpoints: settings().inspect('endpoints')?.globalValue, models: settings().inspect('models')?.globalValue };
      const asArray = (v: unknown) => (Array.isArray(v) ? v : []);
      await settings().update('endpoints', [...asArray(saved.endpoints), { id: 'tools', baseURL: server.url, maxRetries: 0 }], vscode.ConfigurationTarget.Global);
      await settings().update('models', [...asArray(saved.models), { id: 'tooly', endpoint: 'tools', model: 'tool-model' }], vscode.ConfigurationTarget.Global);
    });

    suiteTeardown(async () => {
      await settings().update('models', saved.models, vscode.ConfigurationTarget.Global);
      await settings().update('endpoints', saved.endpoints, vscode.ConfigurationTarget.Global);
      await server.close();
    });

    test('tools reach the endpoint, tool calls come back as parts, the tool result goes back as a tool message', async () => {
      const models = await smoaModels(4);
      const model = models.find((m) => m.id === 'tooly');
      assert.ok(model, `the new model is offered after the settings change (got ${models.map((m) => m.id).join(', ')})`);
      const cts = new vscode.CancellationTokenSource();
      const ask = [vscode.LanguageModelChatMessage.User('What is in a.ts?')];
      const first = await model.sendRequest(ask, { tools }, cts.token);
      const parts: unknown[] = [];
      for await (const part of first.stream) parts.push(part);
      const call = parts.find((p): p is vscode.LanguageModelToolCallPart => p instanceof vscode.LanguageModelToolCallPart);
      assert.ok(call, 'a LanguageModelToolCallPart');
      assert.deepEqual([call.callId, call.name, call.input], ['call_1', 'read_file', { path: 'a.ts' }]);
      assert.equal(server.requests[0].body.tools[0].function.name, 'read_file');

      const second = await model.sendRequest(
        [
          ...ask,
          vscode.LanguageModelChatMessage.Assistant([call]),
          vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(call.callId, [new vscode.LanguageModelTextPart('hi')])]),
        ],
        { tools },
        cts.token,
      );
      let text = '';
      for await (const piece of second.text) text += piece;
      cts.dispose();
      assert.equal(text, 'The file says hi.');
      const sent = server.requests[1].body.messages;
      assert.equal(sent[1].tool_calls[0].id, 'call_1');
      assert.deepEqual(sent[2], { role: 'tool', tool_call_id: 'call_1', content: 'hi' });
    });
  });

  suite('the ensemble in Agent mode (through vscode.lm with tools)', () => {
    // The ensemble's panel is the "tooly" model on a fake server inside the extension host: proposers and judge get
    // default replies; the aggregator (the only request with tools) calls read_file, then answers from its result.
    let server: FakeServer;
    const settings = () => vscode.workspace.getConfiguration('smoa');
    const keys = ['endpoints', 'models', 'proposers', 'aggregator', 'judge', 'layers', 'topK', 'roles'] as const;
    const saved = new Map<string, unknown>();
    const tools: vscode.LanguageModelChatTool[] = [
      { name: 'read_file', description: 'Reads a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } },
    ];

    suiteSetup(async () => {
      server = await startFakeServer({
        ttftMs: 0,
        tokensPerSecond: 0,
        responder: (req) => {
          if (!req.body.tools) return undefined;
          return req.messages.some((m) => m.role === 'tool')
            ? { text: 'The file says hi.' }
            : { toolCalls: [{ id: 'call_7', name: 'read_file', arguments: '{"path":"a.ts"}' }] };
        },
      });
      for (const key of keys) saved.set(key, settings().inspect(key)?.globalValue);
      const update = (key: string, value: unknown) => settings().update(key, value, vscode.ConfigurationTarget.Global);
      await update('endpoints', [{ id: 'agent', baseURL: server.url, maxRetries: 0 }]);
      await update('models', [{ id: 'tooly', endpoint: 'agent', model: 'tool-model' }]);
      await update('proposers', ['tooly', 'tooly']);
      await update('aggregator', 'tooly');
      await update('judge', 'tooly');
      await update('layers', 1);
      await update('topK', 1);
      await update('roles', 'off');
    });

    suiteTeardown(async () => {
      for (const key of keys) await settings().update(key, saved.get(key), vscode.ConfigurationTarget.Global);
      await server.close();
    });

    test('the aggregator calls the tool; the next turn carries its result to every member and answers', async function () {
      this.timeout(60_000);
      const [model] = await vscode.lm.selectChatModels({ vendor: 'smoa', id: 'smoa-ensemble' });
      assert.ok(model, 'the ensemble is offered');
      const cts = new vscode.CancellationTokenSource();
      const ask = [vscode.LanguageModelChatMessage.User('What is in a.ts?')];
      const first = await model.sendRequest(ask, { tools }, cts.token);
      const parts: unknown[] = [];
      for await (const part of first.stream) parts.push(part);
      const call = parts.find((p): p is vscode.LanguageModelToolCallPart => p instanceof vscode.LanguageModelToolCallPart);
      assert.ok(call, `a LanguageModelToolCallPart (got ${JSON.stringify(parts)})`);
      assert.deepEqual([call.callId, call.name, call.input], ['call_7', 'read_file', { path: 'a.ts' }]);
      const withTools = server.requests.filter((r) => r.body.tools);
      assert.equal(withTools.length, 1, 'only the aggregator gets tool schemas');
      assert.equal(withTools[0].headers['x-smoa-stage'], 'aggregator');

      server.requests.length = 0;
      const second = await model.sendRequest(
        [
          ...ask,
          vscode.LanguageModelChatMessage.Assistant([call]),
          vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(call.callId, [new vscode.LanguageModelTextPart('hi from a.ts')])]),
        ],
        { tools },
        cts.token,
      );
      let text = '';
      for await (const piece of second.text) text += piece;
      cts.dispose();
      assert.equal(text, 'The file says hi.');
      for (const r of server.requests) assert.match(JSON.stringify(r.body.messages), /hi from a\.ts/, `${String(r.headers['x-smoa-stage'])} sees the tool result`);
      assert.ok(server.requests.some((r) => r.headers['x-smoa-stage'] === 'proposer'), 'the panel reconsulted on the final answer');
    });
  });

  test('the smoa mcp server registered by the extension starts, and the ensemble hides its consult tool', async function () {
    this.timeout(60_000);
    // VS Code names an MCP tool "mcp_" + the server's name (its initialize serverInfo, else the definition label),
    // lowercased and clipped, + "_" + the tool name; the recursion guard must recognise what VS Code really makes.
    // The server is offered only once the user opts in (smoa.mcp.enabled, off by default).
    await vscode.workspace.getConfiguration('smoa').update('mcp.enabled', true, vscode.ConfigurationTarget.Global);
    // The provider's definitions arrive asynchronously after activation: start "every server" until ours has started.
    const deadline = Date.now() + 30_000;
    let consult: vscode.LanguageModelToolInformation | undefined;
    while (!consult && Date.now() < deadline) {
      await vscode.commands.executeCommand('workbench.mcp.startServer', '*', { waitForLiveTools: true });
      consult = vscode.lm.tools.find((t) => t.name.startsWith('mcp_') && t.name.endsWith('consult'));
      if (!consult) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(consult, `an MCP consult tool appears (tools: ${vscode.lm.tools.map((t) => t.name).join(', ')})`);
    assert.equal(consult.name, 'mcp_smoa_consult');
    assert.ok(isOwnTool(consult.name), `${consult.name} is recognised as this extension's own tool`);
  });

  test('the smoa_consult tool is registered', () => {
    const tool = vscode.lm.tools.find((t) => t.name === 'smoa_consult');
    assert.ok(tool, `tools: ${vscode.lm.tools.map((t) => t.name).join(', ')}`);
    // `prompt` is the field; the deprecated `question` is still accepted for one release, so neither is required
    const schema = tool.inputSchema as { properties?: Record<string, unknown> };
    assert.ok(schema.properties?.prompt && schema.properties.question, JSON.stringify(schema));
  });
});
