import * as vscode from 'vscode';
import { COMMANDS } from '../host/command-ids';
import type { ExtensionServices } from '../host/services';
import { pickTraceFile, saveTraceFile } from '../host/trace-files';
import type { Trace } from '../pipeline/trace';
import { PanelSession, type PanelPort, type TracePanelServices } from './panel-session';
import { VIEW_TYPE, type HostMessage } from './protocol';
import { WebviewHost, type AppPage } from './webview-host';

const PAGE: AppPage = { kind: 'app', script: 'panel.js', style: 'panel.css' };

/**
 * The trace panel: one webview that shows a run live or from a file, and runs SMoA without the chat view.
 * One panel per window; "Open trace" for another run reuses it.
 */
class TracePanel {
  private static readonly sessions = new WeakMap<WebviewHost, PanelSession>();

  static createOrShow(context: vscode.ExtensionContext, services: TracePanelServices): PanelSession {
    const { host, created } = WebviewHost.show(context, { viewType: VIEW_TYPE, title: 'SMoA Trace', column: vscode.ViewColumn.Beside, page: PAGE });
    return created ? TracePanel.attach(host, context, services) : TracePanel.sessions.get(host)!;
  }

  /** After a window reload: VS Code hands back the panel; its webview restores its own state and asks for the rest. */
  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, services: TracePanelServices): void {
    TracePanel.attach(WebviewHost.adopt(panel, context, PAGE), context, services);
  }

  private static attach(host: WebviewHost, context: vscode.ExtensionContext, services: TracePanelServices): PanelSession {
    const session = new PanelSession(services, vscodePort(host, context.workspaceState));
    TracePanel.sessions.set(host, session);
    host.onMessage((message) => void session.receive(message));
    host.own(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('smoa')) void session.refreshConfig();
      }),
    );
    host.onDispose(() => session.dispose());
    return session;
  }
}

function vscodePort(host: WebviewHost, state: vscode.Memento): PanelPort {
  return {
    post: (message: HostMessage) => host.post(message),
    insert: async (target) => {
      await vscode.commands.executeCommand(COMMANDS.insertLastAnswer.id, target);
    },
    copy: async (text) => vscode.env.clipboard.writeText(text),
    saveTrace: (json, suggestedName) => saveTraceFile(state, json, suggestedName),
    openTraceFile: pickTraceFile,
  };
}

/** What the panel needs of the extension's services. */
function tracePanelServices(extension: ExtensionServices): TracePanelServices {
  return {
    runs: extension.runs,
    log: extension.log,
    currentConfig: (overrides) => extension.currentConfig(undefined, overrides ? { ...overrides } : undefined),
  };
}

/** The trace panel as the commands and the evaluation view use it (handed to them by extension.ts). */
export interface TracePanelApi {
  /** Opens (or reveals) the panel, showing this run when one is given. */
  open(runId?: string): void;
  /** Opens the panel and asks for a trace file to show. */
  openTraceFile(): Promise<void>;
  /** Shows a finished trace that is not a run of this window (e.g. one run of an evaluation). */
  showTrace(trace: Trace, name: string): void;
}

/** Restores the panel after a window reload and returns the panel's API. */
export function createTracePanel(context: vscode.ExtensionContext, extension: ExtensionServices): TracePanelApi {
  const services = tracePanelServices(extension);
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => TracePanel.revive(panel, context, services),
    }),
  );
  return {
    open: (runId) => {
      const session = TracePanel.createOrShow(context, services);
      if (runId) session.showRun(runId);
    },
    openTraceFile: () => TracePanel.createOrShow(context, services).openTraceFile(),
    showTrace: (trace, name) => TracePanel.createOrShow(context, services).showTrace(trace, name),
  };
}
