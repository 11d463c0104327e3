import { buildRolesRequest, fillRoles, parseRolesReply, roleCacheKey, rolesResponseFormat, type RoleCache } from './prompt';
import type { RunContext } from '../run-context';

/** Decides each proposer's role for a SMoA run, generating and caching them when `roles` is "auto". */
export async function resolveRoles(
  run: RunContext,
  input: { prompt: string },
  cache: RoleCache | undefined,
  count = run.config.proposers.length,
): Promise<string[] | undefined> {
  const { config } = run;
  if (config.roles === 'off') return undefined;
  if (Array.isArray(config.roles)) {
    run.emit({ type: 'roles-assigned', roles: config.roles, source: 'configured' });
    return config.roles;
  }
  const modelId = config.roleModel ?? config.aggregator;
  const key = roleCacheKey(config.taskDescription, count, modelId, input.prompt);
  const cached = await cache?.get(key);
  if (cached && cached.length === count) {
    run.emit({ type: 'roles-assigned', roles: cached, source: 'cached' });
    return cached;
  }
  const outcome = await run.call({
    stage: 'roles',
    modelId,
    temperature: 0.7,
    messages: buildRolesRequest(config.taskDescription, input.prompt, count),
    responseFormat: rolesResponseFormat(),
  });
  if (!outcome.ok && run.cancelled) return undefined;
  if (!outcome.ok) {
    const roles = fillRoles([], count);
    run.emit({ type: 'roles-assigned', roles, source: 'fallback', note: `role writer failed (${outcome.error.message}); using stock roles` });
    return roles;
  }
  const parsed = parseRolesReply(outcome.text, count);
  if (parsed.problem) {
    run.emit({ type: 'roles-assigned', roles: parsed.roles, source: 'fallback', note: `${parsed.problem}; stock roles filled the rest` });
  } else {
    run.emit({ type: 'roles-assigned', roles: parsed.roles, source: 'generated' });
  }
  // Only roles the model wrote in full are cached, so a bad reply is not reused forever.
  if (!parsed.problem) await cache?.set(key, parsed.roles);
  return parsed.roles;
}
