import * as vscode from 'vscode';
import { copyResultsDir, loadResultsDir } from '../eval/dir-store';
import type { EvalTask } from '../eval/tasks';
import type { Trace } from '../pipeline/trace';
import { EVAL_VIEW_TYPE, parseEvalReport, type EvalHostMessage } from './eval-protocol';
import { EvalSession, type EvalResults } from './eval-session';
import { WebviewHost, type AppPage } from './webview-host';

const PAGE: AppPage = { kind: 'app', script: 'eval.js', style: 'eval.css', title: 'SMoA Evaluation' };

/** What the evaluation view needs besides VS Code: where a run's trace is shown, and where problems are logged. */
export interface EvalPanelDeps {
  showTrace(trace: Trace, name: string): void;
  log?: { warn(message: string): void };
}

/**
 * The evaluation results view: one webview per window, under the same content security policy as the trace panel
 * (scripts only with a nonce, nothing remote, no command URIs). Opening a run's trace shows it in the trace panel.
 */
export function showEvalResults(context: vscode.ExtensionContext, deps: EvalPanelDeps, results: EvalResults): void {
  const { host, created } = WebviewHost.show(context, {
    viewType: EVAL_VIEW_TYPE,
    title: `SMoA Evaluation: ${results.title}`,
    column: vscode.ViewColumn.Active,
    page: PAGE,
    retainContextWhenHidden: true,
  });
  if (!created) {
    sessions.get(host)?.show(results);
    return;
  }
  const session = new EvalSession(results, {
    post: (message: EvalHostMessage) => host.post(message),
    showTrace: (trace, name) => deps.showTrace(trace, name),
    save: saveResults,
    open: pickResultsFolder,
    warn: (message) => deps.log?.warn(message),
  });
  sessions.set(host, session);
  host.onMessage((message) => void session.receive(message));
}

const sessions = new WeakMap<WebviewHost, EvalSession>();

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
  copyResultsDir(results.location, uri.fsPath);
  return vscode.workspace.asRelativePath(uri);
}
