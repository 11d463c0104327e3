import type { FakeRequest } from './fake-openai';
import { hash, instanceOf } from './schema-instance';

/**
 * Plausible structured replies for the SMoA engine's own JSON requests (judge, moderator, role writer), so the
 * sandbox and the benchmark show a believable run: the judge scores each response with a short reason, the
 * moderator sometimes stops, roles differ. Anything else falls back to the generic schema instance.
 */
export function simulatedPanelReply(req: FakeRequest, schema: unknown): string | undefined {
  const props = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (!props) return undefined;
  const system = req.messages.find((m) => m.role === 'system')?.content ?? '';
  const user = req.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  const h = hash(`${req.model}\n${user}`);
  if ('scores' in props) {
    // A judge scores every response it is asked about (the keys of `scores`), each model with its own taste.
    const generic = instanceOf(schema, `${req.model}\n${user}`) as Record<string, unknown>;
    const labels = Object.keys((props.scores as { properties?: Record<string, unknown> }).properties ?? {});
    const scores = Object.fromEntries(labels.map((label) => [label, 3 + (hash(`${h}:${label}`) % 8)]));
    const best = [...labels].sort((a, b) => scores[b] - scores[a]).slice(0, 2);
    const reply: Record<string, unknown> = { ...generic, scores };
    if ('reason' in props) reply.reason = `Responses ${best.join(' and ')} are the most accurate (simulated judge ${req.model}).`;
    if ('agreements' in props) {
      const room = (key: string) => (props[key] as { maxItems?: number }).maxItems ?? 3;
      const notes: Record<string, string[]> = {
        agreements: ['Start simple and verify the result (simulated).', 'Measure before optimising (simulated).'],
        contradictions: h % 2 ? ['They differ on when to optimise (simulated).'] : [],
        droppedInsights: h % 3 ? [] : ['A dropped answer covers the empty input (simulated).'],
      };
      for (const [key, items] of Object.entries(notes)) reply[key] = items.slice(0, room(key));
    }
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
