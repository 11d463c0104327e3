import type { FakeServer } from '../../../test/server/fake-openai';
import { loadConfig, type SmoaConfig, type SmoaConfigInput } from '../../../src/pipeline/config';

/** The one config fixture of the unit tests: tests state only what differs from it. */

/** Four models on one endpoint of the fake server, as settings input (unparsed); tests override what they need. */
export function testConfigInput(server: FakeServer, overrides: Partial<SmoaConfigInput> = {}): SmoaConfigInput {
  return {
    endpoints: [{ id: 'local', baseURL: server.url, maxConcurrency: 16, timeoutMs: 5_000, maxRetries: 2 }],
    models: [
      { id: 'a', endpoint: 'local', model: 'model-a' },
      { id: 'b', endpoint: 'local', model: 'model-b' },
      { id: 'c', endpoint: 'local', model: 'model-c' },
      { id: 'd', endpoint: 'local', model: 'model-d' },
    ],
    proposers: ['a', 'b', 'c', 'd'],
    aggregator: 'a',
    judge: 'b',
    layers: 2,
    topK: 2,
    roles: 'off',
    ...overrides,
  };
}

/** The same, parsed. */
export function testConfig(server: FakeServer, overrides: Partial<SmoaConfigInput> = {}): SmoaConfig {
  return loadConfig(testConfigInput(server, overrides));
}
