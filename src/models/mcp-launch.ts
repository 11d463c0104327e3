import { mcpProblem } from '../host/mcp-offer';
import { resolveRouteFile } from '../host/router-file';
import type { SmoaConfig } from '../pipeline/config';
import type { ApiKeyResolver } from '../pipeline/openai-client';

/**
 * How the extension starts `smoa mcp` for VS Code's MCP support: the window's settings written as a config file, and
 * the keys in the child's environment (never on its command line, in the file or in a log). Pure: unit-tested.
 */

export type McpLaunch = { ok: true; config: SmoaConfig; env: Record<string, string> } | { ok: false; problem: string };

/** The environment variable that carries an endpoint's key to the child. */
export function keyVariable(endpointId: string): string {
  return `SMOA_KEY_${endpointId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * Resolves every endpoint's key (SecretStorage, then the window's environment) into the child's environment; an
 * endpoint with a key found gets `apiKeyEnv` naming that variable, one without keeps what it had (a local server).
 */
export async function buildMcpLaunch(config: SmoaConfig | undefined, apiKey: ApiKeyResolver, workspaceFolder?: string): Promise<McpLaunch> {
  const problem = mcpProblem(config);
  if (problem || !config) return { ok: false, problem: problem ?? 'no configuration' };
  const env: Record<string, string> = {};
  const endpoints = [];
  for (const endpoint of config.endpoints) {
    const key = await apiKey(endpoint);
    if (!key) {
      endpoints.push(endpoint);
      continue;
    }
    const name = endpoint.apiKeyEnv ?? keyVariable(endpoint.id);
    env[name] = key;
    endpoints.push({ ...endpoint, apiKeyEnv: name });
  }
  // The server starts in a folder of VS Code's choosing: a relative router file is written as the window reads it.
  const routeFile = resolveRouteFile(config.route.file, workspaceFolder).path;
  return { ok: true, config: { ...config, endpoints, ...(routeFile ? { route: { ...config.route, file: routeFile } } : {}) }, env };
}
