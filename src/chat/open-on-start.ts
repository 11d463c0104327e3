import * as vscode from 'vscode';

/**
 * Set to "1" in the extension host's environment by `npm run sandbox`: the chat then opens with `@smoa ` already in its
 * input. The sandbox has no Copilot, and VS Code sends a message without a participant to Copilot, which answers
 * "You need to set up GitHub Copilot"; with the prefix there the first question goes to SMoA.
 */
const OPEN_CHAT_ENV = 'SMOA_OPEN_CHAT';

export function openChatOnStart(env: NodeJS.ProcessEnv = process.env): void {
  if (env[OPEN_CHAT_ENV] !== '1') return;
  // isPartialQuery: put the text in the input without sending it.
  void Promise.resolve(vscode.commands.executeCommand('workbench.action.chat.open', { query: '@smoa ', isPartialQuery: true })).catch(() => {});
}
