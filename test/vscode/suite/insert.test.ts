import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SmoaExtensionApi } from '../../../src/extension';

// "SMoA: Insert Last Answer" in a real editor: one edit (one undo step), replacing the selection; a new markdown
// document when no editor is open.
const EXTENSION_ID = 'smoa-dev.smoa-vscode';

suite('Insert into editor', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('replaces the selection, and one undo restores the document', async () => {
    const doc = await vscode.workspace.openTextDocument({ content: 'before SELECTED after', language: 'plaintext' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 7, 0, 15);
    await vscode.commands.executeCommand('smoa.insertLastAnswer', { text: 'first line\nsecond line' });
    assert.equal(doc.getText(), 'before first line\nsecond line after');
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), 'before SELECTED after');
  });

  test('inserts at the cursor when nothing is selected', async () => {
    const doc = await vscode.workspace.openTextDocument({ content: 'ab', language: 'plaintext' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 1, 0, 1);
    await vscode.commands.executeCommand('smoa.insertLastAnswer', { text: 'X' });
    assert.equal(doc.getText(), 'aXb');
  });

  test('with no editor open, opens a new markdown document with the answer', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const uri = await vscode.commands.executeCommand<vscode.Uri>('smoa.insertLastAnswer', { text: '# Answer\n' });
    const doc = vscode.workspace.textDocuments.find((d) => String(d.uri) === String(uri));
    assert.ok(doc, 'a document was opened');
    assert.equal(doc.languageId, 'markdown');
    assert.equal(doc.getText(), '# Answer\n');
  });

  test('codeBlocks mode inserts only the code of the answer', async () => {
    const config = vscode.workspace.getConfiguration('smoa');
    await config.update('insert.mode', 'codeBlocks', vscode.ConfigurationTarget.Global);
    try {
      const doc = await vscode.workspace.openTextDocument({ content: '', language: 'typescript' });
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('smoa.insertLastAnswer', { text: 'Here:\n\n```ts\nconst x = 1;\n```\n' });
      assert.equal(doc.getText(), 'const x = 1;');
    } finally {
      await config.update('insert.mode', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  // Issue 10, item 10: Markdown pasted into a .ts file is dozens of problems; the default inserts only the code there.
  test('by default a code file gets the code blocks of its language, a Markdown file the whole answer', async () => {
    const answer = 'Install:\n\n```bash\nnpm i x\n```\n\nCode:\n\n```ts\nconst x = 1;\n```\n\nDone.';
    const ts = await vscode.workspace.openTextDocument({ content: '', language: 'typescript' });
    await vscode.window.showTextDocument(ts);
    await vscode.commands.executeCommand('smoa.insertLastAnswer', { text: answer });
    assert.equal(ts.getText(), 'const x = 1;');
    const md = await vscode.workspace.openTextDocument({ content: '', language: 'markdown' });
    await vscode.window.showTextDocument(md);
    await vscode.commands.executeCommand('smoa.insertLastAnswer', { text: answer });
    assert.equal(md.getText(), answer);
  });

  test('without an argument it inserts the run the trace panel shows, not the newest', async () => {
    const api = vscode.extensions.getExtension<SmoaExtensionApi>(EXTENSION_ID)!.exports;
    const runs = api.services.runs;
    const older = await runs.start({ prompt: 'older question', strategy: 'single' }, { origin: 'test' });
    await older.result;
    const newer = await runs.start({ prompt: 'newer question', strategy: 'single' }, { origin: 'test' });
    await newer.result;
    assert.ok(older.trace.answer && newer.trace.answer && older.trace.answer !== newer.trace.answer);
    const previous = runs.shown;
    runs.shown = { runId: older.runId, trace: older.trace };
    try {
      const doc = await vscode.workspace.openTextDocument({ content: '', language: 'markdown' });
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('smoa.insertLastAnswer');
      assert.equal(doc.getText(), older.trace.answer);
    } finally {
      runs.shown = previous;
    }
  });
});
