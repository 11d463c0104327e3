import type { FakeRequest } from './fake-openai';
import { hash, instanceOf } from './schema-instance';

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
    // A constrained decoder lets the model say only what the schema allows: the picks come from the schema's enum and
    // item bounds, not from the prompt. A loose schema (no enum) gets whatever fits it, which may be useless.
    const generic = instanceOf(schema, `${req.model}\n${user}`) as Record<string, unknown>;
    const picksSchema = props.picks as { items?: { enum?: unknown[] }; minItems?: number; maxItems?: number } | undefined;
    const allowed = picksSchema?.items?.enum;
    if (!Array.isArray(allowed) || allowed.length === 0) return JSON.stringify(generic);
    const wanted = Number(/Choose the (\d+) best/.exec(system)?.[1] ?? 1);
    const k = Math.min(Math.max(wanted, picksSchema?.minItems ?? 0), picksSchema?.maxItems ?? allowed.length, allowed.length);
    const order = [...allowed].sort((a, b) => hash(`${h}:${String(a)}`) - hash(`${h}:${String(b)}`));
    const picks = order.slice(0, k);
    const reply: Record<string, unknown> = {
      ...generic,
      reason: `Responses ${picks.join(' and ')} are the most accurate and complete (simulated judge ${req.model}).`,
      picks,
    };
    if ('agreements' in props) {
      Object.assign(reply, {
        agreements: ['Both start from the simplest version that works and verify it (simulated).'],
        contradictions: h % 2 ? ['They differ on whether to optimise before measuring (simulated).'] : [],
        droppedInsights: h % 3 ? [] : ['A dropped answer points out the empty-input edge case (simulated).'],
      });
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
