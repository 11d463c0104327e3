import { join } from 'node:path';
import { McpServer, specTypeSchemas, type SpecTypeName } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { consult, CONSULT_DESCRIPTION, consultInputSchema, consultProgressLine } from '../host/consult';
import { createClientFactory, EndpointPool } from '../pipeline/client-factory';
import type { SmoaConfig } from '../pipeline/config';
import type { SmoaEvent } from '../pipeline/events';
import { startRun } from '../pipeline/start-run';
import { MemoryRoleCache } from '../pipeline/roles/prompt';
import type { Command } from './args';
import { checkApiKeys, readConfigFile, writeTrace } from './io';
import { ProgressNarrator } from '../pipeline/narrator';
import { describeIssues, LineStdioTransport, type ParamsCheck } from './mcp-stdio';
import { TaskTransport } from './mcp-tasks';
import { CONSULT_TOOL_UI_META, registerTraceView, traceResultMeta } from './mcp-app';

/**
 * `smoa mcp`: the ensemble as an MCP server over stdio, for agents that reach helpers through MCP (Copilot CLI, Claude
 * Code, Cursor, VS Code). One tool, `consult`. Standard output is the protocol, so everything else goes to stderr.
 * The server's runs get no tools of their own: a consultation cannot start another one.
 */

const MCP_TOOL_NAME = 'consult';

export async function serveMcp(command: Extract<Command, { kind: 'mcp' }>, version: string): Promise<number> {
  const config = readConfigFile(command.config);
  checkApiKeys(config);
  const shared = createMcpShared();
  const options = { version, ...(command.traceDir ? { traceDir: command.traceDir } : {}) };
  const wire = new LineStdioTransport(process.stdin, process.stdout, checkRequestParams);
  // Clients that support MCP tasks (2025-11-25, or the 2026-07-28 tasks extension) get `consult` as a task: it outlasts
  // their request timeout.
  const transport = new TaskTransport(wire, { taskTools: [MCP_TOOL_NAME], log: (line) => process.stderr.write(`smoa mcp: ${line}\n`) });
  // Both protocol eras on one stdio connection: a client that opens with `initialize` (the 2025 family) gets a
  // negotiating server; one that opens with `server/discover` or a request carrying the 2026-07-28 envelope gets the
  // current protocol. The SDK picks the era from the first message and builds one server for it from this factory.
  // Dropped notifications and stream errors go to stderr (stdout is the protocol).
  const handle = serveStdio(() => createMcpServer(config, options, shared), { transport, onerror: (error) => process.stderr.write(`smoa mcp: ${error.message}\n`) });
  process.stderr.write(`smoa mcp: serving "${MCP_TOOL_NAME}" on stdio (${config.proposers.length} proposers, aggregator ${config.aggregator})\n`);
  // The client ends the session by closing our stdin.
  await wire.closed;
  await handle.close();
  return 0;
}

/**
 * The SDK's own schema for each request this server serves, by method: params that do not fit get -32602 with one
 * line naming the field (the SDK itself answers them with a multi-line schema dump, or not at all).
 */
const REQUEST_TYPES: Readonly<Record<string, SpecTypeName>> = {
  initialize: 'InitializeRequest',
  ping: 'PingRequest',
  'server/discover': 'DiscoverRequest',
  'tools/list': 'ListToolsRequest',
  'tools/call': 'CallToolRequest',
  'resources/list': 'ListResourcesRequest',
  'resources/templates/list': 'ListResourceTemplatesRequest',
  'resources/read': 'ReadResourceRequest',
  'prompts/list': 'ListPromptsRequest',
  'prompts/get': 'GetPromptRequest',
  'completion/complete': 'CompleteRequest',
  'logging/setLevel': 'SetLevelRequest',
  'tasks/get': 'GetTaskRequest',
  'tasks/result': 'GetTaskPayloadRequest',
  'tasks/cancel': 'CancelTaskRequest',
  'tasks/list': 'ListTasksRequest',
};

const checkRequestParams: ParamsCheck = (method, params) => {
  const type = REQUEST_TYPES[method];
  if (!type) return undefined;
  const checked = specTypeSchemas[type]['~standard'].validate(params === undefined ? { method } : { method, params });
  if (checked instanceof Promise) return undefined; // the spec schemas are synchronous; never taken
  return checked.issues ? describeIssues(method, checked.issues.map((i) => ({ path: (i.path ?? []).map((p) => (typeof p === 'object' ? p.key : p)), message: i.message }))) : undefined;
};

/** What every server instance of one `smoa mcp` process shares, whichever era each connection speaks. */
interface McpShared {
  /** Endpoint caps and learned quirks hold across consultations. */
  readonly pool: EndpointPool;
  readonly roleCache: MemoryRoleCache;
}

function createMcpShared(): McpShared {
  return { pool: new EndpointPool(), roleCache: new MemoryRoleCache() };
}

function createMcpServer(config: SmoaConfig, options: { version: string; traceDir?: string }, shared: McpShared = createMcpShared()): McpServer {
  const server = new McpServer({ name: 'smoa', version: options.version });
  const { pool, roleCache } = shared;
  server.registerTool(
    MCP_TOOL_NAME,
    {
      title: 'Consult the SMoA ensemble',
      description: CONSULT_DESCRIPTION,
      inputSchema: consultInputSchema.shape,
      annotations: { readOnlyHint: true, openWorldHint: true },
      // Hosts that render MCP Apps show the consultation's trace inline (the view reads the result's _meta).
      _meta: CONSULT_TOOL_UI_META,
    },
    async (input, ctx) => {
      const { signal } = ctx.mcpReq;
      const progressToken = ctx.mcpReq._meta?.progressToken;
      const narrator = new ProgressNarrator();
      let step = 0;
      // Notifications go out in order, and all of them before the result: a client reads "Finished" last.
      let sent: Promise<unknown> = Promise.resolve();
      const progress = (event: SmoaEvent) => {
        const line = event.type === 'run-finished' ? `Finished: ${event.status}` : narrator.describe(event);
        if (line === undefined || progressToken === undefined || signal.aborted) return;
        // Progress per stage (roles, layers, judge, aggregator); a client that stopped listening must not fail the run.
        const params = { progressToken, progress: ++step, message: consultProgressLine(line) };
        sent = sent.then(() => ctx.mcpReq.notify({ method: 'notifications/progress', params })).catch(() => undefined);
      };
      const reply = await consult(
        input,
        async (request, onEvent) => {
          const { result, trace } = await startRun(config, request, { clientFor: createClientFactory(config, pool), signal, roleCache, onEvent }).finished;
          const tracePath = options.traceDir ? join(options.traceDir, `${result.runId}.json`) : undefined;
          if (tracePath) writeTrace(tracePath, trace);
          return { runId: result.runId, result, trace, ...(tracePath ? { tracePath } : {}) };
        },
        progress,
      );
      await sent;
      return {
        content: [{ type: 'text' as const, text: reply.text }],
        ...(reply.failed ? { isError: true } : {}),
        _meta: traceResultMeta(reply.run.trace, reply.run.tracePath),
      };
    },
  );
  registerTraceView(server);
  return server;
}
