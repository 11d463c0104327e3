import { judgeModels, VSCODE_ENDPOINT, type SmoaConfig } from '../pipeline/config';
import type { ApiKeyResolver } from '../pipeline/openai-client';

/**
 * How the extension starts `smoa mcp` for VS Code's MCP support: the window's settings written as a config file, and
 * the keys in the child's environment (never on its command line, in the file or in a log). Pure: unit-tested.
 */

export type McpLaunch = { ok: true; config: SmoaConfig; env: Record<string, string> } | { ok: false; problem: string };

/** A config the CLI can run: it reaches OpenAI-compatible endpoints only, not VS Code's own models. */
export function mcpProblem(config: SmoaConfig | undefined): string | undefined {
  if (!config) return 'SMoA over MCP needs endpoint models in smoa.models; with no set-up the panel is VS Code\'s own models, which only run inside VS Code.';
  const used = new Set([...config.proposers, config.aggregator, ...judgeModels(config), config.moderator, config.roleModel]);
  const inside = config.models.filter((m) => used.has(m.id) && m.endpoint === VSCODE_ENDPOINT).map((m) => m.id);
  if (inside.length) return `SMoA over MCP runs outside VS Code and cannot use VS Code's models (${inside.join(', ')} in smoa.models).`;
  return undefined;
}

/** The environment variable that carries an endpoint's key to the child. */
export function keyVariable(endpointId: string): string {
  return `SMOA_KEY_${endpointId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * Resolves every endpoint's key (SecretStorage, then the window's environment) into the child's environment; an
 * endpoint with a key found gets `apiKeyEnv` naming that variable, one without keeps what it had (a local server).
 */
export async function buildMcpLaunch(config: SmoaConfig | undefined, apiKey: ApiKeyResolver): Promise<McpLaunch> {
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
  return { ok: true, config: { ...config, endpoints }, env };
}
