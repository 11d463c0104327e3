import { secrets, type Redactor } from '../pipeline/secrets';

/**
 * Every byte the CLI prints to stdout or stderr passes through the process's redactor: messages, progress lines,
 * JSON output, and the MCP server's JSON-RPC stream (a mask contains no quote or backslash, so JSON stays valid).
 * Installed once, first thing in `main`, so no code path can print around it.
 */
export function guardProcessOutput(redactor: Redactor = secrets, streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : chunk;
      return write(typeof text === 'string' ? redactor.redact(text) : text, ...rest);
    }) as typeof stream.write;
  }
}

/** The secrets a CLI process can know before any request: keys in its environment and in its config's endpoints. */
export function registerConfigSecrets(
  endpoints: readonly { baseURL: string; apiKeyEnv?: string }[],
  env: NodeJS.ProcessEnv = process.env,
  redactor: Redactor = secrets,
): void {
  redactor.registerEnvironment(env, endpoints.flatMap((e) => (e.apiKeyEnv ? [e.apiKeyEnv] : [])));
  for (const e of endpoints) redactor.registerUrl(e.baseURL);
}
