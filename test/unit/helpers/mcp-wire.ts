import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `smoa mcp` as raw JSON-RPC lines on its stdin and stdout: what the server sends, in the order it sends it, without a
 * client SDK in between (an SDK may drop, reorder or swallow messages; these tests are about the bytes).
 */

const root = join(__dirname, '../../..');

export type WireMessage = { jsonrpc?: string; id?: unknown; method?: string; params?: unknown; result?: unknown; error?: { code: number; message: string; data?: unknown } };

export interface McpWire {
  /** Every line the server wrote to stdout, in order, parsed (a line that is not JSON is kept as `{ raw }`). */
  readonly lines: (WireMessage | { raw: string })[];
  readonly stderr: () => string;
  send(line: string | object): void;
  /** Waits until a message with this id arrives (the response) and returns it. */
  response(id: unknown, timeoutMs?: number): Promise<WireMessage>;
  /** Sends a request and waits for its response. */
  request(id: unknown, method: string, params?: unknown): Promise<WireMessage>;
  /** The standard handshake of a negotiating client. */
  initialize(capabilities?: object, protocolVersion?: string): Promise<WireMessage>;
  /** Lets the server run for a while and reports whether anything new arrived (for "no answer"/"one answer" checks). */
  quiet(ms: number): Promise<number>;
  close(): Promise<void>;
}

/** Writes a two-model config against `baseURL` into `dir` and returns its path. */
export function writeMcpConfig(dir: string, baseURL: string, extra: object = {}): string {
  const path = join(dir, 'smoa.json');
  writeFileSync(
    path,
    JSON.stringify({
      endpoints: [{ id: 'local', baseURL, apiKeyEnv: 'SMOA_MCP_TEST_KEY', maxRetries: 0 }],
      models: [
        { id: 'a', endpoint: 'local', model: 'model-a' },
        { id: 'b', endpoint: 'local', model: 'model-b' },
      ],
      proposers: ['a', 'b', 'a'],
      aggregator: 'a',
      judge: 'b',
      layers: 2,
      topK: 2,
      roles: 'off',
      ...extra,
    }),
  );
  return path;
}

export function startMcpWire(configPath: string, args: string[] = []): McpWire {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli.ts'), 'mcp', '--config', configPath, ...args], {
    cwd: root,
    env: { ...process.env, SMOA_MCP_TEST_KEY: 'test-key' },
  });
  const lines: (WireMessage | { raw: string })[] = [];
  let stderr = '';
  let pending = '';
  const waiters = new Set<() => void>();
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).replace(/\r$/, '');
      pending = pending.slice(nl + 1);
      if (!line) continue;
      try {
        lines.push(JSON.parse(line) as WireMessage);
      } catch {
        lines.push({ raw: line });
      }
    }
    for (const wake of [...waiters]) wake();
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));

  const find = (id: unknown) => lines.find((m): m is WireMessage => 'id' in m && m.id === id && !('method' in m && m.method));
  const wire: McpWire = {
    lines,
    stderr: () => stderr,
    send(line) {
      child.stdin.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);
    },
    response(id, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = find(id);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no response to id ${JSON.stringify(id)} within ${timeoutMs} ms; stdout: ${JSON.stringify(lines)}; stderr: ${stderr}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async request(id, method, params) {
      wire.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
      return wire.response(id);
    },
    async initialize(capabilities = {}, protocolVersion = '2025-06-18') {
      const reply = await wire.request('init', 'initialize', { protocolVersion, capabilities, clientInfo: { name: 'wire-test', version: '1.0.0' } });
      wire.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      return reply;
    },
    async quiet(ms) {
      const before = lines.length;
      await new Promise((r) => setTimeout(r, ms));
      return lines.length - before;
    },
    async close() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill(), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return wire;
}
