import * as vscode from 'vscode';
import type { ChatReferencePort, LoadedReference } from './chat-port';

/** A whole file can be huge; past this the models get the start and a note (the proposers pay for every character). */
const MAX_REFERENCE_CHARS = 60_000;

/** Reads a #file, a selection or a string the user attached, for the models and for stream.reference. */
export async function readReference(ref: ChatReferencePort): Promise<LoadedReference | undefined> {
  const { value } = ref;
  if (value instanceof vscode.Uri) {
    const doc = await vscode.workspace.openTextDocument(value);
    return { label: vscode.workspace.asRelativePath(value), content: clip(doc.getText()), anchor: value };
  }
  if (value instanceof vscode.Location) {
    const doc = await vscode.workspace.openTextDocument(value.uri);
    const { start, end } = value.range;
    const label = `${vscode.workspace.asRelativePath(value.uri)}:${start.line + 1}-${end.line + 1}`;
    return { label, content: clip(doc.getText(value.range)), anchor: value };
  }
  if (typeof value === 'string' && value.trim()) {
    return { label: ref.modelDescription ?? ref.id, content: clip(value), anchor: undefined };
  }
  return undefined;
}

function clip(text: string): string {
  return text.length <= MAX_REFERENCE_CHARS ? text : `${text.slice(0, MAX_REFERENCE_CHARS)}\n[... ${text.length - MAX_REFERENCE_CHARS} more characters not included]`;
}
