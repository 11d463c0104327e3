import { randomUUID } from 'node:crypto';
import type { WireMessage } from './mcp-stdio';

/**
 * MCP tasks for `smoa mcp`, between the wire and the SDK's server, in both protocol eras.
 *
 * A full SMoA run takes minutes; a client whose request timeout is shorter gives up before the answer. With a task the
 * call is answered at once with a task id, and the client fetches the answer when it is ready. The SDK's current line
 * has no task runtime (its server answers a call with its result), so this layer provides one around it, the same for
 * both eras: the call goes on to the server under an id of our own, the server's answer is kept as the task's outcome,
 * cancelling the task cancels that request (which aborts the run and every model request), and each progress line
 * of the run becomes the task's status message.
 *
 * The eras differ only in how a task is asked for and read:
 * - 2025-11-25 (connections that negotiated it through `initialize`): tasks are in the core protocol. The server
 *   announces `capabilities.tasks` and marks the task tools `execution.taskSupport: "optional"`; a client asks by
 *   adding `task` to its `tools/call`, polls `tasks/get`, fetches the answer with `tasks/result` (which waits for it),
 *   lists with `tasks/list`, cancels with `tasks/cancel`, and is told of status changes by `notifications/tasks/status`.
 *   Progress notifications keep flowing on the client's own progress token.
 * - 2026-07-28 (connections opened with `server/discover`): tasks are the extension `io.modelcontextprotocol/tasks`.
 *   The server announces it under `capabilities.extensions` in its `server/discover` answer; a client that declares
 *   it in a request's capabilities gets `consult` as a task (the server decides: `resultType: "task"`), polls
 *   `tasks/get` until the task carries its `result` (or `error`), and may `tasks/cancel`. No progress notifications
 *   on tasks in this era: the stage is in the task's `statusMessage`.
 * A client that does not ask (no `task`; no extension in its capabilities) gets the plain call, as before.
 */

