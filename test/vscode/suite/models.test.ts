import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

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
    assert.equal(await model.countTokens('12345678'), 2);
  });

  test('the smoa_consult tool is registered', () => {
    const tool = vscode.lm.tools.find((t) => t.name === 'smoa_consult');
    assert.ok(tool, `tools: ${vscode.lm.tools.map((t) => t.name).join(', ')}`);
    assert.deepEqual((tool.inputSchema as { required?: string[] }).required, ['question']);
  });
});
