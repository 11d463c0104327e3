import { RunService, type RunServiceDeps } from '../../../src/host/run-service';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import type { SmoaConfig } from '../../../src/pipeline/config';
import type { FakeServer } from '../../../test/server/fake-openai';
import { testConfig } from './config';

/**
 * A RunService as the extension wires it, on the fake server: the test config (or `config`), a fresh endpoint pool per
 * run's client factory, and whatever else a test needs (`admit`, `roleCache`, ...).
 */
export function testRunService(server: FakeServer, deps: Partial<RunServiceDeps> & { config?: SmoaConfig } = {}): RunService {
  const { config, ...rest } = deps;
  return new RunService({
    getConfig: () => config ?? testConfig(server),
    clientFor: (c) => createClientFactory(c, new EndpointPool()),
    ...rest,
  });
}
