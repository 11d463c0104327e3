import type { FakeRequest } from './fake-openai';
import { hash } from './schema-instance';

/**
 * Plausible structured replies for the SMoA engine's own JSON requests (judge, moderator, role writer), so the
 * sandbox and the benchmark show a believable run: the judge picks distinct responses with a reason, the
 * moderator sometimes stops, roles differ. Anything else falls back to the generic schema instance.
 */
export function simulatedPanelReply(req: FakeRequest, schema: unknown): string | undefined {
  const props = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (!props) return undefined;
  const system = req.messages.find((m) => m.role === 'system')?.content ?? '';
  const user = req.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  const h = hash(`${req.model}\n${user}`);
  if ('picks' in props) {
    const n = (user.match(/^### Response \d+/gm) ?? []).length || 1;
    const k = Number(/Choose the (\d+) best/.exec(system)?.[1] ?? 1);
    const order = Array.from({ length: n }, (_, i) => i + 1).sort((a, b) => hash(`${h}:${a}`) - hash(`${h}:${b}`));
    const picks = order.slice(0, Math.min(k, n));
    const reply: Record<string, unknown> = {
      reason: `Responses ${picks.join(' and ')} are the most accurate and complete (simulated judge ${req.model}).`,
      picks,
    };
    if ('stop' in props) Object.assign(reply, moderation(h));
    return JSON.stringify(reply);
  }
  if ('stop' in props && 'reason' in props) {
    const { stop, stopReason } = moderation(h);
    return JSON.stringify({ stop, reason: stopReason });
  }
  if ('roles' in props) {
    const n = Number(/Write (\d+) distinct roles/.exec(system)?.[1] ?? 4);
    const roles = Array.from({ length: n }, (_, i) => ROLES[(h + i) % ROLES.length] + (i >= ROLES.length ? ` (member ${i + 1})` : ''));
    return JSON.stringify({ roles });
  }
  return undefined;
}

/** About one run in three agrees early, so demos show both decisions. */
function moderation(h: number): { stop: boolean; stopReason: string } {
  const stop = h % 3 === 0;
  return {
    stop,
    stopReason: stop
      ? 'The responses agree on the approach and the key details.'
      : 'The responses differ on important details; another round should reconcile them.',
  };
}

const ROLES = [
  'You are a senior backend engineer who values correctness and checks every edge case.',
  'You are a patient teacher who explains with small concrete examples.',
  'You are a security reviewer who looks for what could go wrong.',
  'You are a performance specialist who measures before optimising.',
  'You are a pragmatic product engineer focused on what the user needs.',
  'You are a researcher who cites standards and states uncertainty.',
  'You are a minimalist who gives the most direct correct answer.',
];
