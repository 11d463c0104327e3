import { CallError, type ChatClient, type ChatRequest, type ChatResponse } from './client';

/**
 * Within one run, an endpoint that refuses connections is down for every call to it. Without this, each call paid its
 * own retries: a stopped local server took 8 s to fail (the role writer retried 4 times, then every proposer 4 times).
 * The first call that gives up on a refused connection (after its own retries) marks the endpoint down; later calls to
 * it fail at once, and calls that are waiting to retry it stop waiting. Calls that are streaming are left alone.
 */

/** Transport errors that say nothing listens there (as opposed to a dropped stream, which a retry may fix). */
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN/;

function isUnreachable(error: unknown): error is CallError {
  return error instanceof CallError && error.kind === 'connection' && UNREACHABLE.test(error.message);
}

/** Which endpoints this run found down, and the calls waiting to retry them. */
export class EndpointDownMemo {
  private readonly down = new Map<string, CallError>();
  private readonly waiting = new Map<string, Set<AbortController>>();

  reason(endpointId: string): CallError | undefined {
    return this.down.get(endpointId);
  }

  markDown(endpointId: string, error: CallError): void {
    if (this.down.has(endpointId)) return;
    this.down.set(endpointId, error);
    for (const waiter of this.waiting.get(endpointId) ?? []) waiter.abort(error);
  }

  /** Wraps a client of `endpointId` so its calls consult and feed this memo. */
  guard(endpointId: string, client: ChatClient): ChatClient {
    return { complete: (request) => this.complete(endpointId, client, request) };
  }

  private async complete(endpointId: string, client: ChatClient, request: ChatRequest): Promise<ChatResponse> {
    const known = this.down.get(endpointId);
    if (known) throw downError(known);
    // A call of ours that is between attempts can be stopped when another call finds the endpoint down.
    const stop = new AbortController();
    const waiters = this.waiting.get(endpointId) ?? new Set<AbortController>();
    this.waiting.set(endpointId, waiters);
    const wait = () => waiters.add(stop);
    const work = () => waiters.delete(stop);
    try {
      return await client.complete({
        ...request,
        signal: AbortSignal.any([request.signal, stop.signal]),
        onRetry: (notice) => {
          wait();
          // The caller's decision (stop, or a smaller cap) goes back to the transport.
          return request.onRetry?.(notice);
        },
        onToken: (text) => {
          work();
          request.onToken?.(text);
        },
      });
    } catch (error) {
      const down = this.down.get(endpointId);
      if (stop.signal.aborted && !request.signal.aborted && down) throw downError(down);
      if (isUnreachable(error)) this.markDown(endpointId, error);
      throw error;
    } finally {
      work();
    }
  }
}

function downError(cause: CallError): CallError {
  return new CallError(`${cause.message}; not tried again: an earlier call in this run found the endpoint unreachable`, 'connection', undefined, 0);
}
