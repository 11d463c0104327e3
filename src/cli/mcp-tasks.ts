import { randomUUID } from 'node:crypto';
import type { WireMessage } from './mcp-stdio';

/**
 * MCP tasks (protocol 2025-11-25) for `smoa mcp`, between the wire and the SDK's server.
 *
 * A full SMoA run takes minutes; a client whose request timeout is shorter gives up before the answer. A client that
 * supports tasks adds `task` to its `tools/call`: it gets a task at once, polls `tasks/get`, fetches the answer with
 * `tasks/result` and can cancel with `tasks/cancel`. The SDK's current line has no task runtime (its server answers
 * a call with its result), so this layer provides one around it: the call goes on to the server under an id of our
 * own, the server's answer is kept as the task's result, `tasks/cancel` cancels that request (which aborts the run
 * and every model request), and progress notifications keep flowing with the client's own progress token.
 *
 * Only connections that negotiated 2025-11-25 or later through `initialize` get tasks (the capability is added to the
 * server's answer, `execution.taskSupport: "optional"` to the task tools). A client that sends no `task` gets the
 * plain call, as before. The 2026-07-28 era moves tasks to an extension the SDK does not implement yet; such
 * connections pass through unchanged.
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
interface Task {
  taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttl: number | null;
  pollInterval: number;
}
interface TaskEntry {
  task: Task;
  /** The id the call carries towards the server. */
  innerId: string;
  /** The server's answer: a result, or a JSON-RPC error. */
  outcome?: { result: Record<string, unknown> } | { error: unknown };
  /** `tasks/result` requests waiting for the outcome. */
  waiting: Id[];
}

const TASK_PROTOCOLS = new Set(['2025-11-25']);
const RELATED_TASK = 'io.modelcontextprotocol/related-task';
const INVALID_PARAMS = -32602;
const DEFAULT_TTL_MS = 60 * 60 * 1000;
const MAX_TTL_MS = 24 * 60 * 60 * 1000;

