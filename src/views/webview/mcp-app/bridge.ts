import { MCP_APP_PROTOCOL_VERSION } from '../../mcp-app-protocol';

/**
 * The App's side of the MCP Apps host protocol (JSON-RPC 2.0 over postMessage with the host frame): initialize,
 * the tool's input, result and cancellation, theme changes, size changes, teardown. Small on purpose: the App is
 * read-only, asks the host for nothing else, and stays a few kilobytes. Its interop is tested against the official
 * host implementation (`AppBridge` of @modelcontextprotocol/ext-apps) in test/browser/mcp-app.test.ts.
 */

export interface HostContext {
  theme?: 'light' | 'dark';
  styles?: { variables?: Record<string, string | undefined> };
}

export interface HostHandlers {
  toolInput(args: Record<string, unknown>): void;
  toolResult(result: unknown): void;
  toolCancelled(reason: string | undefined): void;
  hostContext(context: HostContext): void;
}

type Message = { jsonrpc: '2.0'; id?: number | string; method?: string; params?: unknown; result?: unknown; error?: { message?: string } };

export class HostBridge {
  private nextId = 1;
  private readonly pending = new Map<number | string, { resolve(result: unknown): void; reject(error: Error): void }>();

  constructor(
    private readonly host: Window,
    private readonly handlers: HostHandlers,
  ) {}

  /** Starts listening, then initializes; resolves once the host answered and was told the App is ready. */
  async connect(appInfo: { name: string; version: string }): Promise<void> {
    window.addEventListener('message', (event: MessageEvent) => {
      if (event.source === this.host) this.receive(event.data);
    });
    const result = (await this.request('ui/initialize', { appInfo, appCapabilities: {}, protocolVersion: MCP_APP_PROTOCOL_VERSION })) as { hostContext?: HostContext } | undefined;
    if (result?.hostContext) this.handlers.hostContext(result.hostContext);
    this.notify('ui/notifications/initialized', {});
  }

  /** Tells the host how much room the App's content needs, so it can size the frame. */
  sizeChanged(width: number, height: number): void {
    this.notify('ui/notifications/size-changed', { width, height });
  }

  private request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  private notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  private send(message: Message): void {
    // The App's origin is opaque (a sandboxed frame) and the host's is not known in advance.
    this.host.postMessage(message, '*');
  }

  private receive(data: unknown): void {
    if (typeof data !== 'object' || data === null || (data as Message).jsonrpc !== '2.0') return;
    const message = data as Message;
    if (typeof message.method === 'string') {
      if (message.id !== undefined) this.answer(message.id, message.method);
      else this.notified(message.method, message.params);
      return;
    }
    if (message.id === undefined) return;
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if (message.error) waiting.reject(new Error(message.error.message ?? 'the host refused the request'));
    else waiting.resolve(message.result);
  }

  /** Requests from the host: the App holds nothing to clean up, so teardown is answered at once. */
  private answer(id: number | string, method: string): void {
    if (method === 'ping' || method === 'ui/resource-teardown') this.send({ jsonrpc: '2.0', id, result: {} });
    else this.send({ jsonrpc: '2.0', id, error: { code: -32601, message: `Method not found: ${method}` } } as Message);
  }

  private notified(method: string, params: unknown): void {
    const p = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
    switch (method) {
      case 'ui/notifications/tool-input':
        this.handlers.toolInput(typeof p.arguments === 'object' && p.arguments !== null ? (p.arguments as Record<string, unknown>) : {});
        break;
      case 'ui/notifications/tool-result':
        this.handlers.toolResult(params);
        break;
      case 'ui/notifications/tool-cancelled':
        this.handlers.toolCancelled(typeof p.reason === 'string' ? p.reason : undefined);
        break;
      case 'ui/notifications/host-context-changed':
        this.handlers.hostContext(p as HostContext);
        break;
    }
  }
}
