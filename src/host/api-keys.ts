import type { EndpointConfig } from '../pipeline/config';
import { envApiKey, type ApiKeyResolver } from '../pipeline/openai-client';

/** The part of vscode.SecretStorage the key lookup needs. */
export interface SecretReader {
  get(key: string): PromiseLike<string | undefined>;
}

/** One secret per endpoint id, so renaming an endpoint's URL keeps its key and two endpoints never share one by accident. */
export function secretKeyFor(endpointId: string): string {
  return `smoa.apiKey.${endpointId}`;
}

/** SecretStorage first (set with "SMoA: Set API Key"), then the endpoint's `apiKeyEnv` environment variable. */
export function secretsThenEnv(secrets: SecretReader): ApiKeyResolver {
  return async (endpoint: EndpointConfig) => (await secrets.get(secretKeyFor(endpoint.id))) || envApiKey(endpoint);
}
