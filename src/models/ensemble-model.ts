import type { AggregatorTools } from '../pipeline/agent-turn';
import type { ChatMessage, ToolCall } from '../pipeline/client';
import { VSCODE_ENDPOINT, type ModelConfig, type SmoaConfig } from '../pipeline/config';
import type { RunInput, RunResult } from '../pipeline/engine';
import type { SmoaEvent } from '../pipeline/events';
import type { ResolvedConfig } from '../host/config-resolver';
import type { RunService } from '../host/run-service';
import type { AgentExchanges } from './agent-exchanges';
import { CONSULT_TOOL_NAME } from './consult';
import { classifyPart, LM_ROLE, toChatMessages, toToolSpecs, type LmMessage, type LmTool } from './message-mapping';
import { aggregatorCallsTools, ENSEMBLE_MODEL_ID } from './model-catalog';

/**
 * The "SMoA ensemble" entry of the model picker: any chat request, from any participant or Agent mode, answered by
 * the configured pipeline. The conversation becomes the engine's prompt and history; the aggregator's tokens are the
 * model's stream. Every answer is a RunService run, so the trace panel can open it afterwards.
 *
 * With tools (Agent mode) the proposers and the judge advise without tool schemas; the aggregator gets the tools and
 * the whole conversation, and its tool calls are streamed back as the endpoint models' are.
 */

export interface EnsembleDeps {
  runs: Pick<RunService, 'start'>;
  resolveConfig(): Promise<ResolvedConfig>;
  /** Agent turns: sums the runs of one agent task, so each run's trace can show what the task cost so far. */
  exchanges?: AgentExchanges;
}

export interface EnsembleConversation {
  prompt: string;
  history: ChatMessage[];
}

/** What VS Code's request carries for Agent mode. */
export interface EnsembleTools {
  tools: readonly LmTool[];
  toolMode?: number;
  onToolCall(call: ToolCall): void;
}

/**
 * Text of each turn for the members that advise without tools: tool calls and results are written out as text (named
 * by tool). System messages are left out: VS Code writes them for a tool-calling agent, and the engine has its own
 * system prompt (setting smoa.systemPrompt). The prompt is the last user message with text, followed by whatever tool
 * traffic came after it, so an agent turn that only brings tool results still puts the request first.
 */
export function conversationOf(messages: readonly LmMessage[]): EnsembleConversation {
  const names = new Map<string, string>();
  const turns: { role: 'user' | 'assistant'; content: string; asked: boolean }[] = [];
  for (const message of messages) {
    if (message.role === LM_ROLE.system) continue;
    let asked = false;
    const text = message.content
      .map(classifyPart)
      .map((p) => {
        if (p.kind === 'text') {
          if (p.text.trim()) asked = true;
          return p.text;
        }
        if (p.kind === 'tool-call') {
          names.set(p.callId, p.name);
          return `\n[called tool ${p.name} with ${JSON.stringify(p.input ?? {})}]\n`;
        }
        if (p.kind === 'tool-result') {
          const name = names.get(p.callId);
          return `\n[result of ${name ? `tool ${name} (call ${p.callId})` : `tool call ${p.callId}`}]\n${p.text}\n`;
        }
        return '';
      })
      .join('')
      .trim();
    if (text) turns.push({ role: message.role === LM_ROLE.assistant ? 'assistant' : 'user', content: text, asked });
  }
  let request = -1;
  turns.forEach((t, i) => {
    if (t.role === 'user' && t.asked) request = i;
  });
  if (request < 0) request = turns.map((t) => t.role).lastIndexOf('user');
  if (request < 0) throw new Error('SMoA ensemble: the request has no user message to answer.');
  const tail = turns.slice(request);
  const prompt =
    tail.length === 1
      ? tail[0].content
      : [tail[0].content, 'What the agent did since (tool calls and their results):', ...tail.slice(1).map((t) => t.content)].join('\n\n');
  return { prompt, history: turns.slice(0, request).map(({ role, content }) => ({ role, content })) };
}

/** True when the conversation ends with tool results: the agent is mid-task, not answering a new user message. */
function continuesAfterTools(messages: readonly LmMessage[]): boolean {
  const last = messages.filter((m) => m.role !== LM_ROLE.system).at(-1);
  if (!last || last.role !== LM_ROLE.user) return false;
  const parts = last.content.map(classifyPart);
  return parts.some((p) => p.kind === 'tool-result') && !parts.some((p) => p.kind === 'text' && p.text.trim());
}

/**
 * This extension's own entry points, hidden from the aggregator: a run that could call `smoa_consult` (or the `smoa
 * mcp` server's consult) would start a run from inside a run. VS Code names an MCP tool "mcp_" + the server's
 * initialize name ("smoa"), with a number when two servers share it, + "_" + the tool: `mcp_smoa_consult`,
 * `mcp_smoa2_consult` (checked in real VS Code: test/vscode/suite/models.test.ts).
 */
export function isOwnTool(name: string): boolean {
  return name === CONSULT_TOOL_NAME || /^mcp_smoa[\w-]*_consult$/i.test(name);
}

export interface EnsembleAnswer {
  runId: string;
  status: 'ok' | 'failed' | 'cancelled';
  /** Every run this request started (final-only agent turns may run twice), oldest first. */
  runIds: string[];
}

/**
 * Runs the pipeline and streams its answer to `onText` (and, in Agent mode, the aggregator's tool calls to
 * `tools.onToolCall`). Throws (with the reason and the run id) when the run produced no answer; a cancelled run returns
 * quietly.
 */
