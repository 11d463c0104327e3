import { judgeModels, VSCODE_ENDPOINT, type SmoaConfig } from '../pipeline/config';

/**
 * Whether the extension offers `smoa mcp` to VS Code's MCP support: the opt-in setting, and a panel the CLI can run.
 * The registration (src/models/mcp-registration.ts) and the command that turns it on (src/commands) both ask here.
 */

/** A config the CLI can run: it reaches OpenAI-compatible endpoints only, not VS Code's own models. */
export function mcpProblem(config: SmoaConfig | undefined): string | undefined {
  if (!config) return 'SMoA over MCP needs endpoint models in smoa.models; with no set-up the panel is VS Code\'s own models, which only run inside VS Code.';
  const used = new Set([...config.proposers, config.aggregator, ...judgeModels(config), config.moderator, config.roleModel]);
  const inside = config.models.filter((m) => used.has(m.id) && m.endpoint === VSCODE_ENDPOINT).map((m) => m.id);
  if (inside.length) return `SMoA over MCP runs outside VS Code and cannot use VS Code's models (${inside.join(', ')} in smoa.models).`;
  return undefined;
}

/** The setting that opts in: without it VS Code is offered no server and never asks to start one. */
export const MCP_ENABLED_SETTING = 'mcp.enabled';

/** The command line VS Code runs: the bundled CLI's `smoa mcp`, the same server the README's clients start. */
export function mcpServerArgs(cli: string, configFile: string): string[] {
  return [cli, 'mcp', '--config', configFile];
}

/**
 * Whether the extension offers its MCP server to VS Code right now: only once the user opted in, and only for a
 * panel the CLI can run. `problem` says why not, for the command that turns it on.
 */
export function mcpOffer(enabled: boolean, config: SmoaConfig | undefined): { offer: true } | { offer: false; problem: string } {
  if (!enabled) return { offer: false, problem: 'smoa.mcp.enabled is off' };
  const problem = mcpProblem(config);
  return problem ? { offer: false, problem } : { offer: true };
}

