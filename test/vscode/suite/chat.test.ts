import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SmoaExtensionApi } from '../../../src/extension';
import { RecordingStream, TestCancellation } from '../../unit/chat/recording-stream';

// @smoa's handler in a real extension host, against the fake OpenAI server the runner starts (SMOA_TEST_BASE_URL;
// test/vscode/settings.json points smoa.endpoints at it). The chat UI itself is covered by the UI tests.
const EXTENSION_ID = 'smoa-dev.smoa-vscode';

async function api(): Promise<SmoaExtensionApi> {
  const ext = vscode.extensions.getExtension<SmoaExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

async function withSetting<T>(key: string, value: unknown, body: () => Promise<T>): Promise<T> {
  const config = vscode.workspace.getConfiguration('smoa');
  const before = config.inspect(key)?.globalValue;
  await config.update(key, value, vscode.ConfigurationTarget.Global);
  try {
    return await body();
  } finally {
    await config.update(key, before, vscode.ConfigurationTarget.Global);
  }
}

suite('Chat participant @smoa', () => {
  suiteSetup(function () {
    if (!process.env.SMOA_TEST_BASE_URL) this.skip(); // answers need the fake server
  });

  test('the palette commands are registered', async () => {
    await api();
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['smoa.setApiKey', 'smoa.configureModels', 'smoa.insertLastAnswer', 'smoa.showLog']) {
      assert.ok(commands.includes(id), `${id} is registered`);
    }
  });

  test('answers through the engine: progress per stage, the answer, a summary and the buttons', async function () {
    this.timeout(60_000);
    const { chat, services } = await api();
    const stream = new RecordingStream();
    const result = await chat({ prompt: 'How do I debounce a function?', references: [] }, [], stream, new TestCancellation());
    assert.equal(result.errorDetails, undefined, result.errorDetails?.message);
    // The first progress line states what the run may use at most, before any request (issue 14).
    assert.match(stream.progressLines[0], /^Estimate: at most \d+ calls, (?:[\d,]+|unbounded) prompt tokens, /);
    assert.ok(stream.progressLines.some((l) => /^Layer 1\/2: 4 proposers answering$/.test(l)), stream.progressLines.join('\n'));
    assert.ok(stream.progressLines.some((l) => /^Layer \d+: judge kept /.test(l)));
    assert.ok(result.metadata.answer && stream.markdownText.startsWith(result.metadata.answer));
    assert.match(stream.markdownText, /\n---\n_SMoA: \d layers?, \d+ calls/);
    assert.deepEqual(stream.buttons.map((b) => b.command), ['smoa.openTrace', 'smoa.insertLastAnswer']);
    assert.equal(services.runs.get(result.metadata.runId!)?.trace.answer, result.metadata.answer);
  });

  test('an attached file reaches the models and is shown as a reference', async function () {
    this.timeout(60_000);
    const { chat } = await api();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the sample workspace is open');
    const uri = vscode.Uri.joinPath(folder.uri, 'src/stats.ts');
    const stream = new RecordingStream();
    const result = await chat({ prompt: 'Review this file', command: 'single', references: [{ id: 'file', value: uri }] }, [], stream, new TestCancellation());
    assert.equal(result.errorDetails, undefined, result.errorDetails?.message);
    const refs = stream.parts.filter((p) => p.kind === 'reference');
    assert.equal(refs.length, 1);
    assert.equal(String((refs[0] as { anchor: vscode.Uri }).anchor), String(uri));
  });

  test('an invalid setting is an error, explained by name above a button to it', async function () {
    this.timeout(30_000);
    const { chat } = await api();
    await withSetting('aggregator', 'no-such-model', async () => {
      const stream = new RecordingStream();
      const result = await chat({ prompt: 'hi', references: [] }, [], stream, new TestCancellation());
      assert.match(result.errorDetails?.message ?? '', /invalid setting/);
      assert.match(stream.markdownText, /smoa\.aggregator: unknown model "no-such-model"/);
      assert.deepEqual(stream.buttons, [{ title: 'Open Settings', command: 'workbench.action.openSettings', arguments: ['smoa.aggregator'] }]);
    });
  });
});
