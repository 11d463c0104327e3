import { join } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ClientRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { consult, CONSULT_DESCRIPTION, consultInputSchema, consultProgressLine } from '../host/consult';
import { createClientFactory, EndpointPool } from '../pipeline/clients';
import type { SmoaConfig } from '../pipeline/config';
import type { SmoaEvent } from '../pipeline/events';
import { startRun } from '../pipeline/start-run';
import { MemoryRoleCache } from '../pipeline/roles';
import type { Command } from './args';
import { checkApiKeys, readConfigFile, writeTrace } from './io';
import { ProgressNarrator } from '../pipeline/narrator';
import { describeIssues, LineStdioTransport, type ParamsCheck } from './mcp-stdio';

/**
 * `smoa mcp`: the ensemble as an MCP server over stdio, for agents that reach helpers through MCP (Copilot CLI, Claude
 * Code, Cursor, VS Code). One tool, `consult`. Standard output is the protocol, so everything else goes to stderr.
 * The server's runs get no tools of their own: a consultation cannot start another one.
 */

export const MCP_TOOL_NAME = 'consult';

export async function serveMcp(command: Extract<Command, { kind: 'mcp' }>, version: string): Promise<number> {
  const config = readConfigFile(command.config);
  checkApiKeys(config);
  const server = createMcpServer(config, { version, ...(command.traceDir ? { traceDir: command.traceDir } : {}) });
  const transport = new LineStdioTransport(process.stdin, process.stdout, checkRequestParams);
  // Dropped notifications and stream errors go to stderr (stdout is the protocol); the SDK chains its handler to ours.
  transport.onerror = (error) => process.stderr.write(`${error.message}\n`);
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  await server.connect(transport);
  process.stderr.write(`smoa mcp: serving "${MCP_TOOL_NAME}" on stdio (${config.proposers.length} proposers, aggregator ${config.aggregator})\n`);
  // The client ends the session by closing our stdin.
  process.stdin.on('end', () => void server.close());
  await closed;
  return 0;
}

/** The SDK's own schema for each request a client may send, by method: bad params get -32602 naming the field. */
const requestSchemas = new Map(ClientRequestSchema.options.map((schema) => [schema.shape.method.value as string, schema]));

export const checkRequestParams: ParamsCheck = (method, params) => {
  const schema = requestSchemas.get(method);
  if (!schema) return undefined;
  const checked = schema.safeParse(params === undefined ? { method } : { method, params });
  return checked.success ? undefined : describeIssues(method, checked.error.issues);
};

export function createMcpServer(config: SmoaConfig, options: { version: string; traceDir?: string }): McpServer {
  const server = new McpServer({ name: 'smoa', version: options.version });
  // One pool for the server's life: endpoint caps and learned quirks hold across consultations.
  const pool = new EndpointPool();
  const roleCache = new MemoryRoleCache();
  server.registerTool(
    MCP_TOOL_NAME,
    {
      title: 'Consult the SMoA ensemble',
      description: CONSULT_DESCRIPTION,
      inputSchema: consultInputSchema.shape,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async (input, extra) => {
      const progressToken = extra._meta?.progressToken;
      const narrator = new ProgressNarrator();
      let step = 0;
      // Notifications go out in order, and all of them before the result: a client reads "Finished" last.
      let sent: Promise<unknown> = Promise.resolve();
      const progress = (event: SmoaEvent) => {
        const line = event.type === 'run-finished' ? `Finished: ${event.status}` : narrator.describe(event);
        if (line === undefined || progressToken === undefined || extra.signal.aborted) return;
        // Progress per stage (roles, layers, judge, aggregator); a client that stopped listening must not fail the run.
        const params = { progressToken, progress: ++step, message: consultProgressLine(line) };
        sent = sent.then(() => extra.sendNotification({ method: 'notifications/progress', params })).catch(() => undefined);
      };
      const reply = await consult(
        input,
        async (request, onEvent) => {
          const { result, trace } = await startRun(config, request, { clientFor: createClientFactory(config, pool), signal: extra.signal, roleCache, onEvent }).finished;
          const tracePath = options.traceDir ? join(options.traceDir, `${result.runId}.json`) : undefined;
          if (tracePath) writeTrace(tracePath, trace);
          return { runId: result.runId, result, trace, ...(tracePath ? { tracePath } : {}) };
        },
        progress,
      );
      await sent;
      return { content: [{ type: 'text' as const, text: reply.text }], ...(reply.failed ? { isError: true } : {}) };
    },
  );
  return server;
}
