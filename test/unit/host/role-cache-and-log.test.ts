import assert from 'node:assert/strict';
import { secretKeyFor, secretsThenEnv } from '../../../src/host/api-keys';
import { logRun } from '../../../src/host/call-log';
import { MementoRoleCache } from '../../../src/host/role-cache';
import type { SmoaEvent } from '../../../src/pipeline/events';

class MemoryMemento {
  readonly data = new Map<string, unknown>();
  get<T>(key: string) {
    return this.data.get(key) as T | undefined;
  }
  async update(key: string, value: unknown) {
    this.data.set(key, value);
  }
}

describe('extension services without VS Code', () => {
  it('role cache: survives in globalState, newest first, deletable', async () => {
    const memento = new MemoryMemento();
    const cache = new MementoRoleCache(memento);
    await cache.set('k1', ['r1']);
    await cache.set('k2', ['r2']);
    assert.deepEqual(new MementoRoleCache(memento).get('k1'), ['r1']);
    await cache.delete('k1');
    assert.equal(cache.get('k1'), undefined);
    assert.deepEqual(cache.get('k2'), ['r2']);
  });

  it('API keys: SecretStorage first, then the endpoint’s environment variable', async () => {
    const secrets = new Map([[secretKeyFor('a'), 'sk-secret']]);
    const resolve = secretsThenEnv({ get: async (k) => secrets.get(k) });
    process.env.SMOA_TEST_KEY_B = 'sk-env';
    const endpoint = (id: string) => ({ id, baseURL: 'http://h/v1', apiKeyEnv: 'SMOA_TEST_KEY_B', maxConcurrency: 1, timeoutMs: 1000, maxRetries: 0, structuredOutputs: 'auto' as const });
    assert.equal(await resolve(endpoint('a')), 'sk-secret');
    assert.equal(await resolve(endpoint('b')), 'sk-env');
    delete process.env.SMOA_TEST_KEY_B;
  });

  it('call log: one line per call with model, stage, timing and tokens; errors as errors', () => {
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`), error: (m: string) => lines.push(`error ${m}`) };
    let listener: (e: SmoaEvent) => void = () => undefined;
    logRun({ runId: 'abcdef123456', origin: 'chat', subscribe: (l) => ((listener = l), () => undefined) }, log);
    listener({ t: 0, type: 'call-started', callId: 'c1', stage: 'proposer', layer: 1, slot: 0, modelId: 'a', model: 'model-a' });
    listener({ t: 5, type: 'call-done', callId: 'c1', text: 'secret answer', usage: { promptTokens: 10, completionTokens: 5, estimated: true }, latencyMs: 42, ttftMs: 7, attempts: 1 });
    listener({ t: 0, type: 'call-started', callId: 'c2', stage: 'judge', layer: 1, modelId: 'b', model: 'model-b' });
    listener({ t: 9, type: 'call-failed', callId: 'c2', error: { message: 'HTTP 401: bad key', kind: 'auth', attempts: 1 }, latencyMs: 3 });
    assert.deepEqual(lines, [
      'info [abcdef12] proposer layer 1 slot 1 a (model-a): 42 ms, first token 7 ms, 10 in / 5 out (estimated)',
      'error [abcdef12] judge layer 1 b (model-b): failed after 3 ms [auth] HTTP 401: bad key',
    ]);
  });
});