/** The transport this layer sits on (structurally `LineStdioTransport` or any SDK transport). */
export interface InnerTransport {
  onmessage?: (message: WireMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  start(): Promise<void>;
  send(message: WireMessage): Promise<void>;
  close(): Promise<void>;
}

type Id = string | number;
type TaskStatus = 'working' | 'completed' | 'failed' | 'cancelled';
/** Which protocol a task was created under: 2025-11-25 core tasks, or the 2026-07-28 tasks extension. */
type TaskProtocol = 'core' | 'extension';
interface Task {
  taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttlMs: number;
  pollIntervalMs: number;
}
interface TaskEntry {
  protocol: TaskProtocol;
  task: Task;
  /** The id the call carries towards the server (also the progress token for extension tasks). */
  innerId: string;
  /** The progress token whose notifications report this task's stages. */
  progressToken?: Id;
  /** The server's answer: a result, or a JSON-RPC error. */
  outcome?: { result: Record<string, unknown> } | { error: JsonRpcError };
  /** 2025-11-25 `tasks/result` requests waiting for the outcome. */
  waiting: Id[];
}
interface JsonRpcError {
  code?: number;
  message?: string;
  data?: unknown;
}

const CORE_TASK_PROTOCOLS = new Set(['2025-11-25']);
const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
const CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
const RELATED_TASK = 'io.modelcontextprotocol/related-task';
const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;
const MISSING_CLIENT_CAPABILITY = -32021;
const DEFAULT_TTL_MS = 60 * 60 * 1000;
const MAX_TTL_MS = 24 * 60 * 60 * 1000;

export class TaskTransport {
  onmessage?: (message: WireMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  private readonly tasks = new Map<string, TaskEntry>();
  private readonly byInnerId = new Map<string, TaskEntry>();
  private readonly byProgressToken = new Map<Id, TaskEntry>();
  private initializeId: Id | undefined;
  private readonly toolListIds = new Set<Id>();
  private readonly discoverIds = new Set<Id>();
  /** The era of this connection, from its first message: `initialize` opens the 2025 family. */
  private era: 'legacy' | 'modern' | undefined;
  /** A 2025-11-25 connection: core tasks are on. */
  private coreTasks = false;

  constructor(
    private readonly inner: InnerTransport,
    private readonly options: { taskTools: readonly string[]; pollIntervalMs?: number; now?: () => Date; log?: (line: string) => void },
  ) {}

  async start(): Promise<void> {
    this.inner.onmessage = (message) => this.fromClient(message);
    this.inner.onerror = (error) => this.onerror?.(error);
    this.inner.onclose = () => this.onclose?.();
    await this.inner.start();
  }

  async send(message: WireMessage): Promise<void> {
    if (this.fromServer(message)) await this.inner.send(message);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** How many tasks are still working (for tests and the log). */
  get working(): number {
    return [...this.tasks.values()].filter((e) => e.task.status === 'working').length;
  }

  private fromClient(message: WireMessage): void {
    const { id, method } = message;
    const params = (message.params ?? {}) as Record<string, unknown>;
    if (this.era === undefined && method) {
      this.era = method === 'initialize' ? 'legacy' : 'modern';
      if (method === 'initialize' && id !== undefined) this.initializeId = id;
    }
    if (id === undefined || !method) return void this.onmessage?.(message);
    if (method === 'tools/list') this.toolListIds.add(id);
    if (method === 'server/discover') this.discoverIds.add(id);
    const isTaskTool = method === 'tools/call' && this.options.taskTools.includes(String(params.name));
    if (this.era === 'legacy' && this.coreTasks) {
      if (isTaskTool && isObject(params.task)) return this.createTask('core', id, message, params);
      if (method === 'tasks/get') return this.answer(id, () => this.view(this.entry(params)));
      if (method === 'tasks/list') return void this.reply(id, { tasks: [...this.tasks.values()].map((e) => this.view(e)) });
      if (method === 'tasks/cancel') return this.answer(id, () => this.cancel(this.entry(params)));
      if (method === 'tasks/result') return this.answer(id, () => this.result(id, this.entry(params)));
    }
    if (this.era === 'modern' && (isTaskTool || EXTENSION_METHODS.has(method))) {
      const declared = declaresTasksExtension(params);
      if (isTaskTool) return declared ? this.createTask('extension', id, message, params) : void this.onmessage?.(message);
      if (!declared) {
        return void this.send({
          jsonrpc: '2.0',
          id,
          error: { code: MISSING_CLIENT_CAPABILITY, message: `Missing required client capability: ${method} needs the ${TASKS_EXTENSION} extension`, data: { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } } },
        });
      }
      if (method === 'tasks/get') return this.answer(id, () => ({ resultType: 'complete', ...this.view(this.entry(params)) }));
      if (method === 'tasks/cancel') {
        return this.answer(id, () => {
          this.cancel(this.entry(params));
          return { resultType: 'complete' };
        });
      }
      // This server never asks a task for input, so no response is outstanding: acknowledged and ignored, as the
      // extension says of responses to keys that are not outstanding.
      if (method === 'tasks/update') {
        return this.answer(id, () => {
          this.entry(params);
          return { resultType: 'complete' };
        });
      }
    }
    this.onmessage?.(message);
  }

  /** Returns false for a message this layer consumed (the answer to a task's call, a task's progress). */
  private fromServer(message: WireMessage): boolean {
    if (message.method === 'notifications/progress') {
      const { progressToken, message: line } = (message.params ?? {}) as { progressToken?: Id; message?: string };
      const entry = progressToken === undefined ? undefined : this.byProgressToken.get(progressToken);
      if (!entry) return true;
      if (entry.task.status === 'working' && line) this.update(entry, 'working', line);
      // 2026-07-28 tasks carry no progress notifications: the stage is the task's status message.
      return entry.protocol === 'core';
    }
    if (message.method || message.id === undefined) return true;
    if (message.id === this.initializeId) {
      this.initializeId = undefined;
      const result = message.result as { protocolVersion?: string; capabilities?: Record<string, unknown> } | undefined;
      if (result?.capabilities && CORE_TASK_PROTOCOLS.has(String(result.protocolVersion))) {
        this.coreTasks = true;
        result.capabilities.tasks = { list: {}, cancel: {}, requests: { tools: { call: {} } } };
      }
      return true;
    }
    if (this.discoverIds.delete(message.id)) {
      const capabilities = (message.result as { capabilities?: { extensions?: Record<string, unknown> } } | undefined)?.capabilities;
      if (capabilities) capabilities.extensions = { ...capabilities.extensions, [TASKS_EXTENSION]: {} };
      return true;
    }
    if (this.toolListIds.delete(message.id)) {
      const tools = (message.result as { tools?: { name: string; execution?: object }[] } | undefined)?.tools;
      if (this.coreTasks) for (const tool of tools ?? []) if (this.options.taskTools.includes(tool.name)) tool.execution = { ...tool.execution, taskSupport: 'optional' };
      return true;
    }
    const entry = typeof message.id === 'string' ? this.byInnerId.get(message.id) : undefined;
    if (!entry) return true;
    this.byInnerId.delete(entry.innerId);
    if (entry.progressToken !== undefined) this.byProgressToken.delete(entry.progressToken);
    if (entry.task.status !== 'working') return false; // cancelled meanwhile: the late answer is dropped
    if (message.error !== undefined) {
      const error = message.error as JsonRpcError;
      entry.outcome = { error };
      this.update(entry, 'failed', oneLine(error.message ?? 'the call failed'));
    } else {
      const result = (message.result ?? {}) as Record<string, unknown>;
      entry.outcome = { result };
      // A consultation that failed: a failed task under 2025-11-25; under 2026-07-28 `failed` is only for JSON-RPC
      // errors, so it completes with the tool's error result. Either way the result says why.
      const failed = result.isError === true && entry.protocol === 'core';
      // (A successful one keeps its last stage line, "Finished: ok", as its status message.)
      this.update(entry, failed ? 'failed' : 'completed', result.isError ? firstText(result) : undefined);
    }
    this.options.log?.(`task ${entry.task.taskId} ${entry.task.status}`);
    for (const waiter of entry.waiting.splice(0)) this.answer(waiter, () => this.result(waiter, entry));
    return false;
  }

  private createTask(protocol: TaskProtocol, id: Id, message: WireMessage, params: Record<string, unknown>): void {
    const requested = protocol === 'core' ? (params.task as { ttl?: unknown }).ttl : undefined;
    const ttlMs = typeof requested === 'number' && requested > 0 ? Math.min(requested, MAX_TTL_MS) : DEFAULT_TTL_MS;
    const now = this.now();
    const task: Task = { taskId: randomUUID(), status: 'working', createdAt: now, lastUpdatedAt: now, ttlMs, pollIntervalMs: this.options.pollIntervalMs ?? 1000 };
    const innerId = `smoa-task:${task.taskId}`;
    const { task: _task, ...callParams } = params;
    const meta = (isObject(callParams._meta) ? callParams._meta : {}) as Record<string, unknown>;
    // Core tasks keep the client's progress token (its notifications go on flowing); extension tasks get ours, and
    // their progress becomes the status message only.
    const clientToken = isId(meta.progressToken) ? meta.progressToken : undefined;
    const progressToken = protocol === 'core' ? clientToken : innerId;
    const entry: TaskEntry = { protocol, task, innerId, waiting: [], ...(progressToken !== undefined ? { progressToken } : {}) };
    this.tasks.set(task.taskId, entry);
    this.byInnerId.set(innerId, entry);
    if (progressToken !== undefined) this.byProgressToken.set(progressToken, entry);
    // The task is forgotten ttl after it was created (a client that never fetched it does not keep it forever).
    setTimeout(() => this.tasks.delete(task.taskId), ttlMs).unref();
    this.options.log?.(`${String(params.name)} runs as task ${task.taskId} (${protocol === 'core' ? 'protocol 2025-11-25' : `${TASKS_EXTENSION} extension`})`);
    void this.reply(id, protocol === 'core' ? { task: this.view(entry) } : { resultType: 'task', ...this.view(entry) });
    const innerMeta = progressToken === undefined ? callParams._meta : { ...meta, progressToken };
    this.onmessage?.({ ...message, id: innerId, params: { ...callParams, ...(innerMeta !== undefined ? { _meta: innerMeta } : {}) } });
  }

  private cancel(entry: TaskEntry): Record<string, unknown> {
    if (entry.task.status !== 'working') {
      // 2025-11-25 refuses to cancel a finished task; under 2026-07-28 cancelling is a request the server may not
      // honour, acknowledged whatever the task's state.
      if (entry.protocol === 'core') throw new TaskParamsError(`Task ${entry.task.taskId} is already ${entry.task.status}`);
      return this.view(entry);
    }
    // Cancelling the call the server runs aborts the consultation: every model request is closed.
    // (Its entry stays: whatever the server still answers to that id is dropped, never shown to the client.)
    this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: entry.innerId, reason: 'task cancelled by the client' } });
    this.update(entry, 'cancelled', 'cancelled by the client');
    this.options.log?.(`task ${entry.task.taskId} cancelled`);
    for (const waiter of entry.waiting.splice(0)) this.answer(waiter, () => this.result(waiter, entry));
    return this.view(entry);
  }

  /** The task as its protocol shows it: 2025-11-25 `Task`, or 2026-07-28 `DetailedTask` (with its result or error). */
  private view(entry: TaskEntry): Record<string, unknown> {
    const { ttlMs, pollIntervalMs, ...common } = entry.task;
    if (entry.protocol === 'core') return { ...common, ttl: ttlMs, pollInterval: pollIntervalMs };
    const { outcome } = entry;
    const detail =
      entry.task.status === 'completed' && outcome && 'result' in outcome
        ? { result: { resultType: 'complete', ...outcome.result } }
        : entry.task.status === 'failed' && outcome && 'error' in outcome
          ? { error: { code: outcome.error.code ?? INTERNAL_ERROR, message: outcome.error.message ?? 'the call failed', ...(outcome.error.data !== undefined ? { data: outcome.error.data } : {}) } }
          : {};
    return { ...common, ttlMs, pollIntervalMs, ...detail };
  }

  /** A 2025-11-25 task's outcome as the answer to `tasks/result`, or undefined while it is still working (answered later). */
  private result(id: Id, entry: TaskEntry): Record<string, unknown> | undefined {
    const related = { [RELATED_TASK]: { taskId: entry.task.taskId } };
    if (entry.task.status === 'cancelled') throw new TaskError(INTERNAL_ERROR, `Task ${entry.task.taskId} was cancelled`, related);
    if (!entry.outcome) {
      entry.waiting.push(id);
      return undefined;
    }
    if ('error' in entry.outcome) {
      const error = entry.outcome.error;
      throw new TaskError(error.code ?? INTERNAL_ERROR, error.message ?? 'the call failed', related);
    }
    const result = entry.outcome.result;
    return { ...result, _meta: { ...(result._meta as object | undefined), ...related } };
  }

  private entry(params: Record<string, unknown>): TaskEntry {
    const entry = typeof params.taskId === 'string' ? this.tasks.get(params.taskId) : undefined;
    if (!entry) throw new TaskParamsError(`Unknown task: ${String(params.taskId)}`);
    return entry;
  }

  private update(entry: TaskEntry, status: TaskStatus, statusMessage?: string): void {
    entry.task.status = status;
    entry.task.lastUpdatedAt = this.now();
    if (statusMessage) entry.task.statusMessage = statusMessage;
    // 2025-11-25 clients that listen are told of a new status at once; the others see it on their next tasks/get.
    // (A 2026-07-28 client would have to subscribe first; this server offers no subscriptions, it is polled.)
    if (entry.protocol === 'core' && status !== 'working') {
      void this.inner.send({ jsonrpc: '2.0', method: 'notifications/tasks/status', params: this.view(entry) }).catch(() => undefined);
    }
  }

  /** Answers a task request: the value, nothing yet (undefined: answered later), or the error it threw. */
  private answer(id: Id, produce: () => object | undefined): void {
    try {
      const value = produce();
      if (value !== undefined) void this.reply(id, value);
    } catch (error) {
      const { code, message, data } = error instanceof TaskError ? error : new TaskError(INTERNAL_ERROR, error instanceof Error ? error.message : String(error));
      void this.inner.send({ jsonrpc: '2.0', id, error: { code, message, ...(data ? { data } : {}) } }).catch((e: unknown) => this.onerror?.(e as Error));
    }
  }

  private reply(id: Id, result: object): Promise<void> {
    return this.inner.send({ jsonrpc: '2.0', id, result }).catch((e: unknown) => this.onerror?.(e as Error));
  }

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }
}

/** The methods the 2026-07-28 tasks extension adds (there is no `tasks/list` or `tasks/result` in it). */
const EXTENSION_METHODS = new Set(['tasks/get', 'tasks/cancel', 'tasks/update']);

/** Does this 2026-07-28 request declare the tasks extension in its per-request client capabilities? */
function declaresTasksExtension(params: Record<string, unknown>): boolean {
  const meta = params._meta;
  const capabilities = isObject(meta) ? meta[CLIENT_CAPABILITIES] : undefined;
  const extensions = isObject(capabilities) ? capabilities.extensions : undefined;
  return isObject(extensions) && isObject(extensions[TASKS_EXTENSION]);
}

class TaskError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: object,
  ) {
    super(message);
  }
}
class TaskParamsError extends TaskError {
  constructor(message: string) {
    super(INVALID_PARAMS, message);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is Id => typeof value === 'string' || typeof value === 'number';
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
function firstText(result: Record<string, unknown>): string | undefined {
  const content = result.content as { type?: string; text?: string }[] | undefined;
  const text = content?.find((c) => c.type === 'text')?.text;
  return text ? oneLine(text.split('\n')[0]).slice(0, 200) : undefined;
}