export async function answerWithEnsemble(
  messages: readonly LmMessage[],
  deps: EnsembleDeps,
  signal: AbortSignal,
  onText: (text: string) => void,
  tools?: EnsembleTools,
): Promise<EnsembleAnswer> {
  const resolved = await deps.resolveConfig();
  if (!resolved.ok) throw new Error(resolved.problem.message);
  const config = resolved.config;
  const member = config.models.find(isEnsemble);
  if (member) {
    // Zero set-up leaves this vendor out (host/vscode-models.ts offeredByOthers); a hand-written entry can still name it.
    throw new Error(
      `SMoA ensemble: smoa.models entry "${member.id}" is the ensemble itself, which would ask itself forever. ` +
        'Use the endpoint models of the panel instead (smoa.models, smoa.proposers).',
    );
  }
  const { prompt, history } = conversationOf(messages);
  const agent = agentTools(messages, config, tools);
  const runIds: string[] = [];
  const start = async (input: RunInput, onEvent: (event: SmoaEvent) => void) => {
    const task = agent && deps.exchanges?.begin(agent.conversation);
    const run = await deps.runs.start(task ? { ...input, exchange: { turn: task.turn, earlier: task.earlier } } : input, { origin: 'provider', signal, onEvent, config });
    runIds.push(run.runId);
    // Registered before the caller awaits the result, so a second run of this request already counts the first.
    if (task) void run.result.then((result) => deps.exchanges?.add(task.key, result.totals));
    return run;
  };

  if (agent && tools && config.agent.reconsult === 'final-only' && continuesAfterTools(messages)) {
    // The aggregator alone takes the next step. Its text is held back: if it calls no tool, it is only a draft, and
    // the panel reconsults on it before the user reads a final answer.
    let draft = '';
    const calls: ToolCall[] = [];
    const step = await start({ prompt, history, strategy: 'single', aggregatorTools: agent }, (event) => {
      if (event.type === 'answer-token') draft += event.text;
      else if (event.type === 'answer-reset') draft = '';
      else if (event.type === 'tool-call') calls.push({ callId: event.toolCallId, name: event.name, input: event.input });
    });
    const stepResult = await step.result;
    if (stepResult.status === 'cancelled' || signal.aborted) return { runId: step.runId, status: 'cancelled', runIds };
    if (calls.length > 0) {
      if (draft.trim()) onText(draft);
      for (const call of calls) tools.onToolCall(call);
      return { runId: step.runId, status: stepResult.status, runIds };
    }
    const context = draft.trim()
      ? [{ label: 'draft answer the aggregator wrote after the tool results: review, correct and complete it', content: draft }]
      : undefined;
    return streamRun({ prompt, history, ...(context ? { context } : {}), aggregatorTools: agent }, start, onText, tools, signal, runIds);
  }
  return streamRun({ prompt, history, ...(agent ? { aggregatorTools: agent } : {}) }, start, onText, tools, signal, runIds);
}

/** One run whose answer tokens (and tool calls) go straight to VS Code. */
async function streamRun(
  input: RunInput,
  start: (input: RunInput, onEvent: (event: SmoaEvent) => void) => Promise<{ runId: string; result: Promise<RunResult> }>,
  onText: (text: string) => void,
  tools: EnsembleTools | undefined,
  signal: AbortSignal,
  runIds: string[],
): Promise<EnsembleAnswer> {
  let streamed = false;
  const run = await start(input, (event) => {
    if (event.type === 'answer-token') {
      streamed = true;
      onText(event.text);
    } else if (event.type === 'answer-reset') {
      // What was streamed cannot be taken back; say that the answer starts over rather than splice two attempts.
      onText('\n\n_(the connection to the aggregator failed; the answer starts again)_\n\n');
    } else if (event.type === 'tool-call' && tools) {
      streamed = true;
      tools.onToolCall({ callId: event.toolCallId, name: event.name, input: event.input });
    }
  });
  const result = await run.result;
  if (result.status === 'cancelled' || signal.aborted) return { runId: run.runId, status: 'cancelled', runIds };
  if (result.status === 'failed') {
    if (!result.answer) throw new Error(`SMoA ensemble run ${run.runId} failed: ${result.error ?? 'no answer'}`);
    // The engine kept the best proposal when the aggregator failed; give it, and say why it is not a synthesis.
    if (!streamed) onText(result.answer);
    onText(`\n\n_SMoA: ${result.error ?? 'the run failed'}; this is ${result.answerSource ?? 'a fallback answer'} (run ${run.runId})._`);
  }
  return { runId: run.runId, status: result.status, runIds };
}

/** The aggregator's tools for this request, or none: no tools sent, only our own, or an aggregator that cannot call them. */
function agentTools(messages: readonly LmMessage[], config: SmoaConfig, tools: EnsembleTools | undefined): AggregatorTools | undefined {
  const offered = (tools?.tools ?? []).filter((t) => !isOwnTool(t.name));
  if (offered.length === 0 || !aggregatorCallsTools(config)) return undefined;
  const specs = toToolSpecs(offered, tools?.toolMode);
  return { tools: specs.tools ?? [], ...(specs.toolChoice ? { toolChoice: specs.toolChoice } : {}), conversation: toChatMessages(messages) };
}

/** A panel member on VS Code's models that is this ensemble ("smoa/smoa-ensemble" or its id). */
function isEnsemble(model: ModelConfig): boolean {
  return model.endpoint === VSCODE_ENDPOINT && (model.model === `smoa/${ENSEMBLE_MODEL_ID}` || model.model === ENSEMBLE_MODEL_ID);
}
