import { maskUrl, redactSecrets, secrets } from '../pipeline/secrets';
/**
 * Finding models for "SMoA: Configure Models": an endpoint's `GET /models`, and the local servers people usually run,
 * found on their default loopback ports. Node's fetch only; no vscode, so it is tested in plain Node.
 */

/** OpenAI-compatible servers people run locally, on their default ports. Only 127.0.0.1 is ever probed. */
export const LOCAL_SERVERS: readonly LocalServer[] = [
  { name: 'Ollama', id: 'ollama', baseURL: 'http://127.0.0.1:11434/v1' },
  { name: 'LM Studio', id: 'lmstudio', baseURL: 'http://127.0.0.1:1234/v1' },
  { name: 'vLLM', id: 'vllm', baseURL: 'http://127.0.0.1:8000/v1' },
];

export interface LocalServer {
  name: string;
  /** Suggested endpoint id. */
  id: string;
  baseURL: string;
}

/** A probe must not make the command feel stuck when nothing runs: a refused port answers at once, a silent one waits this long. */
const PROBE_TIMEOUT_MS = 400;

export type ModelList = { ok: true; models: string[] } | { ok: false; error: string };

/** `GET {baseURL}/models`: the model ids the endpoint serves, or what went wrong (never the key). */
export async function listEndpointModels(baseURL: string, apiKey?: string, timeoutMs = 5000): Promise<ModelList> {
  secrets.register(apiKey);
  secrets.registerUrl(baseURL);
  const url = `${baseURL.replace(/\/+$/, '')}/models`;
  const shown = maskUrl(url);
  try {
    const res = await fetch(url, {
      headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) {
      const hint = res.status === 401 || res.status === 403 ? ' (check the API key)' : res.status === 404 ? ' (is the base URL right? it usually ends in /v1)' : '';
      return { ok: false, error: `GET ${shown} answered HTTP ${res.status}${hint}` };
    }
    const body = (await res.json()) as { data?: unknown };
    const ids = Array.isArray(body.data)
      ? body.data.flatMap((m) => (m && typeof m === 'object' && typeof (m as { id?: unknown }).id === 'string' ? [(m as { id: string }).id] : []))
      : [];
    if (ids.length === 0) return { ok: false, error: `GET ${shown} listed no models` };
    return { ok: true, models: [...new Set(ids)].sort() };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    type Cause = { code?: string; cause?: Cause };
    let cause = (error as { cause?: Cause }).cause;
    while (cause?.cause && !cause.code) cause = cause.cause;
    const why = timedOut ? `no answer within ${timeoutMs} ms` : (cause?.code ?? (error instanceof Error ? error.message : String(error)));
    return { ok: false, error: redactSecrets(`cannot reach ${shown} (${why})`) };
  }
}

export interface FoundServer extends LocalServer {
  models: string[];
}

/** The local servers that answer `GET /models` with at least one model, probed in parallel. */
export async function findLocalServers(candidates: readonly LocalServer[] = LOCAL_SERVERS, timeoutMs = PROBE_TIMEOUT_MS): Promise<FoundServer[]> {
  const loopback = candidates.filter((c) => new URL(c.baseURL).hostname === '127.0.0.1');
  const probed = await Promise.all(loopback.map(async (c) => ({ c, list: await listEndpointModels(c.baseURL, undefined, timeoutMs) })));
  return probed.flatMap(({ c, list }) => (list.ok ? [{ ...c, models: list.models }] : []));
}
