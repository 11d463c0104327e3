import { z } from 'zod';
import type { ChatMessage } from '../client';
import { describeJsonShape, extractJson, responseFormatFor } from '../json-reply';
import { clip } from '../prompts';

/**
 * Role play (SMoA): one distinct role per proposer, written by a model from the task description and what the
 * request is about. As in the paper, roles are generated once and reused: the cache key is the task description,
 * the number of roles and the model, plus the request itself only when there is no task description to go on.
 */

export interface RoleCache {
  get(key: string): string[] | undefined | Promise<string[] | undefined>;
  set(key: string, roles: string[]): void | Promise<void>;
  delete?(key: string): void | Promise<void>;
}

export class MemoryRoleCache implements RoleCache {
  private readonly map = new Map<string, string[]>();
  get(key: string) {
    return this.map.get(key);
  }
  set(key: string, roles: string[]) {
    this.map.set(key, roles);
  }
  delete(key: string) {
    this.map.delete(key);
  }
}

export function roleCacheKey(taskDescription: string, count: number, modelId: string, prompt: string): string {
  const basis = taskDescription.trim() || `prompt:${prompt.trim().slice(0, 2000)}`;
  return JSON.stringify([count, modelId, basis]);
}

const rolesSchema = z.strictObject({ roles: z.array(z.string()) });

/**
 * How long a role may be. A role rides along on every proposer call (n proposers x every layer), so each of its words
 * is paid for n x layers times a run; one sentence carries an occupation, a personality and a perspective.
 */
export const ROLE_WORDS = 12;

/** A role the writer made longer than asked is cut here on reading: it would be paid for on every proposer call. */
export const ROLE_MAX_CHARS = 200;

export const rolesResponseFormat = () => responseFormatFor('roles', rolesSchema);

export function buildRolesRequest(taskDescription: string, prompt: string, count: number): ChatMessage[] {
  const system = [
    `Write ${count} distinct roles for a panel of ${count} AI assistants who will each answer the same requests independently.`,
    `Each role is one sentence of at most ${ROLE_WORDS} words in the second person ("You are ..."): an occupation, a`,
    'personality and a perspective that suit the task and differ from the other roles, so the panel covers the problem',
    'from different angles. Roles must not ask for a particular answer format.',
    describeJsonShape({ roles: Array.from({ length: Math.min(count, 2) }, () => 'You are ...') }),
  ].join('\n');
  const task = taskDescription.trim() ? `Task: ${taskDescription.trim()}\n\n` : '';
  return [
    { role: 'system', content: system },
    { role: 'user', content: `${task}Example request:\n${clip(prompt, 2000)}` },
  ];
}

/** Stock roles used when the role writer's reply is unusable, so a run never stops for want of roles. */
const FALLBACK_ROLES = [
  'You are a meticulous engineer who checks every claim and edge case.',
  'You are a pragmatic teacher who explains clearly, with a small example.',
  'You are a skeptical reviewer hunting hidden assumptions, risks and better alternatives.',
  'You are a domain researcher who weighs standards and trade-offs, flagging uncertainty.',
  'You are a product-minded architect weighing maintainability, performance and user needs.',
  'You are a concise expert: the direct correct answer first, then essentials.',
];

export interface ParsedRoles {
  roles: string[];
  /** Set when the fallback roles had to fill some places. */
  problem?: string;
}

export function parseRolesReply(raw: string, count: number): ParsedRoles {
  const json = extractJson(raw) as { roles?: unknown } | undefined;
  const listed = Array.isArray(json?.roles) ? json.roles : Array.isArray(json) ? (json as unknown[]) : [];
  const roles: string[] = [];
  for (const r of listed) {
    const text = typeof r === 'string' ? r.trim() : '';
    if (text && !roles.some((existing) => existing.toLowerCase() === text.toLowerCase()) && roles.length < count) {
      roles.push(clip(text, ROLE_MAX_CHARS, { oneLine: true, ellipsis: true }));
    }
  }
  if (roles.length === count) return { roles };
  const problem = json === undefined ? 'the reply is not JSON' : `${roles.length} distinct roles of ${count} wanted`;
  return { roles: fillRoles(roles, count), problem };
}

export function fillRoles(roles: string[], count: number): string[] {
  const out = [...roles];
  for (let i = 0; out.length < count; i++) {
    const base = FALLBACK_ROLES[i % FALLBACK_ROLES.length];
    out.push(i < FALLBACK_ROLES.length ? base : `${base} (panel member ${out.length + 1})`);
  }
  return out;
}
