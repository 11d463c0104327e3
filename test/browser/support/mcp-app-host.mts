import { AppBridge, PostMessageTransport, type McpUiHostContext } from '@modelcontextprotocol/ext-apps/app-bridge';
import type { HostLog, HostStart } from './mcp-app-host-types.js';

/**
 * A host page for the consult trace view, built on the official host implementation (`AppBridge` of
 * @modelcontextprotocol/ext-apps), bundled for the browser by test/browser/mcp-app.test.ts. It frames the App's HTML
 * as MCP Apps hosts do (a sandboxed frame with scripts only, an opaque origin), hands it the tool's input and result,
 * and records what the App asked of it.
 */

const log: HostLog = { initialized: false, sizes: [], links: [], messages: [], errors: [] };
let bridge: AppBridge | undefined;

async function start(options: HostStart): Promise<void> {
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.width = '960';
  frame.height = '700';
  document.body.append(frame);
  const target = frame.contentWindow!;
  bridge = new AppBridge(null, { name: 'smoa-test-host', version: '1.0.0' }, { openLinks: {}, logging: {} }, { hostContext: (options.context ?? { theme: 'light' }) as McpUiHostContext });
  bridge.oninitialized = () => {
    log.initialized = true;
    void (async () => {
      await bridge!.sendToolInput({ arguments: options.input });
      if (options.result !== undefined) await bridge!.sendToolResult(options.result as Parameters<AppBridge['sendToolResult']>[0]);
      if (options.cancelReason !== undefined) await bridge!.sendToolCancelled({ reason: options.cancelReason });
    })().catch((e: unknown) => log.errors.push(String(e)));
  };
  bridge.onsizechange = (size) => {
    log.sizes.push(size);
  };
  bridge.onopenlink = async ({ url }) => {
    log.links.push(url);
    return {};
  };
  bridge.onmessage = async (params) => {
    log.messages.push(params);
    return {};
  };
  await bridge.connect(new PostMessageTransport(target, target));
  frame.srcdoc = options.html;
}

async function changeContext(context: McpUiHostContext): Promise<void> {
  await bridge!.sendHostContextChange(context);
}

async function teardown(): Promise<Record<string, unknown>> {
  return bridge!.teardownResource({});
}

Object.assign(window, { __host: { start, changeContext, teardown, log } });
