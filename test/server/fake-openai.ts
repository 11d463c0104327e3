/**
 * A local, deterministic stand-in for an OpenAI-compatible endpoint. No LLM is reachable from the test
 * machines, so every test, the sandbox demo and the benchmark talk to this server instead. It speaks the
 * Chat Completions wire format closely enough for the real `openai` SDK (streaming SSE, usage, tool
 * calls, error bodies, Retry-After) and lets a test inject the failures real endpoints produce.
 * Only node:http is used so that the server has no dependencies of its own.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { defaultReply, proseAnswer, type Decoder } from './default-responder';
import { strictSchemaProblems } from './strict-schema';
import { countTokens, splitTokens } from './tokens';

export { countTokens, splitTokens };
export { defaultReply, type Decoder } from './default-responder';
export { instanceOf as jsonSchemaInstance } from './schema-instance';

export type Fault =
  | { kind: 'rate-limit'; retryAfterSeconds?: number }
  | { kind: 'server-error'; status?: number; echoKey?: boolean } // echoKey: the body quotes the key sent, as some proxies do
  | { kind: 'hang' }
  | { kind: 'cut-stream'; afterTokens: number }
  | { kind: 'empty' }
  | { kind: 'prose' }
  | { kind: 'context-overflow' }
  | { kind: 'reject-response-format' }
  | { kind: 'bad-request'; message: string; param?: string }; // any other 400 a provider may send (quirks)

export interface FakeRequest {
  id: number;
  model: string;
  messages: { role: string; content: string }[];
  stream: boolean;
  includeUsage: boolean;
  responseFormat?: unknown;
  temperature?: number;
  maxTokens?: number;
  tools?: unknown[];
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the raw JSON body, for ad-hoc assertions
  body: any;
  receivedAt: number;
  /** performance.now() when the first content token was written to the socket (benchmarks compare it in-process). */
  firstTokenWrittenAt?: number;
  /** What this request is billed for: its prompt once generation starts, and every token written (also of a cut stream). */
  billed?: { prompt_tokens: number; completion_tokens: number };
}

export interface Reply {
  text?: string;
  toolCalls?: { id?: string; name: string; arguments: string }[];
  fault?: Fault;
  ttftMs?: number;
  tokensPerSecond?: number;
  usage?: boolean;
}

export type Responder = (req: FakeRequest) => Reply | undefined | Promise<Reply | undefined>;

export interface FakeServerOptions {
  port?: number;
  ttftMs?: number;
  tokensPerSecond?: number;
  supportsResponseFormat?: boolean;
  responder?: Responder;
  apiKey?: string;
  /** How json_schema requests are filled when the responder leaves them to the server (default: plausible). */
  decoder?: Decoder;
  /** What prompt_tokens counts besides the messages' text (default: nothing else). */
  promptBilling?: PromptBilling;
}

/**
 * What an endpoint bills as prompt besides the text of the messages. Endpoints differ: OpenAI puts a structured-output
 * request's JSON schema into the prompt and counts a few tokens of framing per message and per reply; a local server
 * that enforces the schema as a grammar (vLLM, llama.cpp) does not read it as prompt. The schema is counted as its JSON
 * text (the provider's own rendering of it is not public).
 */
export interface PromptBilling {
  schema?: boolean;
  perMessage?: number;
  perRequest?: number;
}

export interface FakeServer {
  url: string;
  requests: FakeRequest[];
  setResponder(r: Responder | undefined): void;
  /** Switch how json_schema requests are filled, e.g. to a free-choosing constrained decoder with a seed. */
  setDecoder(decoder: Decoder): void;
  /** Switch what prompt_tokens counts besides the messages' text. */
  setPromptBilling(billing: PromptBilling): void;
  injectFault(fault: Fault, match?: { model?: string; times?: number }): void;
  openConnections(): number;
  activeRequests(): number;
  waitForIdle(timeoutMs?: number): Promise<void>;
  abortedRequests: number;
  totalUsage(): { prompt_tokens: number; completion_tokens: number };
  /**
   * What a provider would bill: every request that started generating, its prompt and each token written to the
   * client, including streams cut by a fault or by the client going away, and whether or not usage was reported.
   */
  billedUsage(): { prompt_tokens: number; completion_tokens: number };
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_MODELS = ['model-a', 'model-b', 'model-c'];

/** Context window the context-overflow fault claims, only for the error text. */
const CONTEXT_WINDOW = 8192;

export async function startFakeServer(opts: FakeServerOptions = {}): Promise<FakeServer> {
  const server = new Server(opts);
  await server.listen(opts.port ?? 0);
  return server;
}

interface OpenAIErrorBody {
  message: string;
  type: string;
  code: string | null;
  param: string | null;
}

/** One streamed unit. `token` units are paced and counted as completion tokens; the rest are framing. */
interface Piece {
  token: boolean;
  delta: Record<string, unknown>;
}

interface PendingFault {
  fault: Fault;
  model?: string;
  remaining: number;
}

class Server implements FakeServer {
  url = '';
  requests: FakeRequest[] = [];
  abortedRequests = 0;

