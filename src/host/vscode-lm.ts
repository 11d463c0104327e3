import * as vscode from 'vscode';
import { offeredByOthers, type VsCodeModelInfo } from './vscode-models';

/** The models VS Code offers, as the host's plain model info, without this extension's own. */
export async function listVsCodeModels(): Promise<VsCodeModelInfo[]> {
  return offeredByOthers((await vscode.lm.selectChatModels()).map(infoOf));
}

/** A VS Code chat model as the host's plain model info (what chat, Configure Models and the model client share). */
export function infoOf(model: vscode.LanguageModelChat): VsCodeModelInfo {
  return { id: model.id, vendor: model.vendor, family: model.family, name: model.name };
}
