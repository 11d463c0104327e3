import type { SmoaChatMetadata } from './chat-port';

export interface FollowupSpec {
  prompt: string;
  label: string;
  command?: string;
}

/** After an answer: the same question dense (every proposer's answer kept), and the roles; after /roles: new roles. */
export function followupsFor(metadata: Partial<SmoaChatMetadata> | undefined): FollowupSpec[] {
  if (!metadata?.command) return [];
  if (metadata.command === 'roles') return [{ prompt: 'regenerate', command: 'roles', label: 'Regenerate the roles' }];
  if (!metadata.runId || metadata.cancelled) return [];
  const out: FollowupSpec[] = [];
  if (metadata.strategy !== 'moa' && metadata.prompt) {
    out.push({ prompt: metadata.prompt, command: 'moa', label: 'Run again dense (MoA: keep every answer)' });
  }
  if (metadata.strategy === 'smoa') out.push({ prompt: '', command: 'roles', label: 'Show the roles' });
  return out;
}
