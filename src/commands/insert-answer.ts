import * as vscode from 'vscode';
import type { ExtensionServices } from '../host/services';
import type { Trace } from '../pipeline/trace';
import { insertTarget, planInsert } from './insert-text';
import { COMMANDS } from '../host/command-ids';

const INSERT_LAST_ANSWER = COMMANDS.insertLastAnswer.id;

/**
 * "SMoA: Insert Last Answer", chat's "Insert into editor" and the trace panel's Insert: puts a run's answer at the
 * cursor of the last active editor (replacing its selection) in one edit, so one undo reverts it; with no editor, in a
 * new markdown document. Without an argument it inserts the run the trace panel shows, else the newest answer, and
 * says which run that was.
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
      const source = chooseSource(services, target);
      if (!source) {
        const why = target.runId
          ? 'That run is no longer in this window (runs are kept in memory only, so a window reload or restart forgets them; Export trace keeps one)'
          : 'No SMoA answer yet';
        void vscode.window.showWarningMessage(`${why}. Ask @smoa in the chat, or run from the trace panel, first.`);
        return undefined;
      }
      const editor = pickEditor(lastEditor);
      const plan = planInsert(source.answer, services.settings.insertMode, editor?.document.languageId);
      let text = plan.text;
      if (plan.what === 'nothing') {
        const whole = 'Insert the whole answer';
        const choice = await vscode.window.showInformationMessage(
          `The answer of ${source.label} has no code block to insert into this ${editor?.document.languageId ?? ''} file.`,
          whole,
        );
        if (choice !== whole) return undefined;
        text = source.answer;
      }
      let uri: vscode.Uri;
      if (!editor) {
        const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: text });
        await vscode.window.showTextDocument(doc);
        uri = doc.uri;
      } else {
        const selection = editor.selection;
        const ok = await editor.edit((edit) => edit.replace(selection, text));
        if (!ok) throw new Error('The editor refused the edit (is it read-only?)');
        if (editor !== vscode.window.activeTextEditor) await vscode.window.showTextDocument(editor.document, editor.viewColumn);
        uri = editor.document.uri;
      }
      const what = plan.what === 'code' ? `${plan.blocks} code block${plan.blocks === 1 ? '' : 's'} of the answer (prose left out; setting smoa.insert.mode)` : 'the answer';
      void vscode.window.setStatusBarMessage(`SMoA: inserted ${what} of ${source.label}`, 8000);
      if (source.announce) void vscode.window.showInformationMessage(`SMoA: inserted ${what} of ${source.label}.`);
      return uri;
    }),
  );
}

interface Source {
  answer: string;
  /** Which run, in words: its prompt, where it started and when. */
  label: string;
  /** The user did not say which run (palette command): tell them which one it was. */
  announce: boolean;
}

function chooseSource(services: ExtensionServices, target: ReturnType<typeof insertTarget>): Source | undefined {
  if (target.text !== undefined) return { answer: target.text, label: target.label ? `the trace ${target.label}` : 'the trace panel', announce: false };
  if (target.runId) {
    const run = services.runs.get(target.runId);
    return run?.trace.answer ? { answer: run.trace.answer, label: describeRun(run.trace, run.origin), announce: false } : undefined;
  }
  const shown = services.runs.shown;
  if (shown?.trace.answer) {
    const origin = shown.label ? `file ${shown.label}` : services.runs.get(shown.runId)?.origin;
    return { answer: shown.trace.answer, label: `${describeRun(shown.trace, origin)}, shown in the trace panel`, announce: true };
  }
  const last = services.runs.lastAnswered();
  return last ? { answer: last.trace.answer, label: `${describeRun(last.trace, last.origin)}, the newest answer`, announce: true } : undefined;
}

function describeRun(trace: Trace, origin: string | undefined): string {
  const prompt = trace.prompt.replace(/\s+/g, ' ').trim();
  const short = prompt.length > 60 ? `${prompt.slice(0, 59)}…` : prompt;
  const time = trace.startedAt ? new Date(trace.startedAt).toLocaleTimeString() : '';
  const where = [origin, time].filter(Boolean).join(', ');
  return `the run "${short}"${where ? ` (${where})` : ''}`;
}

function pickEditor(last: vscode.TextEditor | undefined): vscode.TextEditor | undefined {
  const active = vscode.window.activeTextEditor;
  if (active && active.document.uri.scheme !== 'output') return active;
  // The remembered editor may have been closed since; only a visible one is still safe to edit.
  if (last && vscode.window.visibleTextEditors.includes(last)) return last;
  return undefined;
}
