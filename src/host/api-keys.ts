import type { EndpointConfig } from '../pipeline/config';
import { envApiKey, type ApiKeyResolver } from '../pipeline/openai-client';
import { secrets as redactor } from '../pipeline/secrets';

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
  return async (endpoint: EndpointConfig) => {
    const key = (await secrets.get(secretKeyFor(endpoint.id))) || (await envApiKey(endpoint));
    // Registered as it is read: from here on no output of the extension can show it.
    redactor.register(key);
    redactor.registerUrl(endpoint.baseURL);
    return key;
  };
}

/** Where an endpoint's key comes from, as "SMoA: Set API Key" lists it. */
export function keySource(endpoint: { apiKeyEnv?: string }, stored: boolean, env: Record<string, string | undefined> = process.env): string {
  if (stored) return 'a key is stored (used before any environment variable)';
  if (!endpoint.apiKeyEnv) return 'no key stored';
  return env[endpoint.apiKeyEnv] ? `key from $${endpoint.apiKeyEnv}` : `no key stored, and $${endpoint.apiKeyEnv} is not set`;
}