  private readonly http: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly seenModels = new Set<string>();
  private faults: PendingFault[] = [];
  private responder: Responder | undefined;
  private decoder: Decoder;
  private promptBilling: PromptBilling;
  private usage = { prompt_tokens: 0, completion_tokens: 0 };
  private active = 0;
  private idleWaiters = new Set<() => void>();
  private nextId = 1;
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: FakeServerOptions) {
    this.responder = opts.responder;
    this.decoder = opts.decoder ?? { mode: 'plausible' };
    this.promptBilling = opts.promptBilling ?? {};
    this.http = http.createServer((req, res) => void this.handle(req, res));
    this.http.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // A client that sends garbage or vanishes mid-headers must not crash the test process.
    this.http.on('clientError', (_err, socket) => socket.destroy());
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      // Loopback only: the server must never be reachable from outside the machine.
      this.http.listen(port, '127.0.0.1', () => {
        this.http.off('error', reject);
        const { port: actual } = this.http.address() as AddressInfo;
        this.url = `http://127.0.0.1:${actual}/v1`;
        resolve();
      });
    });
  }

  setResponder(r: Responder | undefined): void {
    this.responder = r;
  }

  setDecoder(decoder: Decoder): void {
    this.decoder = decoder;
  }

  setPromptBilling(billing: PromptBilling): void {
    this.promptBilling = billing;
  }

  injectFault(fault: Fault, match: { model?: string; times?: number } = {}): void {
    this.faults.push({ fault, model: match.model, remaining: match.times ?? 1 });
  }

  openConnections(): number {
    return this.sockets.size;
  }

  activeRequests(): number {
    return this.active;
  }

  waitForIdle(timeoutMs = 5000): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.idleWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.idleWaiters.delete(done);
        reject(new Error(`fake server still has ${this.active} active request(s) after ${timeoutMs} ms`));
      }, timeoutMs);
      this.idleWaiters.add(done);
    });
  }

  totalUsage(): { prompt_tokens: number; completion_tokens: number } {
    return { ...this.usage };
  }

  billedUsage(): { prompt_tokens: number; completion_tokens: number } {
    return this.requests.reduce(
      (sum, r) => ({ prompt_tokens: sum.prompt_tokens + (r.billed?.prompt_tokens ?? 0), completion_tokens: sum.completion_tokens + (r.billed?.completion_tokens ?? 0) }),
      { prompt_tokens: 0, completion_tokens: 0 },
    );
  }

  reset(): void {
    // Truncate in place: tests may hold a reference to `requests`.
    this.requests.length = 0;
    this.faults = [];
    this.abortedRequests = 0;
    this.usage = { prompt_tokens: 0, completion_tokens: 0 };
    this.responder = undefined;
    this.decoder = this.opts.decoder ?? { mode: 'plausible' };
    this.promptBilling = this.opts.promptBilling ?? {};
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const serverClosed = new Promise<void>((resolve) => this.http.close(() => resolve()));
      // server.close() alone waits for keep-alive and hanging sockets; end them ourselves, and wait for
      // their 'close' so that openConnections() is 0 once close() resolves.
      const socketsClosed = [...this.sockets].map((s) => new Promise<void>((resolve) => s.once('close', () => resolve())));
      this.http.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
      await Promise.all([serverClosed, ...socketsClosed]);
    })();
    return this.closing;
  }

  // ---------------------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.active++;
    const gone = new AbortController();
    const state = { cutByServer: false };
    res.on('error', () => undefined); // writes racing a vanished client are expected, not fatal
    res.on('close', () => {
      if (!res.writableFinished && !state.cutByServer && !this.closing) this.abortedRequests++;
      gone.abort();
      this.active--;
      if (this.active === 0) for (const wake of [...this.idleWaiters]) wake();
    });

    try {
      await this.route(req, res, gone.signal, state);
    } catch (err) {
      if (gone.signal.aborted) return;
      if (res.headersSent) res.destroy();
      else sendError(res, 500, { message: `fake server bug: ${String(err)}`, type: 'server_error', code: null, param: null });
    }
  }

  private async route(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    signal: AbortSignal,
    state: { cutByServer: boolean },
  ): Promise<void> {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '').replace(/^\/v1(?=\/)/, '');
    const raw = await readBody(req, signal);
    if (raw === undefined) return;

    if (req.method === 'POST' && path === '/chat/completions') {
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return sendError(res, 400, { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', code: null, param: null });
      }
      if (!isRecord(body)) {
        return sendError(res, 400, { message: 'The request body must be a JSON object.', type: 'invalid_request_error', code: null, param: null });
      }
      const fr = this.record(req, body);
      if (!this.authorized(req)) return sendUnauthorized(res, req);
      if (!fr.model) {
        return sendError(res, 400, { message: 'you must provide a model parameter', type: 'invalid_request_error', code: null, param: null });
      }
      if (!Array.isArray(body.messages)) {
        return sendError(res, 400, { message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', code: 'missing_required_parameter', param: 'messages' });
      }
      return this.complete(fr, res, signal, state);
    }
    if (!this.authorized(req)) return sendUnauthorized(res, req);
    if (req.method === 'GET' && path === '/models') {
      const ids = [...new Set([...DEFAULT_MODELS, ...this.seenModels])];
      return sendJson(res, 200, {
        object: 'list',
        data: ids.map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'fake-openai' })),
      });
    }
    sendError(res, 404, { message: `Unknown request URL: ${req.method} ${req.url}.`, type: 'invalid_request_error', code: 'unknown_url', param: null });
  }

  private authorized(req: http.IncomingMessage): boolean {
    return !this.opts.apiKey || req.headers.authorization === `Bearer ${this.opts.apiKey}`;
  }

  private record(req: http.IncomingMessage, body: Record<string, unknown>): FakeRequest {
    const streamOptions = isRecord(body.stream_options) ? body.stream_options : {};
    const maxTokens = body.max_completion_tokens ?? body.max_tokens;
    const fr: FakeRequest = {
      id: this.nextId++,
      model: typeof body.model === 'string' ? body.model : '',
      messages: Array.isArray(body.messages) ? body.messages.map(normalizeMessage) : [],
      stream: body.stream === true,
      includeUsage: streamOptions.include_usage === true,
      responseFormat: body.response_format ?? undefined,
      temperature: typeof body.temperature === 'number' ? body.temperature : undefined,
      maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
      tools: Array.isArray(body.tools) ? body.tools : undefined,
      headers: { ...req.headers },
      body,
      receivedAt: Date.now(),
    };
    this.requests.push(fr);
    if (fr.model) this.seenModels.add(fr.model);
    return fr;
  }

  /** The first injected fault whose model filter matches, consuming one of its uses. */
  private takeFault(model: string): Fault | undefined {
    const i = this.faults.findIndex((f) => f.model === undefined || f.model === model);
    if (i < 0) return undefined;
    const entry = this.faults[i];
    if (--entry.remaining <= 0) this.faults.splice(i, 1);
    return entry.fault;
  }

  private async complete(
    fr: FakeRequest,
    res: http.ServerResponse,
    signal: AbortSignal,
    state: { cutByServer: boolean },
  ): Promise<void> {
    const reply: Reply = (await this.responder?.(fr)) ?? {};
    if (signal.aborted) return;
    const rfType = isRecord(fr.responseFormat) ? fr.responseFormat.type : undefined;
    const endpointRejects = this.opts.supportsResponseFormat === false && fr.responseFormat !== undefined && rfType !== 'text';
    // Precedence: a test's explicit injection, then the endpoint's capability, then the responder's choice.
    const fault =
      this.takeFault(fr.model) ?? (endpointRejects ? ({ kind: 'reject-response-format' } as const) : undefined) ?? reply.fault;

    // Like the real API, a strict json_schema outside the supported subset is refused before anything is generated.
    const strictProblems = fault ? [] : strictRequestProblems(fr.responseFormat);
    if (strictProblems.length) {
      return sendError(res, 400, { message: `Invalid schema for response_format: ${strictProblems.join('; ')}`, type: 'invalid_request_error', code: null, param: 'response_format' });
    }

    switch (fault?.kind) {
      case 'hang':
        return; // leave the request open; the 'close' handler counts it when the client gives up
      case 'rate-limit': {
        const seconds = fault.retryAfterSeconds ?? 1;
        const headers: Record<string, string> = { 'retry-after': String(Math.ceil(seconds)) };
        // retry-after only carries whole seconds; the SDK reads the more precise header first.
        if (!Number.isInteger(seconds)) headers['retry-after-ms'] = String(Math.round(seconds * 1000));
        return sendError(
          res,
          429,
          { message: `Rate limit reached for ${fr.model} (simulated). Please try again in ${seconds}s.`, type: 'requests', code: 'rate_limit_exceeded', param: null },
          headers,
        );
      }
      case 'server-error': {
        const echoed = fault.echoKey ? ` Request key: ${String(fr.headers.authorization ?? '').replace(/^Bearer\s+/i, '')}.` : '';
        return sendError(res, fault.status ?? 500, { message: `The server had an error while processing your request. Sorry about that! (simulated)${echoed}`, type: 'server_error', code: null, param: null });
      }
      case 'context-overflow': {
        const used = Math.max(CONTEXT_WINDOW + 1, promptTokens(fr, this.promptBilling));
        return sendError(res, 400, {
          message: `This model's maximum context length is ${CONTEXT_WINDOW} tokens. However, your messages resulted in ${used} tokens. Please reduce the length of the messages.`,
          type: 'invalid_request_error',
          code: 'context_length_exceeded',
          param: 'messages',
        });
      }
      case 'bad-request':
        return sendError(res, 400, { message: fault.message, type: 'invalid_request_error', code: null, param: fault.param ?? null });
      case 'reject-response-format': {
        const what = typeof rfType === 'string' ? `'response_format' of type '${rfType}'` : "'response_format'";
        return sendError(res, 400, { message: `Invalid parameter: ${what} is not supported with this model.`, type: 'invalid_request_error', code: null, param: 'response_format' });
      }
    }

    let text: string;
    if (fault?.kind === 'empty') text = '';
    else if (fault?.kind === 'prose') text = proseAnswer(fr);
    else text = reply.text ?? (reply.toolCalls ? '' : (defaultReply(fr, this.decoder).text ?? ''));

    let finishReason = reply.toolCalls?.length ? 'tool_calls' : 'stop';
    let textPieces = splitTokens(text);
    if (fr.maxTokens !== undefined && textPieces.length > fr.maxTokens) {
      // Like a real model running out of budget: cut the text, say so in finish_reason.
      textPieces = textPieces.slice(0, Math.max(0, fr.maxTokens));
      finishReason = 'length';
    }
    const toolCalls = (finishReason === 'length' ? [] : (reply.toolCalls ?? [])).map((c, i) => ({
      id: c.id ?? `call_${fr.id}_${i}`,
      name: c.name,
      arguments: c.arguments,
    }));

    const pieces: Piece[] = textPieces.map((p) => ({ token: true, delta: { content: p } }));
    toolCalls.forEach((c, index) => {
      pieces.push({ token: true, delta: { tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] } });
      for (const frag of splitTokens(c.arguments)) pieces.push({ token: true, delta: { tool_calls: [{ index, function: { arguments: frag } }] } });
    });
    const usage = {
      prompt_tokens: promptTokens(fr, this.promptBilling),
      completion_tokens: pieces.length,
      total_tokens: promptTokens(fr, this.promptBilling) + pieces.length,
    };

    const tps = reply.tokensPerSecond ?? this.opts.tokensPerSecond ?? Infinity;
    const timing = {
      ttftMs: Math.max(0, reply.ttftMs ?? this.opts.ttftMs ?? 0),
      intervalMs: Number.isFinite(tps) && tps > 0 ? 1000 / tps : 0,
    };
    const cutAfter = fault?.kind === 'cut-stream' ? Math.max(0, fault.afterTokens) : undefined;
    const meta = { id: `chatcmpl-fake-${fr.id}`, created: Math.floor(Date.now() / 1000), model: fr.model };
    const reportUsage = reply.usage !== false;

    if (fr.stream) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-request-id': `req_fake_${fr.id}`,
      });
      res.flushHeaders();
      fr.billed = { prompt_tokens: promptTokens(fr, this.promptBilling), completion_tokens: 0 };
      const withUsageField = fr.includeUsage && reportUsage ? { usage: null } : {};
      const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
        id: meta.id,
        object: 'chat.completion.chunk',
        created: meta.created,
        model: meta.model,
        system_fingerprint: null,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...withUsageField,
      });
      let lastWrite: Promise<void> = Promise.resolve();
      const send = (data: unknown) => {
        const line = `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
        lastWrite = new Promise((resolve) => res.write(line, () => resolve()));
      };
      const cut = async () => {
        state.cutByServer = true;
        await lastWrite; // let the tokens already sent reach the client, then drop the connection
        res.socket?.destroy();
      };

      const start = Date.now() + timing.ttftMs;
      await sleep(start - Date.now(), signal);
      if (signal.aborted) return;
      send(chunk(toolCalls.length && !textPieces.length ? { role: 'assistant', content: null } : { role: 'assistant', content: '' }));
      let sent = 0;
      for (const piece of pieces) {
        if (cutAfter !== undefined && sent >= cutAfter) return cut();
        const due = start + sent * timing.intervalMs;
        if (due - Date.now() >= 1) await sleep(due - Date.now(), signal);
        if (signal.aborted) return;
        send(chunk(piece.delta));
        fr.billed.completion_tokens++;
        if (sent === 0) fr.firstTokenWrittenAt = performance.now();
        sent++;
      }
      if (cutAfter !== undefined) return cut();
      send(chunk({}, finishReason));
      if (fr.includeUsage && reportUsage) {
        send({ id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, system_fingerprint: null, choices: [], usage });
        this.addUsage(usage);
      }
      send('[DONE]');
      res.end();
      return;
    }

    // Non-streaming: the whole answer arrives once it would have finished generating.
    await sleep(timing.ttftMs + pieces.length * timing.intervalMs, signal);
    if (signal.aborted) return;
    if (cutAfter !== undefined) {
      state.cutByServer = true;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"id":"${meta.id}","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"`, () =>
        res.socket?.destroy(),
      );
      return;
    }
    const message: Record<string, unknown> = {
      role: 'assistant',
      content: textPieces.length || !toolCalls.length ? textPieces.join('') : null,
      refusal: null,
    };
    if (toolCalls.length) {
      message.tool_calls = toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
    }
    if (reportUsage) this.addUsage(usage);
    fr.billed = { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens };
    sendJson(
      res,
      200,
      {
        id: meta.id,
        object: 'chat.completion',
        created: meta.created,
        model: meta.model,
        system_fingerprint: null,
        choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
        ...(reportUsage ? { usage } : {}),
      },
      { 'x-request-id': `req_fake_${fr.id}` },
    );
  }

  private addUsage(u: { prompt_tokens: number; completion_tokens: number }): void {
    this.usage.prompt_tokens += u.prompt_tokens;
    this.usage.completion_tokens += u.completion_tokens;
  }
}

