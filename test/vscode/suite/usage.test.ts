import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SmoaExtensionApi } from '../../../src/extension';
import { loadConfig } from '../../../src/pipeline/config';

// The usage ledger in a real VS Code: the status-bar item shows today's total after a run is recorded, "SMoA: Show
// Usage" opens its page, and the CSV export writes the ledger.
const EXTENSION_ID = 'smoa-dev.smoa-vscode';

suite('Usage: status bar, Show Usage, CSV', () => {
  let api: SmoaExtensionApi;
  suiteSetup(async () => {
    api = (await vscode.extensions.getExtension<SmoaExtensionApi>(EXTENSION_ID)!.activate()) as SmoaExtensionApi;
    await api.services.usage.reset();
  });
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test("the status-bar item shows today's cost once a run is recorded", async () => {
    const usage = api.services.usage;
    assert.match(usage.statusItem.text, /SMoA 0 tok$/);
    const config = loadConfig({
      endpoints: [{ id: 'e', baseURL: 'http://127.0.0.1:9/v1' }],
      models: [{ id: 'a', endpoint: 'e', model: 'm', price: { inputPerMTok: 1000, outputPerMTok: 1000 } }],
      proposers: ['a'],
      aggregator: 'a',
      topK: 1,
    });
    await usage.ledger.recordRun(config, [
      { t: 0, type: 'call-started', callId: 'c1', stage: 'aggregator', modelId: 'a', model: 'm' },
      { t: 1, type: 'call-done', callId: 'c1', text: 'x', usage: { promptTokens: 100, completionTokens: 20, estimated: false }, cost: 0.12, latencyMs: 1, attempts: 1 },
    ]);
    await usage.refresh();
    assert.match(usage.statusItem.text, /SMoA \$0\.12$/);
    assert.equal(usage.statusItem.command, 'smoa.showUsage');
    assert.match(String(usage.statusItem.tooltip), /1 call, 120 tokens/);
  });

  test('Show Usage opens the usage page; Export CSV writes the ledger', async () => {
    await vscode.commands.executeCommand('smoa.showUsage');
    // The tab list is updated after the command returns.
    const usageTab = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'SMoA Usage');
    for (let i = 0; i < 50 && !usageTab(); i++) await new Promise((r) => setTimeout(r, 100));
    const tab = usageTab();
    assert.ok(tab, 'a "SMoA Usage" tab is open');
    const target = vscode.Uri.file(path.join(os.tmpdir(), `smoa-usage-${Date.now()}.csv`));
    await vscode.commands.executeCommand('smoa.exportUsageCsv', target);
    const csv = new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
    assert.match(csv, /^day,endpoint,model,stage,calls,/);
    assert.match(csv, /,e,a,aggregator,1,0,100,20,0,0\.12,0\r\n$/);
  });
});
