import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/server';
import type { Trace } from '../pipeline/trace';
import { MAX_RESULT_TRACE_CHARS, MCP_APP_MIME_TYPE, TRACE_OMITTED_META_KEY, TRACE_RESULT_META_KEY, TRACE_VIEW_URI } from '../views/mcp-app-protocol';

/**
 * The MCP App of `consult` on the server's side: the tool names its view (`_meta.ui.resourceUri`), the view is one
 * HTML resource (built by esbuild.mjs into dist/mcp-app.html, beside dist/cli.js), and each result carries the run's
 * trace in `_meta`, which hosts pass to the view and not to the model.
 */

/** The tool's `_meta`: the current key, and the flat key hosts of the first MCP Apps drafts read. */
export const CONSULT_TOOL_UI_META = { ui: { resourceUri: TRACE_VIEW_URI }, 'ui/resourceUri': TRACE_VIEW_URI } as const;

/** The bundled CLI finds the view beside itself; run from source (tests), in dist/ after `npm run build`. */
function traceViewHtml(): string {
  const candidates = [join(__dirname, 'mcp-app.html'), join(__dirname, '..', '..', 'dist', 'mcp-app.html')];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error(`the trace view is not built (looked for ${candidates.join(', ')}): run \`npm run build\``);
  return readFileSync(file, 'utf8');
}

export function registerTraceView(server: McpServer): void {
  server.registerResource(
    'consult-trace',
    TRACE_VIEW_URI,
    {
      title: 'SMoA consultation trace',
      description: "A consultation's layers, the judge's scores and notes, the moderator's decision and the cost, read-only.",
      mimeType: MCP_APP_MIME_TYPE,
      // Nothing remote: no connect, resource, frame or base domains.
      _meta: { ui: { csp: { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] }, prefersBorder: true } },
    },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: MCP_APP_MIME_TYPE, text: traceViewHtml(), _meta: { ui: { prefersBorder: true } } }] }),
  );
}

/** The result's `_meta`: the trace for the view, or why it was left out (and where the trace file is). */
export function traceResultMeta(trace: Trace, tracePath: string | undefined): Record<string, unknown> {
  const size = JSON.stringify(trace).length;
  if (size <= MAX_RESULT_TRACE_CHARS) return { [TRACE_RESULT_META_KEY]: trace };
  const mb = (size / 1_000_000).toFixed(1);
  return { [TRACE_OMITTED_META_KEY]: `the trace is ${mb} MB, more than a tool result should carry${tracePath ? `; it is saved at ${tracePath}` : ' (start smoa mcp with --trace-dir to keep it)'}` };
}