export class TaskTransport {
  onmessage?: (message: WireMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  private readonly tasks = new Map<string, TaskEntry>();
  private readonly byInnerId = new Map<string, TaskEntry>();
  private initializeId: Id | undefined;
  private readonly toolListIds = new Set<Id>();
  private enabled = false;
  private opened = false;

  constructor(
    private readonly inner: InnerTransport,
    private readonly options: { taskTools: readonly string[]; pollIntervalMs?: number; now?: () => Date },
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
    if (!this.opened && method) {
      this.opened = true;
      if (method === 'initialize' && id !== undefined) this.initializeId = id;
    }
    if (id !== undefined && method === 'tools/list') this.toolListIds.add(id);
    if (this.enabled && id !== undefined && method) {
      if (method === 'tools/call' && isObject(params.task) && this.options.taskTools.includes(String(params.name))) return this.createTask(id, message, params);
      if (method === 'tasks/get') return this.answer(id, () => ({ ...this.entry(params).task }));
      if (method === 'tasks/list') return void this.reply(id, { tasks: [...this.tasks.values()].map((e) => ({ ...e.task })) });
      if (method === 'tasks/cancel') return this.answer(id, () => this.cancel(this.entry(params)));
      if (method === 'tasks/result') return this.answer(id, () => this.result(id, this.entry(params)));
    }
    this.onmessage?.(message);
  }

  /** Returns false for a message this layer consumed (the answer to a task's call). */
  private fromServer(message: WireMessage): boolean {
    if (message.method || message.id === undefined) return true;
    if (message.id === this.initializeId) {
      this.initializeId = undefined;
      const result = message.result as { protocolVersion?: string; capabilities?: Record<string, unknown> } | undefined;
      if (result?.capabilities && TASK_PROTOCOLS.has(String(result.protocolVersion))) {
        this.enabled = true;
        result.capabilities.tasks = { list: {}, cancel: {}, requests: { tools: { call: {} } } };
      }
      return true;
    }
    if (this.toolListIds.delete(message.id)) {
      const tools = (message.result as { tools?: { name: string; execution?: object }[] } | undefined)?.tools;
      if (this.enabled) for (const tool of tools ?? []) if (this.options.taskTools.includes(tool.name)) tool.execution = { ...tool.execution, taskSupport: 'optional' };
      return true;
    }
    const entry = typeof message.id === 'string' ? this.byInnerId.get(message.id) : undefined;
    if (!entry) return true;
    this.byInnerId.delete(entry.innerId);
    if (entry.task.status !== 'working') return false; // cancelled meanwhile: the late answer is dropped
    if (message.error !== undefined) {
      entry.outcome = { error: message.error };
      this.update(entry, 'failed', oneLine((message.error as { message?: string }).message ?? 'the call failed'));
    } else {
      const result = (message.result ?? {}) as Record<string, unknown>;
      entry.outcome = { result };
      // A consultation that failed is a failed task; its result still says why.
      this.update(entry, result.isError ? 'failed' : 'completed', result.isError ? firstText(result) : undefined);
    }
    for (const waiter of entry.waiting.splice(0)) this.answer(waiter, () => this.result(waiter, entry));
    return false;
  }

  private createTask(id: Id, message: WireMessage, params: Record<string, unknown>): void {
    const requested = (params.task as { ttl?: unknown }).ttl;
    const ttl = typeof requested === 'number' && requested > 0 ? Math.min(requested, MAX_TTL_MS) : DEFAULT_TTL_MS;
    const now = this.now();
    const task: Task = { taskId: randomUUID(), status: 'working', createdAt: now, lastUpdatedAt: now, ttl, pollInterval: this.options.pollIntervalMs ?? 1000 };
    const entry: TaskEntry = { task, innerId: `smoa-task:${task.taskId}`, waiting: [] };
    this.tasks.set(task.taskId, entry);
    this.byInnerId.set(entry.innerId, entry);
    // The task is forgotten ttl after it was created (a client that never fetched it does not keep it forever).
    setTimeout(() => this.tasks.delete(task.taskId), ttl).unref();
    void this.reply(id, { task: { ...task } });
    const { task: _task, ...callParams } = params;
    this.onmessage?.({ ...message, id: entry.innerId, params: callParams });
  }

  private cancel(entry: TaskEntry): Task {
    if (entry.task.status !== 'working') throw new TaskParamsError(`Task ${entry.task.taskId} is already ${entry.task.status}`);
    // Cancelling the call the server runs aborts the consultation: every model request is closed.
    // (Its entry stays: whatever the server still answers to that id is dropped, never shown to the client.)
    this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: entry.innerId, reason: 'task cancelled by the client' } });
    this.update(entry, 'cancelled', 'cancelled by the client');
    for (const waiter of entry.waiting.splice(0)) this.answer(waiter, () => this.result(waiter, entry));
    return { ...entry.task };
  }

  /** The task's outcome as the answer to `tasks/result`, or undefined while it is still working (answered later). */
  private result(id: Id, entry: TaskEntry): Record<string, unknown> | undefined {
    const related = { [RELATED_TASK]: { taskId: entry.task.taskId } };
    if (entry.task.status === 'cancelled') throw new TaskError(-32603, `Task ${entry.task.taskId} was cancelled`, related);
    if (!entry.outcome) {
      entry.waiting.push(id);
      return undefined;
    }
    if ('error' in entry.outcome) {
      const error = entry.outcome.error as { code?: number; message?: string; data?: unknown };
      throw new TaskError(error.code ?? -32603, error.message ?? 'the call failed', related);
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
    else delete entry.task.statusMessage;
    // Clients that listen are told at once; the others see it on their next tasks/get.
    void this.inner.send({ jsonrpc: '2.0', method: 'notifications/tasks/status', params: { ...entry.task } as Record<string, unknown> }).catch(() => undefined);
  }

  /** Answers a task request: the value, nothing yet (undefined: answered later), or the error it threw. */
  private answer(id: Id, produce: () => object | undefined): void {
    try {
      const value = produce();
      if (value !== undefined) void this.reply(id, value);
    } catch (error) {
      const { code, message, data } = error instanceof TaskError ? error : new TaskError(-32603, error instanceof Error ? error.message : String(error));
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
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
function firstText(result: Record<string, unknown>): string | undefined {
  const content = result.content as { type?: string; text?: string }[] | undefined;
  const text = content?.find((c) => c.type === 'text')?.text;
  return text ? oneLine(text.split('\n')[0]).slice(0, 200) : undefined;
}
