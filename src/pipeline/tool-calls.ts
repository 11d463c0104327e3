import type { ToolCall } from './client';
import { clip } from './format';

/**
 * OpenAI streams a tool call in pieces: the first delta of an index brings its id and name, later ones append fragments
 * of the JSON arguments. VS Code wants whole calls (LanguageModelToolCallPart with a parsed input), so the pieces are
 * gathered per index and handed out once the choice finishes.
 */

export interface ToolCallDelta {
  index: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}


interface Pending {
  id: string;
  name: string;
  args: string;
}

export class ToolCallAssembler {
  private readonly pending = new Map<number, Pending>();

  /** `where` names the endpoint and model in error messages. */
  constructor(private readonly where: string) {}

  add(deltas: readonly ToolCallDelta[] | undefined): void {
    for (const d of deltas ?? []) {
      const call = this.pending.get(d.index) ?? { id: '', name: '', args: '' };
      if (d.id) call.id = d.id;
      if (d.function?.name) call.name += d.function.name;
      if (d.function?.arguments) call.args += d.function.arguments;
      this.pending.set(d.index, call);
    }
  }

  /** The calls gathered so far, in index order; empties the assembler. */
  take(): ToolCall[] {
    const calls = [...this.pending.entries()].sort(([a], [b]) => a - b).map(([index, c]) => this.complete(index, c));
    this.pending.clear();
    return calls;
  }

  private complete(index: number, call: Pending): ToolCall {
    if (!call.name) throw new Error(`${this.where} streamed a tool call (index ${index}) without a function name`);
    let input: unknown = {};
    if (call.args.trim()) {
      try {
        input = JSON.parse(call.args);
      } catch {
        throw new Error(`${this.where} called tool "${call.name}" with arguments that are not valid JSON: ${clip(call.args, 200, { ellipsis: true })}`);
      }
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new Error(`${this.where} called tool "${call.name}" with arguments that are not a JSON object: ${clip(call.args, 200, { ellipsis: true })}`);
    }
    // Some servers omit ids; VS Code pairs a result with its call by id, so one is made up that is unique in the reply.
    return { callId: call.id || `call_${index}_${Date.now().toString(36)}`, name: call.name, input };
  }
}
