import type { ChatMessage } from '../pipeline/client';
import { VSCODE_ENDPOINT, type ModelConfig } from '../pipeline/config';
import type { SmoaEvent } from '../pipeline/events';
import type { ResolvedConfig } from '../host/config-resolver';
import type { RunService } from '../host/run-service';
import { classifyPart, LM_ROLE, type LmMessage } from './message-mapping';
import { ENSEMBLE_MODEL_ID } from './model-catalog';

/**
 * The "SMoA ensemble" entry of the model picker: any chat request, from any participant or Agent mode, answered by
 * the configured pipeline. The conversation becomes the engine's prompt and history; the aggregator's tokens are the
 * model's stream. Every answer is a RunService run, so the trace panel can open it afterwards.
 */

export interface EnsembleDeps {
  runs: Pick<RunService, 'start'>;
  resolveConfig(): Promise<ResolvedConfig>;
}

export interface EnsembleConversation {
  prompt: string;
  history: ChatMessage[];
}

/**
 * Text of each turn; tool traffic is written out as text, since the ensemble's models are called without tools.
 * System messages are left out: VS Code writes them for a tool-calling agent, and the engine has its own system prompt
 * (setting smoa.systemPrompt).
 */
export function conversationOf(messages: readonly LmMessage[]): EnsembleConversation {
  const turns: ChatMessage[] = [];
  for (const message of messages) {
    if (message.role === LM_ROLE.system) continue;
    const text = message.content
      .map(classifyPart)
      .map((p) => {
        if (p.kind === 'text') return p.text;
        if (p.kind === 'tool-call') return `\n[called tool ${p.name} with ${JSON.stringify(p.input ?? {})}]\n`;
        if (p.kind === 'tool-result') return `\n[result of tool call ${p.callId}]\n${p.text}\n`;
        return '';
      })
      .join('')
      .trim();
    if (text) turns.push({ role: message.role === LM_ROLE.assistant ? 'assistant' : 'user', content: text });
  }
  const lastUser = turns.map((t) => t.role).lastIndexOf('user');
  if (lastUser < 0) throw new Error('SMoA ensemble: the request has no user message to answer.');
  return { prompt: turns[lastUser].content, history: turns.slice(0, lastUser) };
}

export interface EnsembleAnswer {
  runId: string;
  status: 'ok' | 'failed' | 'cancelled';
}

/**
 * Runs the pipeline and streams its answer to `onText`. Throws (with the reason and the run id) when the run produced
 * no answer; a cancelled run returns quietly.
 */
export async function answerWithEnsemble(
  messages: readonly LmMessage[],
  deps: EnsembleDeps,
  signal: AbortSignal,
  onText: (text: string) => void,
): Promise<EnsembleAnswer> {
  const resolved = await deps.resolveConfig();
  if (!resolved.ok) throw new Error(resolved.problem.message);
  const member = resolved.config.models.find(isEnsemble);
  if (member) {
    // Zero set-up leaves this vendor out (host/vscode-models.ts offeredByOthers); a hand-written entry can still name it.
    throw new Error(
      `SMoA ensemble: smoa.models entry "${member.id}" is the ensemble itself, which would ask itself forever. ` +
        'Use the endpoint models of the panel instead (smoa.models, smoa.proposers).',
    );
  }
  const { prompt, history } = conversationOf(messages);
  let streamed = false;
  const onEvent = (event: SmoaEvent) => {
    if (event.type === 'answer-token') {
      streamed = true;
      onText(event.text);
    } else if (event.type === 'answer-reset') {
      // What was streamed cannot be taken back; say that the answer starts over rather than splice two attempts.
      onText('\n\n_(the connection to the aggregator failed; the answer starts again)_\n\n');
    }
  };
  const run = await deps.runs.start({ prompt, history }, { origin: 'provider', signal, onEvent, config: resolved.config });
  const result = await run.result;
  if (result.status === 'cancelled' || signal.aborted) return { runId: run.runId, status: 'cancelled' };
  if (result.status === 'failed') {
    if (!result.answer) throw new Error(`SMoA ensemble run ${run.runId} failed: ${result.error ?? 'no answer'}`);
    // The engine kept the best proposal when the aggregator failed; give it, and say why it is not a synthesis.
    if (!streamed) onText(result.answer);
    onText(`\n\n_SMoA: ${result.error ?? 'the run failed'}; this is ${result.answerSource ?? 'a fallback answer'} (run ${run.runId})._`);
  }
  return { runId: run.runId, status: result.status };
}

/** A panel member on VS Code's models that is this ensemble ("smoa/smoa-ensemble" or its id). */
function isEnsemble(model: ModelConfig): boolean {
  return model.endpoint === VSCODE_ENDPOINT && (model.model === `smoa/${ENSEMBLE_MODEL_ID}` || model.model === ENSEMBLE_MODEL_ID);
}