function promptTokens(fr: FakeRequest, billing: PromptBilling): number {
  const text = fr.messages.reduce((sum, m) => sum + countTokens(m.content), 0);
  const rf = fr.responseFormat;
  const schema = billing.schema && isRecord(rf) && rf.type === 'json_schema' && isRecord(rf.json_schema) ? rf.json_schema.schema : undefined;
  const framing = (billing.perMessage ?? 0) * fr.messages.length + (billing.perRequest ?? 0);
  return text + (schema === undefined ? 0 : countTokens(JSON.stringify(schema))) + framing;
}

/** Message content may be a string, null (assistant tool calls) or an array of parts; keep the text. */
function normalizeMessage(m: unknown): { role: string; content: string } {
  if (!isRecord(m)) return { role: 'user', content: '' };
  const role = typeof m.role === 'string' ? m.role : 'user';
  const c = m.content;
  if (typeof c === 'string') return { role, content: c };
  if (Array.isArray(c)) {
    const text = c.map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : '')).join('');
    return { role, content: text };
  }
  return { role, content: '' };
}

function readBody(req: http.IncomingMessage, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', () => resolve(undefined));
  });
}

/** setTimeout that ends early when the client goes away, so no timer outlives its request. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: http.ServerResponse, status: number, error: OpenAIErrorBody, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error }, headers);
}

/** Echoes the key it was sent, as some providers do, so tests see that it never reaches the user unmasked. */
function sendUnauthorized(res: http.ServerResponse, req: http.IncomingMessage): void {
  const sent = String(req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
  sendError(res, 401, { message: `Incorrect API key provided: ${sent || '(none)'} (fake server).`, type: 'invalid_request_error', code: 'invalid_api_key', param: null });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strictRequestProblems(responseFormat: unknown): string[] {
  if (!isRecord(responseFormat) || responseFormat.type !== 'json_schema' || !isRecord(responseFormat.json_schema)) return [];
  return responseFormat.json_schema.strict === true ? strictSchemaProblems(responseFormat.json_schema.schema) : [];
}
