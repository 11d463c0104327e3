import { cpSync } from 'node:fs';
import * as vscode from 'vscode';
import { loadResultsDir } from '../eval/dir-store';
import type { EvalTask } from '../eval/tasks';
import { EVAL_VIEW_TYPE, parseEvalReport } from './eval-protocol';
import { EvalSession, type EvalPort, type EvalResults } from './eval-session';
import { makeNonce, panelHtml } from './html';
import { TracePanel, type TracePanelServices } from './trace-panel';

/**
 * The evaluation results view: one webview per window, under the same content security policy as the trace panel
 * (scripts only with a nonce, nothing remote, no command URIs). Opening a run's trace shows it in the trace panel.
 */
export class EvalPanel {
  private static current: EvalPanel | undefined;
  private readonly session: EvalSession;
  private readonly disposables: vscode.Disposable[] = [];

  static show(context: vscode.ExtensionContext, services: TracePanelServices, results: EvalResults): EvalPanel {
    if (EvalPanel.current) {
      EvalPanel.current.panel.reveal(undefined, false);
      EvalPanel.current.panel.title = `SMoA Evaluation: ${results.title}`;
      EvalPanel.current.session.show(results);
      return EvalPanel.current;
    }
    const media = vscode.Uri.joinPath(context.extensionUri, 'media');
    const panel = vscode.window.createWebviewPanel(EVAL_VIEW_TYPE, `SMoA Evaluation: ${results.title}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [media],
      retainContextWhenHidden: true,
    });
    EvalPanel.current = new EvalPanel(panel, context, services, results);
    return EvalPanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    services: TracePanelServices,
    results: EvalResults,
  ) {
    const webview = panel.webview;
    const media = vscode.Uri.joinPath(context.extensionUri, 'media');
    webview.html = panelHtml({
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'dist', 'eval.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'eval.css')).toString(),
      title: 'SMoA Evaluation',
    });
    panel.iconPath = vscode.Uri.joinPath(media, 'trace.svg');
    const port: EvalPort = {
      post: (message) => void webview.postMessage(message),
      showTrace: (trace, name) => TracePanel.showTrace(context, services, trace, name),
      save: saveResults,
      open: pickResultsFolder,
      warn: (message) => services.log?.warn(message),
    };
    this.session = new EvalSession(results, port);
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => void this.session.receive(message)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private dispose(): void {
    if (EvalPanel.current === this) EvalPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Reads a saved results folder (what `smoa eval --out` and the Save button write). */
export function readResultsFolder(dir: string): EvalResults {
  const loaded = loadResultsDir(dir);
  if (!loaded.ok) throw new Error(loaded.message);
  const report = parseEvalReport(loaded.report);
  if (!report.ok) throw new Error(`${dir}: report.json is not an evaluation report (${report.message})`);
  const tasks = Array.isArray(loaded.tasks) ? (loaded.tasks as EvalTask[]).filter((t) => t && typeof t.id === 'string' && typeof t.prompt === 'string') : [];
  const store = loaded.store;
  return {
    title: vscode.workspace.asRelativePath(dir),
    report: report.report,
    tasks,
    answers: store.answers(),
    grades: store.grades(),
    trace: (key) => store.trace(key),
    location: dir,
  };
}

async function pickResultsFolder(): Promise<EvalResults | undefined> {
  const [uri] =
    (await vscode.window.showOpenDialog({ title: 'Open SMoA evaluation results', openLabel: 'Open results', canSelectFiles: false, canSelectFolders: true, canSelectMany: false })) ?? [];
  if (!uri) return undefined;
  return readResultsFolder(uri.fsPath);
}

async function saveResults(results: EvalResults): Promise<string | undefined> {
  if (!results.location) throw new Error('These results are not stored on disk.');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const uri = await vscode.window.showSaveDialog({
    title: 'Save SMoA evaluation results (a folder)',
    saveLabel: 'Save results',
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, 'smoa-eval') } : {}),
  });
  if (!uri) return undefined;
  cpSync(results.location, uri.fsPath, { recursive: true });
  return vscode.workspace.asRelativePath(uri);
}
