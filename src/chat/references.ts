import * as vscode from 'vscode';
import { clip } from '../pipeline/format';
import type { ChatReferencePort, LoadedReference } from './chat-port';

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
    const { start, end } = value.range;
    const label = `${vscode.workspace.asRelativePath(value.uri)}:${start.line + 1}-${end.line + 1}`;
    return { label, content: clip(doc.getText(value.range), MAX_REFERENCE_CHARS), anchor: value };
  }
  if (typeof value === 'string' && value.trim()) {
    return { label: ref.modelDescription ?? ref.id, content: clip(value, MAX_REFERENCE_CHARS), anchor: undefined };
  }
  return undefined;
}
