import type { RunService } from '../host/run-service';
import type { SmoaConfig } from '../pipeline/config';
import { clip } from '../pipeline/format';
import { roleCacheKey, type RoleCache } from '../pipeline/roles/prompt';
import type { ChatStreamPort } from './chat-port';

export interface RolesDeps {
  roleCache: RoleCache;
  runs: Pick<RunService, 'start'>;
}

const REGENERATE = /\b(regenerate|new|again|refresh|rewrite|reset)\b/i;

/**
 * `/roles`: shows the proposers' roles for the current task, writing them first when none are cached;
 * `/roles regenerate` drops the cached ones and writes new roles. The next run uses what this shows.
 */
export async function showRoles(
  config: SmoaConfig,
  prompt: string,
  lastQuestion: string | undefined,
  stream: ChatStreamPort,
  signal: AbortSignal,
  deps: RolesDeps,
): Promise<void> {
  if (config.roles === 'off') {
    stream.markdown('Role play is off (`smoa.roles` is `"off"`): every proposer answers without a role.');
    return;
  }
  if (Array.isArray(config.roles)) {
    stream.markdown(`Roles from the setting \`smoa.roles\` (edit it to change them):\n\n${formatRoles(config, config.roles)}`);
    return;
  }
  // Without a task description, roles are written for what is asked, so they follow the conversation's last question.
  const basis = config.taskDescription.trim() ? '' : (lastQuestion ?? '');
  if (!config.taskDescription.trim() && !basis) {
    stream.markdown(
      'Roles are written for the task: set `smoa.taskDescription`, or ask `@smoa` a question first; the roles for it are then shown here.',
    );
    return;
  }
  const regenerate = REGENERATE.test(prompt);
  if (regenerate) {
    const key = roleCacheKey(config.taskDescription, config.proposers.length, config.roleModel ?? config.aggregator, basis);
    await deps.roleCache.delete?.(key);
  }
  stream.progress(regenerate ? 'Writing new roles' : 'Looking up the roles');
  // A run of its own through the run service, so the role writer's call shows in the log and the trace panel.
  const run = await deps.runs.start({ prompt: basis, purpose: 'roles' }, { origin: 'chat', signal, config });
  await run.result;
  const assigned = run.trace.roles;
  if (!assigned) return;
  const origin = {
    generated: 'Newly written',
    cached: 'Cached',
    configured: 'Configured',
    fallback: 'Stock roles (the role writer did not deliver)',
  }[assigned.source] ?? 'Assigned';
  const task = config.taskDescription.trim() ? `the task "${config.taskDescription.trim()}"` : `"${clip(basis, 80, { oneLine: true, ellipsis: true })}"`;
  const note = assigned.note ? `\n\n_${assigned.note}_` : '';
  stream.markdown(`${origin} roles for ${task}:\n\n${formatRoles(config, assigned.roles)}${note}`);
}

function formatRoles(config: SmoaConfig, roles: readonly string[]): string {
  return roles.map((role, slot) => `${slot + 1}. **${config.proposers[slot] ?? 'proposer'}**: ${role}`).join('\n');
}
