/**
 * The wire of `smoa mcp`: newline-delimited JSON-RPC 2.0 on stdin/stdout, checked before the SDK sees a message.
 *
 * The SDK's stdio transport drops what it cannot parse or classify (a non-JSON line, `params: null`, a batch) and
 * reports it only to an error callback, so a client that sent such a request waits for an answer that never comes.
 * This transport answers every request that has an id exactly once: -32700 for a line that is not JSON, -32600 for a
 * message that is not a valid JSON-RPC request, notification or response, and -32602 (one line naming the field)
 * when a known method's params do not fit the SDK's own schema for it. Everything valid passes through unchanged;
 * unknown methods go on to the server, which answers -32601. Malformed notifications have nobody to answer: they are
 * reported on `onerror` and dropped.
 */

type Id = string | number;
/** The JSON-RPC message shape this transport passes on (structurally the SDK's `JSONRPCMessage`). */
export type WireMessage = { jsonrpc: '2.0'; id?: Id; method?: string; params?: Record<string, unknown>; result?: unknown; error?: unknown };

/** Checks a known method's params; returns a one-line problem, or undefined when they fit (or the method is unknown). */
export type ParamsCheck = (method: string, params: unknown) => string | undefined;

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const INVALID_PARAMS = -32602;
/** A single message larger than this is refused (and the rest of its line skipped) instead of buffered without end. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

export class LineStdioTransport {
  onmessage?: (message: WireMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  private pending = '';
  private skipping = false;
  private isClosed = false;
  private started = false;
  private markClosed!: () => void;
  /** Settles when the connection ends (stdin closed or `close()` called). */
  readonly closed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(
    private readonly input: NodeJS.ReadableStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stdout,
    private readonly checkParams: ParamsCheck = () => undefined,
  ) {}

  private readonly onData = (chunk: Buffer | string) => {
    this.pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      this.receive(line.replace(/\r$/, ''));
    }
    if (this.pending.length > MAX_LINE_BYTES) {
      this.pending = '';
      this.skipping = true;
      this.answerError(null, INVALID_REQUEST, `Invalid Request: message larger than ${MAX_LINE_BYTES / 1024 / 1024} MB`);
    }
  };
  private readonly onEnd = () => void this.close();
  private readonly onInputError = (error: Error) => this.onerror?.(error);

  async start(): Promise<void> {
    if (this.started) throw new Error('LineStdioTransport already started');
    this.started = true;
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('close', this.onEnd);
    this.input.on('error', this.onInputError);
  }

  async send(message: WireMessage): Promise<void> {
    if (this.isClosed) throw new Error('smoa mcp: the stdio transport is closed');
    const text = `${JSON.stringify(message)}\n`;
    await new Promise<void>((resolve, reject) => this.output.write(text, (error) => (error ? reject(error) : resolve())));
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('close', this.onEnd);
    this.input.off('error', this.onInputError);
    this.pending = '';
    this.markClosed();
    this.onclose?.();
  }

  /** One line from the client: parse, classify, answer what is wrong, pass on what is right. */
  private receive(line: string): void {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      this.answerError(null, PARSE_ERROR, `Parse error: ${oneLine(error instanceof Error ? error.message : String(error))}`);
      return;
    }
    const verdict = classify(value, this.checkParams);
    if ('message' in verdict) {
      this.onmessage?.(verdict.message);
      return;
    }
    if (verdict.id === undefined) {
      // A notification (or a response) that is malformed: JSON-RPC forbids answering it.
      this.onerror?.(new Error(`smoa mcp: ignored a malformed message without id: ${verdict.problem}`));
      return;
    }
    this.answerError(verdict.id, verdict.code, verdict.problem);
  }

  private answerError(id: Id | null, code: number, message: string): void {
    if (this.isClosed) return;
    this.send({ jsonrpc: '2.0', id, error: { code, message } } as unknown as WireMessage).catch((error: unknown) => this.onerror?.(error instanceof Error ? error : new Error(String(error))));
  }
}

type Verdict = { message: WireMessage } | { id: Id | null | undefined; code: number; problem: string };

const isId = (id: unknown): id is Id => typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id));
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Is this parsed line a JSON-RPC request, notification or response as MCP uses them (no batches, object params,
 * string or integer ids)? The id an error answer goes to: the message's own when it is usable, else null, and
 * undefined when the message has no id at all (a notification: not answered).
 */
function classify(value: unknown, checkParams: ParamsCheck): Verdict {
  if (Array.isArray(value)) return { id: null, code: INVALID_REQUEST, problem: 'Invalid Request: JSON-RPC batches are not supported by MCP; send one message per line' };
  if (!isObject(value)) return { id: null, code: INVALID_REQUEST, problem: 'Invalid Request: a message must be a JSON object' };
  const hasId = 'id' in value;
  const id = hasId ? (isId(value.id) ? value.id : null) : undefined;
  const invalid = (problem: string): Verdict => ({ id, code: INVALID_REQUEST, problem: `Invalid Request: ${problem}` });
  if (value.jsonrpc !== '2.0') return invalid('"jsonrpc" must be "2.0"');
  if (hasId && !isId(value.id)) return invalid('"id" must be a string or an integer');
  if ('method' in value) {
    if (typeof value.method !== 'string' || !value.method) return invalid('"method" must be a non-empty string');
    if ('params' in value && !isObject(value.params)) return invalid(`params of ${value.method} must be an object (got ${describe(value.params)})`);
    if ('result' in value || 'error' in value) return invalid('a request carries no "result" or "error"');
    const problem = checkParams(value.method, value.params);
    if (problem !== undefined) return { id, code: INVALID_PARAMS, problem: oneLine(problem) };
    return { message: value as WireMessage };
  }
  // A response to a request of ours (the server sends none today, but the protocol allows it).
  if (!hasId) return invalid('a message needs "method" (request or notification) or "id" with "result" or "error" (response)');
  if ('result' in value === 'error' in value) return invalid('a response carries exactly one of "result" and "error"');
  return { message: value as WireMessage };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A zod-style issue list as one line: the first problem with its field path, and how many more there are. */
export function describeIssues(method: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const [first] = issues;
  if (!first) return `Invalid params for ${method}`;
  const path = first.path.filter((p, i) => !(i === 0 && p === 'params')).map(String).join('.');
  const message = first.message.replace(/^Invalid input: /, '');
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `Invalid params for ${method}: ${path ? `${path}: ` : ''}${message}${more}`;
}
