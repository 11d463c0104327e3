import type { RoleCache } from '../pipeline/roles/prompt';

/** The part of vscode.Memento (context.globalState) the role cache needs. */
export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

const STORAGE_KEY = 'smoa.roles';
/** Roles are a few hundred bytes each; a bound keeps globalState from growing with every distinct prompt. */
const MAX_ENTRIES = 50;

/**
 * Roles survive restarts (the SMoA paper generates them once per task and reuses them), stored in globalState under one
 * key as a small LRU list of [cacheKey, roles].
 */
export class MementoRoleCache implements RoleCache {
  constructor(private readonly memento: MementoLike) {}

  get(key: string): string[] | undefined {
    return this.entries().find(([k]) => k === key)?.[1];
  }

  async set(key: string, roles: string[]): Promise<void> {
    const rest = this.entries().filter(([k]) => k !== key);
    await this.memento.update(STORAGE_KEY, [[key, roles], ...rest].slice(0, MAX_ENTRIES));
  }

  async delete(key: string): Promise<void> {
    await this.memento.update(STORAGE_KEY, this.entries().filter(([k]) => k !== key));
  }

  private entries(): [string, string[]][] {
    return this.memento.get<[string, string[]][]>(STORAGE_KEY) ?? [];
  }
}
