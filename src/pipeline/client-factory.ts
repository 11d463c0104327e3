import type { ChatClient } from './client';
import { EndpointDownMemo } from './endpoint-down';
import { endpointById, VSCODE_ENDPOINT, type ModelConfig, type SmoaConfig } from './config';
import { EndpointPool } from './openai-client';

/**
 * Maps each configured model to its client. OpenAI-compatible endpoints are handled here; models on the reserved
 * "vscode" endpoint need a client from the host (the extension passes one in), elsewhere they are an error.
 */
export function createClientFactory(
  config: SmoaConfig,
  pool: EndpointPool = new EndpointPool(),
  hostClient?: (model: ModelConfig) => ChatClient,
): (model: ModelConfig) => ChatClient {
  // A factory serves one run: an endpoint found unreachable stays down for the rest of it (see endpoint-down.ts).
  const memo = new EndpointDownMemo();
  return (model) => {
    if (model.endpoint === VSCODE_ENDPOINT) {
      if (!hostClient) throw new Error(`model "${model.id}" is one of VS Code's models and is only available inside VS Code`);
      return hostClient(model);
    }
    const endpoint = endpointById(config, model.endpoint);
    if (!endpoint) throw new Error(`model "${model.id}": unknown endpoint "${model.endpoint}"`);
    return memo.guard(endpoint.id, pool.clientFor(endpoint, model.model));
  };
}

export { EndpointPool,  };
