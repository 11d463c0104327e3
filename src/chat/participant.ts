import * as vscode from 'vscode';
import { infoOf } from '../host/vscode-lm';
import type { ExtensionServices } from '../host/services';
import { offeredByOthers } from '../host/vscode-models';
import type { CancellationPort, ChatRequestPort, ChatResultPort, ChatStreamPort, HistoryTurn, SmoaChatMetadata } from './chat-port';
import { followupsFor } from './followups';
import { handleChatRequest, type ChatDeps } from './handler';
import { activeSelection, findWorkspaceFile, readReference } from './references';
import { PARTICIPANT_ID } from '../host/command-ids';


/** Runs one chat request through the participant logic; the extension-host tests call it with a recording stream. */
export type ChatEntry = (
  request: ChatRequestPort,
  history: readonly HistoryTurn[],
  stream: ChatStreamPort,
  token: CancellationPort,
) => Promise<ChatResultPort>;

/** The thin VS Code side of @smoa: adapts request, history and stream to handler.ts's ports. */
export function registerChatParticipant(context: vscode.ExtensionContext, services: ExtensionServices): ChatEntry {
  const deps: ChatDeps = {
    runs: services.runs,
    resolveConfig: services.currentConfig,
    readReference,
    findWorkspaceFile,
    activeSelection,
    roleCache: services.roleCache,
    dailyBudget: services.usage.gate,
    notify: (message) => void vscode.window.setStatusBarMessage(`$(debug-stop) ${message}`, 15_000),
  };
  const entry: ChatEntry = (request, history, stream, token) => handleChatRequest(request, history, stream, token, deps);

  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, async (request, chatContext, stream, token) => {
    const result = await entry(
      {
        prompt: request.prompt,
        command: request.command,
        references: request.references,
        // The SMoA ensemble picked in the dropdown cannot aggregate its own panel; the zero set-up then picks another.
        model: offeredByOthers([infoOf(request.model)])[0],
      },
      chatContext.history.map(toHistoryTurn).filter((t): t is HistoryTurn => t !== undefined),
      streamPort(stream),
      token,
    );
    return result as vscode.ChatResult;
  });
  participant.followupProvider = {
    provideFollowups: (result) => followupsFor(result.metadata as Partial<SmoaChatMetadata> | undefined),
  };
  context.subscriptions.push(participant);
  return entry;
}

function toHistoryTurn(turn: vscode.ChatRequestTurn | vscode.ChatResponseTurn): HistoryTurn | undefined {
  if (turn instanceof vscode.ChatRequestTurn) return { kind: 'request', prompt: turn.prompt, command: turn.command };
  if (turn instanceof vscode.ChatResponseTurn) {
    const text = turn.response
      .map((part) => (part instanceof vscode.ChatResponseMarkdownPart ? part.value.value : ''))
      .join('');
    return { kind: 'response', text, metadata: turn.result.metadata as Partial<SmoaChatMetadata> | undefined };
  }
  return undefined;
}

function streamPort(stream: vscode.ChatResponseStream): ChatStreamPort {
  return {
    progress: (message) => stream.progress(message),
    markdown: (text) => stream.markdown(text),
    reference: (anchor) => stream.reference(anchor as vscode.Uri | vscode.Location),
    button: (action) => stream.button({ command: action.command, title: action.title, arguments: action.arguments }),
  };
}
