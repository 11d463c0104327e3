import * as vscode from 'vscode';
import type { ExtensionServices } from '../host/services';
import { makeNonce, panelHtml } from './html';
import { PanelSession, type PanelPort, type TracePanelServices } from './panel-session';
import { VIEW_TYPE } from './protocol';
import { COMMANDS } from '../host/command-ids';
import type { Trace } from '../pipeline/trace';

export type { TracePanelServices } from './panel-session';

/**
 * The trace panel: one webview that shows a run live or from a file, and runs SMoA without the chat view.
 * One panel per window; "Open trace" for another run reuses it.
 */
export class TracePanel {
  static readonly viewType = VIEW_TYPE;
  private static current: TracePanel | undefined;
  private readonly session: PanelSession;
  private readonly disposables: vscode.Disposable[] = [];

  static createOrShow(context: vscode.ExtensionContext, services: TracePanelServices, runId?: string): TracePanel {
    if (TracePanel.current) {
      TracePanel.current.panel.reveal(undefined, false);
    } else {
      const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'SMoA Trace', vscode.ViewColumn.Beside, webviewOptions(context));
      TracePanel.current = new TracePanel(panel, context, services);
    }
    if (runId) TracePanel.current.session.showRun(runId);
    return TracePanel.current;
  }

  /** Opens the panel on a finished trace that is not a run of this window (e.g. one run of an evaluation). */
  static showTrace(context: vscode.ExtensionContext, services: TracePanelServices, trace: Trace, name: string): void {
    TracePanel.createOrShow(context, services).session.showTrace(trace, name);
  }

  /** After a window reload: VS Code hands back the panel; its webview restores its own state and asks for the rest. */
  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, services: TracePanelServices): void {
    TracePanel.current?.panel.dispose();
    TracePanel.current = new TracePanel(panel, context, services);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    services: TracePanelServices,
  ) {
    const webview = panel.webview;
    webview.options = webviewOptions(context);
    const media = vscode.Uri.joinPath(context.extensionUri, 'media');
    webview.html = panelHtml({
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'dist', 'panel.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.css')).toString(),
    });
    panel.iconPath = vscode.Uri.joinPath(media, 'trace.svg');
    this.session = new PanelSession(services, vscodePort(webview, context.workspaceState));
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => void this.session.receive(message)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('smoa')) void this.session.refreshConfig();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Asks for a trace file and shows it (the panel shows it once its webview is ready). */
  openTraceFile(): Promise<void> {
    return this.session.openTraceFile();
  }

  private dispose(): void {
    if (TracePanel.current === this) TracePanel.current = undefined;
    this.session.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function webviewOptions(context: vscode.ExtensionContext): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'media')],
  };
}

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

function vscodePort(webview: vscode.Webview, state: vscode.Memento): PanelPort {
  return {
    post: (message) => void webview.postMessage(message),
    insert: async (target) => {
      await vscode.commands.executeCommand(COMMANDS.insertLastAnswer.id, target);
    },
    copy: async (text) => vscode.env.clipboard.writeText(text),
    saveTrace: async (json, suggestedName) => {
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
    },
    openTraceFile: async () => {
      // Where traces are exported (not wherever the last dialog was, e.g. src/).
      const folder = await exportFolder(state);
      const [uri] =
        (await vscode.window.showOpenDialog({
          title: 'Open SMoA trace',
          openLabel: 'Open trace',
          canSelectMany: false,
          ...(folder ? { defaultUri: folder } : {}),
          filters: { 'SMoA trace': ['json'], 'All files': ['*'] },
        })) ?? [];
      if (!uri) return undefined;
      const bytes = await vscode.workspace.fs.readFile(uri);
      return { name: vscode.workspace.asRelativePath(uri), text: new TextDecoder().decode(bytes) };
    },
  };
}

/** `smoa.openTrace` is called from chat's "Open trace" button with a run id (or `{ runId }`). */
function runIdArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && typeof (arg as { runId?: unknown }).runId === 'string') return (arg as { runId: string }).runId;
  return undefined;
}

/** What the panel needs of the extension's services (the evaluation view opens traces in the panel with it too). */
export function tracePanelServices(extension: ExtensionServices): TracePanelServices {
  return {
    runs: extension.runs,
    log: extension.log,
    currentConfig: (overrides) => extension.currentConfig(undefined, overrides ? { ...overrides } : undefined),
  };
}

export function registerTracePanel(context: vscode.ExtensionContext, extension: ExtensionServices): void {
  const services = tracePanelServices(extension);
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.openTracePanel.id, () => {
      TracePanel.createOrShow(context, services);
    }),
    vscode.commands.registerCommand(COMMANDS.openTrace.id, async (arg?: unknown) => {
      const requested = runIdArg(arg);
      if (requested && !services.runs.get(requested)) {
        // A chat answer from before a window reload (or a run long gone): say why instead of showing nothing.
        const open = 'Open Trace File…';
        const choice = await vscode.window.showWarningMessage(
          'That SMoA run is no longer in this window: runs are kept in memory, so a window reload forgets them. ' +
            'A trace saved with "Export trace" can be opened again.',
          open,
        );
        if (choice === open) await TracePanel.createOrShow(context, services).openTraceFile();
        return;
      }
      TracePanel.createOrShow(context, services, requested ?? services.runs.list().at(-1)?.runId);
    }),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => TracePanel.revive(panel, context, services),
    }),
  );
}
