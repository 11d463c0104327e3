import * as vscode from 'vscode';
import { clip } from '../pipeline/format';
import type { ChatReferencePort, LoadedReference, SelectionReference } from './chat-port';
import { linesOf } from './context-mentions';

/** A whole file can be huge; past this the models get the start and a note (the proposers pay for every character). */
const MAX_REFERENCE_CHARS = 60_000;

/**
 * References VS Code attaches to every request by itself, for its agent mode's tools: `vscode.customizations.index`
 * (VS Code 1.139) lists the skills and custom agents a tool can load. They are not the user's context and the panel
 * cannot call those tools. Sent along, they went to every call: a 12-call run took 11,236 input tokens instead of 2,236.
 */
const VSCODE_OWN_REFERENCES = new Set(['vscode.customizations.index']);

/** Reads a #file, a selection or a string the user attached, for the models and for stream.reference. */
export async function readReference(ref: ChatReferencePort): Promise<LoadedReference | undefined> {
  if (VSCODE_OWN_REFERENCES.has(ref.id)) return undefined;
  const { value } = ref;
  if (value instanceof vscode.Uri) {
    const doc = await vscode.workspace.openTextDocument(value);
    return { label: vscode.workspace.asRelativePath(value), content: clip(doc.getText(), MAX_REFERENCE_CHARS), anchor: value };
  }
  if (value instanceof vscode.Location) {
    const doc = await vscode.workspace.openTextDocument(value.uri);
    const { first, last } = linesOf(value.range);
    const label = `${vscode.workspace.asRelativePath(value.uri)}:${first}-${last}`;
    return { label, content: clip(doc.getText(value.range), MAX_REFERENCE_CHARS), anchor: value };
  }
  if (typeof value === 'string' && value.trim()) {
    return { label: ref.modelDescription ?? ref.id, content: clip(value, MAX_REFERENCE_CHARS), anchor: undefined };
  }
  return undefined;
}

/**
 * `#file:<path>` text VS Code did not resolve: the path relative to a workspace folder, else the first file anywhere in
 * the workspace whose path ends with it (`stats.ts`, `src/stats.ts` in a nested project). Never outside the workspace:
 * the prompt may come from a pasted text.
 */
export async function findWorkspaceFile(path: string): Promise<LoadedReference | undefined> {
  const relative = path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  if (!relative || relative.split('/').includes('..') || relative.startsWith('/')) return undefined;
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const uri = vscode.Uri.joinPath(folder.uri, relative);
    const stat = await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
    if (stat && stat.type & vscode.FileType.File) return readReference({ id: 'vscode.file', value: uri });
  }
  const glob = `**/${relative.replace(/[[\]{}*?!]/g, (c) => `[${c}]`)}`;
  const [found] = await vscode.workspace.findFiles(glob, '**/node_modules/**', 1);
  return found ? readReference({ id: 'vscode.file', value: found }) : undefined;
}

/** The active editor's selection, when there is one (the chat keeps the last editor active while it has the focus). */
export function activeSelection(): SelectionReference | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty) return undefined;
  const range = new vscode.Range(editor.selection.start, editor.selection.end);
  const { first, last } = linesOf(range);
  const file = vscode.workspace.asRelativePath(editor.document.uri);
  return {
    label: `${file}:${first}-${last}`,
    content: clip(editor.document.getText(range), MAX_REFERENCE_CHARS),
    anchor: new vscode.Location(editor.document.uri, range),
    file,
    firstLine: first,
    lastLine: last,
  };
}
