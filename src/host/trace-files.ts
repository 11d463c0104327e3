import * as vscode from 'vscode';

/** Trace files on disk for the trace panel: Export (save) and Open trace file, with their dialogs. */

const LAST_EXPORT_FOLDER = 'smoa.lastExportFolder';

/** Where Export suggests saving: the folder the user chose last time, else `.smoa-traces/` in the workspace (not its root). */
async function exportFolder(state: vscode.Memento): Promise<vscode.Uri | undefined> {
  const last = state.get<string>(LAST_EXPORT_FOLDER);
  if (last) return vscode.Uri.parse(last);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!root) return undefined;
  const folder = vscode.Uri.joinPath(root, '.smoa-traces');
  // The save dialog cannot start in a folder that does not exist yet.
  await Promise.resolve(vscode.workspace.fs.createDirectory(folder)).catch(() => undefined);
  return folder;
}

/** Asks where to save a trace and writes it; returns the path shown to the user, or undefined when cancelled. */
export async function saveTraceFile(state: vscode.Memento, json: string, suggestedName: string): Promise<string | undefined> {
  const folder = await exportFolder(state);
  const uri = await vscode.window.showSaveDialog({
    title: 'Export SMoA trace',
    saveLabel: 'Export',
    filters: { 'SMoA trace': ['json'] },
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, suggestedName) } : {}),
  });
  if (!uri) return undefined;
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(json));
  await state.update(LAST_EXPORT_FOLDER, vscode.Uri.joinPath(uri, '..').toString());
  return vscode.workspace.asRelativePath(uri);
}

/** Asks for a trace file and reads it; undefined when cancelled. */
export async function pickTraceFile(): Promise<{ name: string; text: string } | undefined> {
  const [uri] =
    (await vscode.window.showOpenDialog({
      title: 'Open SMoA trace',
      openLabel: 'Open trace',
      canSelectMany: false,
      filters: { 'SMoA trace': ['json'], 'All files': ['*'] },
    })) ?? [];
  if (!uri) return undefined;
  const bytes = await vscode.workspace.fs.readFile(uri);
  return { name: vscode.workspace.asRelativePath(uri), text: new TextDecoder().decode(bytes) };
}
