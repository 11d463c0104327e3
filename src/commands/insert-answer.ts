import * as vscode from 'vscode';
import type { ExtensionServices } from '../host/services';
import { insertTarget, textToInsert } from './insert-text';
import { COMMANDS } from '../host/command-ids';

export const INSERT_LAST_ANSWER = COMMANDS.insertLastAnswer.id;

/**
 * "SMoA: Insert Last Answer" and chat's "Insert into editor": puts a run's answer at the cursor of the last active
 * editor (replacing its selection) in one edit, so one undo reverts it; with no editor, in a new markdown document.
 */
export function registerInsertAnswer(context: vscode.ExtensionContext, services: ExtensionServices): void {
  // Clicking the chat button moves focus away from the editor; remember the last text editor the user was in.
  let lastEditor = vscode.window.activeTextEditor;
  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor && editor.document.uri.scheme !== 'output') lastEditor = editor;
    }),
    vscode.commands.registerCommand(INSERT_LAST_ANSWER, async (arg?: unknown) => {
      const target = insertTarget(arg);
      const run = target.runId ? services.runs.get(target.runId) : services.runs.lastAnswered();
      const answer = target.text ?? run?.trace.answer;
      if (!answer) {
        const why = target.runId ? 'That run is no longer available in this window' : 'No SMoA answer yet';
        void vscode.window.showWarningMessage(`${why}: ask @smoa in the chat first.`);
        return undefined;
      }
      const text = textToInsert(answer, services.settings.insertMode);
      const editor = pickEditor(lastEditor);
      if (!editor) {
        const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: text });
        await vscode.window.showTextDocument(doc);
        return doc.uri;
      }
      const selection = editor.selection;
      const ok = await editor.edit((edit) => edit.replace(selection, text));
      if (!ok) throw new Error('The editor refused the edit (is it read-only?)');
      if (editor !== vscode.window.activeTextEditor) await vscode.window.showTextDocument(editor.document, editor.viewColumn);
      return editor.document.uri;
    }),
  );
}

function pickEditor(last: vscode.TextEditor | undefined): vscode.TextEditor | undefined {
  const active = vscode.window.activeTextEditor;
  if (active && active.document.uri.scheme !== 'output') return active;
  // The remembered editor may have been closed since; only a visible one is still safe to edit.
  if (last && vscode.window.visibleTextEditors.includes(last)) return last;
  return undefined;
}
