/**
 * The one redactor of the process. Every secret the process reads (a key from SecretStorage or an environment
 * variable, credentials inside an endpoint URL) is registered here when it is read, and every output (errors, stderr,
 * logs, traces, exports, eval files, chat, MCP results) passes through `redact`. Masking by value is what holds: providers
 * issue keys of many shapes (hf_…, 32 hex digits, AIza…, random strings) and some echo them back in error bodies. The
 * shape rules below are only a second net for keys the process never saw (a proxy's, a pasted one).
 *
 * Browser-safe: no Node imports.
 */

const MASK = '[redacted]';

/** Values shorter than this are not masked by value: a short "key" (a local server's "none") would mask common words. */
const MIN_SECRET_LENGTH = 8;

/** Query parameters that carry credentials in URLs (Azure's `api-key`, Google's `key`, SAS `sig`, ...). */
const CREDENTIAL_PARAM = /^(?:key|api[-_]?key|apikey|access[-_]?token|token|auth|sig|signature|secret|password|code)$/i;

/** A masked key keeps its provider's prefix, so a message still says which kind of key was wrong. */
const KNOWN_PREFIX = /^(?:sk-ant-|sk-|gsk_|xai-|hf_|AIza)/;

/** Environment variables whose values are secrets (OPENAI_API_KEY, HF_TOKEN, AZURE_OPENAI_KEY, ...). */
const SECRET_VARIABLE = /(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;

export class Redactor {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  /** Masks this value wherever it appears from now on (and its URL-encoded form). Short or empty values are ignored. */
  register(value: string | undefined): void {
    const v = value?.trim();
    if (!v || v.length < MIN_SECRET_LENGTH) return;
    const before = this.values.size;
    this.values.add(v);
    const encoded = encodeURIComponent(v);
    if (encoded !== v) this.values.add(encoded);
    if (this.values.size !== before) this.pattern = undefined;
  }

  /** Registers the credentials a URL carries: its user name and password, and credential-like query parameters. */
  registerUrl(url: string | undefined): void {
    if (!url) return;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return;
    }
    if (parsed.password) {
      this.register(decodeSafe(parsed.password));
      this.register(parsed.password);
      this.register(decodeSafe(parsed.username));
    } else if (parsed.username) this.register(decodeSafe(parsed.username));
    for (const [name, value] of parsed.searchParams) if (CREDENTIAL_PARAM.test(name)) this.register(value);
  }

  /** Registers the values of the environment variables that name a secret (…_API_KEY, …_TOKEN, …_SECRET). */
  registerEnvironment(env: Record<string, string | undefined>, extraNames: readonly string[] = []): void {
    for (const [name, value] of Object.entries(env)) if (SECRET_VARIABLE.test(name)) this.register(value);
    for (const name of extraNames) this.register(env[name]);
  }

  /** The text with every registered secret, URL credential and key-shaped string masked. */
  redact(text: string): string {
    if (!text) return text;
    let out = text;
    if (this.values.size > 0) {
      this.pattern ??= new RegExp(
        [...this.values]
          .sort((a, b) => b.length - a.length)
          .map(escapeRegExp)
          .join('|'),
        'g',
      );
      out = out.replace(this.pattern, (value) => `${KNOWN_PREFIX.exec(value)?.[0] ?? ''}${MASK}`);
    }
    return redactShapes(out);
  }

  /** A copy of a JSON-like value with every string redacted (object keys too). */
  redactDeep<T>(value: T): T {
    return deep(value, (s) => this.redact(s)) as T;
  }

  /** For tests: forget every registered value. */
  clear(): void {
    this.values.clear();
    this.pattern = undefined;
  }
}

/** The process's one redactor. */
export const secrets = new Redactor();

/** Shorthand for `secrets.redact`. */
export function redactSecrets(text: string): string {
  return secrets.redact(text);
}

/** A URL as it may be shown: user info and credential query parameters masked; never throws. */
export function maskUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactSecrets(url);
  }
  if (parsed.username || parsed.password) {
    parsed.username = '***';
    parsed.password = '';
  }
  for (const name of [...parsed.searchParams.keys()]) if (CREDENTIAL_PARAM.test(name)) parsed.searchParams.set(name, '***');
  // URL encodes the mask in the query; show it as typed.
  return redactSecrets(parsed.toString().replace(/=%2A%2A%2A/g, '=***'));
}

/**
 * The second net: strings shaped like keys the process never saw. Prefixed forms keep their prefix so the message
 * still says which kind of key it was.
 */
function redactShapes(text: string): string {
  return (
    text
      // URL credentials: https://user:pass@host and ?key=… / &api-key=… / &sig=…
      .replace(/\b(https?:\/\/)[^/\s:@]+:[^/\s@]+@/gi, '$1***@')
      .replace(/([?&](?:key|api[-_]?key|apikey|access[-_]?token|token|auth|sig|signature|secret|password|code)=)[^&\s"'<>#]+/gi, '$1***')
      // OpenAI, Anthropic, Groq, xAI and the like: sk-…, sk-ant-…, gsk_…, xai-…, pk-/rk-, key-…
      .replace(/\b(sk-ant|sk|pk|rk|gsk|xai|key)[-_](?!\[redacted\])[A-Za-z0-9_\-*.]{6,}/gi, '$1-[redacted]')
      // Hugging Face and Google API keys
      .replace(/\bhf_[A-Za-z0-9]{10,}/g, 'hf_[redacted]')
      .replace(/\bAIza[0-9A-Za-z_-]{20,}/g, 'AIza[redacted]')
      // JSON Web Tokens
      .replace(/\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}/g, '[redacted JWT]')
      // Authorization headers; a token has a digit or a symbol in it ("Bearer authentication" is prose)
      .replace(/\b(Bearer|Basic)\s+(?!\[redacted\])(?=[A-Za-z]*[0-9_\-.~+/=*])[A-Za-z0-9_\-.~+/=*]{8,}/gi, '$1 [redacted]')
      // Azure-style keys (32+ hex digits) only next to a key-like word: a bare hex run in an answer is more often an
      // MD5 sum or a commit id, and the keys this process read are masked by value above whatever their shape
      .replace(/\b((?:api[-_ ]?key|subscription[-_ ]?key|key|token|secret|password)["']?\s*[:=]\s*["']?)[0-9a-fA-F]{32,}\b/gi, `$1${MASK}`)
  );
}

function deep(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => deep(v, f));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[f(k)] = deep(v, f);
    return out;
  }
  return value;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
