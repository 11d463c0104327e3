import * as vscode from 'vscode';
import { makeNonce, panelHtml } from './html';

/**
 * The one webview host behind every SMoA panel (trace panel, evaluation view, usage page): one panel per view type
 * and window, its HTML (a fresh nonce and the content security policy of html.ts for a script app, or a static page),
 * the ready handshake (messages posted before the page says `ready` are queued and sent once it has), and dispose.
 * The panels add only what they show and the session that answers their page.
 */

/** A page built by a browser app: its bundle under media/dist and its style sheet under media. */
export interface AppPage {
  kind: 'app';
  script: string;
  style: string;
  title?: string;
}

/** A page without script (the usage page): rendered by the panel with the nonce given. */
export interface StaticPage {
  kind: 'static';
  /** Command ids the page may link to as `command:` URIs (nothing else runs from it). */
  commandLinks?: string[];
}

export interface HostOptions {
  viewType: string;
  title: string;
  column: vscode.ViewColumn;
  page: AppPage | StaticPage;
  retainContextWhenHidden?: boolean;
}

export class WebviewHost {
  private static readonly open = new Map<string, WebviewHost>();
  private ready = false;
  private queued: unknown[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposeListeners: (() => void)[] = [];
  private receiver: ((message: unknown) => void) | undefined;

  /** The panel of this view type in this window, if one is open. */
  static get(viewType: string): WebviewHost | undefined {
    return WebviewHost.open.get(viewType);
  }

  /** Reveals the open panel of this view type, or creates it; `created` says which. */
  static show(context: vscode.ExtensionContext, options: HostOptions): { host: WebviewHost; created: boolean } {
    const existing = WebviewHost.open.get(options.viewType);
    if (existing) {
      existing.panel.reveal(undefined, false);
      existing.panel.title = options.title;
      return { host: existing, created: false };
    }
    const panel = vscode.window.createWebviewPanel(options.viewType, options.title, options.column, {
      ...webviewOptions(context, options.page),
      ...(options.retainContextWhenHidden ? { retainContextWhenHidden: true } : {}),
    });
    return { host: new WebviewHost(panel, context, options.page), created: true };
  }

  /** After a window reload: VS Code hands back a panel of this view type; it replaces any open one. */
  static adopt(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, page: AppPage): WebviewHost {
    WebviewHost.open.get(panel.viewType)?.panel.dispose();
    panel.webview.options = webviewOptions(context, page);
    return new WebviewHost(panel, context, page);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    page: AppPage | StaticPage,
  ) {
    WebviewHost.open.set(panel.viewType, this);
    const media = vscode.Uri.joinPath(context.extensionUri, 'media');
    const webview = panel.webview;
    if (page.kind === 'app') {
      webview.html = panelHtml({
        nonce: makeNonce(),
        scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'dist', page.script)).toString(),
        styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, page.style)).toString(),
        ...(page.title ? { title: page.title } : {}),
      });
      panel.iconPath = vscode.Uri.joinPath(media, 'trace.svg');
    }
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Where the page's messages go (the panel's session). */
  onMessage(receiver: (message: unknown) => void): void {
    this.receiver = receiver;
  }

  onDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  /** Sends a message to the page, or queues it until the page has said it is ready. */
  post(message: unknown): void {
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.queued.push(message);
  }

  /** A static page's content (a fresh nonce each time; see html.ts for the policy). */
  render(html: (nonce: string) => string): void {
    this.panel.webview.html = html(makeNonce());
  }

  /** Ties something to the panel's life (e.g. a settings listener). */
  own(disposable: vscode.Disposable): void {
    this.disposables.push(disposable);
  }

  private receive(message: unknown): void {
    if (isReady(message)) {
      this.ready = true;
      for (const queued of this.queued.splice(0)) void this.panel.webview.postMessage(queued);
    }
    this.receiver?.(message);
  }

  private dispose(): void {
    if (WebviewHost.open.get(this.panel.viewType) === this) WebviewHost.open.delete(this.panel.viewType);
    this.queued = [];
    for (const listener of this.disposeListeners.splice(0)) listener();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function isReady(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ready';
}

/** Scripts only for an app page; command links only those a static page names; resources only from media. */
function webviewOptions(context: vscode.ExtensionContext, page: AppPage | StaticPage): vscode.WebviewOptions {
  return page.kind === 'app'
    ? { enableScripts: true, enableCommandUris: false, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'media')] }
    : { enableScripts: false, enableCommandUris: page.commandLinks ?? false, localResourceRoots: [] };
}
