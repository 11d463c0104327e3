import type * as vscode from 'vscode';
import { openChatOnStart } from './chat/open-on-start';
import { registerChatParticipant, type ChatEntry } from './chat/participant';
import { registerCommands } from './commands';
import { createServices, type ExtensionServices } from './host/services';
import { registerSettingsValidation } from './commands/settings-validation';
import { registerConsultTool } from './models/consult-tool';
import { LanguageModelClient } from './models/lm-client';
import { listVsCodeModels } from './host/vscode-lm';
import { registerMcpServer } from './models/mcp-registration';
import { registerModelProvider } from './models/provider';
import { registerBuildRouter } from './commands/build-router';
import { registerEvaluation } from './commands/evaluation';
import { registerPanelCommands } from './commands/panels';
import { readResultsFolder, showEvalResults } from './views/eval-panel';
import { createTracePanel } from './views/trace-panel';
import { showUsage } from './views/usage-view';

/** What activate() returns: the extension-host tests drive chat through it (the chat UI is tested elsewhere). */
export interface SmoaExtensionApi {
  services: ExtensionServices;
  chat: ChatEntry;
}

export function activate(context: vscode.ExtensionContext): SmoaExtensionApi {
  const services = createServices(context, { list: listVsCodeModels, client: (model) => new LanguageModelClient(model) });
  registerSettingsValidation(context, services);
  const chat = registerChatParticipant(context, services);
  registerCommands(context, services);
  registerModelProvider(context, services);
  registerConsultTool(context, services);
  registerMcpServer(context, services);
  const tracePanel = createTracePanel(context, services);
  registerBuildRouter(context, services);
  registerPanelCommands(context, services, {
    openTracePanel: (runId) => tracePanel.open(runId),
    openTraceFile: () => tracePanel.openTraceFile(),
    showUsage: () => showUsage(context, services),
  });
  const evalDeps = { showTrace: tracePanel.showTrace, log: services.log };
  registerEvaluation(context, services, {
    showResults: (results) => showEvalResults(context, evalDeps, results),
    openResultsFolder: (dir) => showEvalResults(context, evalDeps, readResultsFolder(dir)),
  });
  openChatOnStart();
  return { services, chat };
}

export function deactivate(): void {}
