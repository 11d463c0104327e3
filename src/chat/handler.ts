import { redactSecrets } from '../pipeline/secrets';
import { ProgressNarrator } from '../pipeline/narrator';
import { plural, summarizeTotals } from '../pipeline/format';
import type { Trace } from '../pipeline/trace';
import { isStrategy, strategyLabel } from '../pipeline/strategy/traits';
import { describeEstimate, estimateRun } from '../pipeline/estimate';
import { RUN_OVER_DAILY_BUDGET_COMMAND, type DailyBudgetGate } from '../host/daily-budget';
import type { ContextItem } from '../pipeline/prompts';
import type { ResolvedConfig } from '../host/config-resolver';
import type { RunService } from '../host/run-service';
import { UserProblemError, type UserAction, type UserProblem } from '../host/user-problem';
import type { VsCodeModelInfo } from '../host/vscode-models';
import {
  abortSignalFor,
  type CancellationPort,
  type ChatReferencePort,
  type ChatRequestPort,
  type ChatResultPort,
  type ChatStreamPort,
  type HistoryTurn,
  type LoadedReference,
  type SelectionReference,
} from './chat-port';
import { asksAboutSelection, unresolvedFileMentions } from './context-mentions';
import { diagnoseRun } from './failure';
import { historyMessages } from './history';
import { showRoles, type RolesDeps } from './roles-command';
import { COMMANDS } from '../host/command-ids';


export interface ChatDeps extends RolesDeps {
  runs: Pick<RunService, 'start' | 'router'>;
  resolveConfig(chosen?: VsCodeModelInfo): Promise<ResolvedConfig>;
  readReference(ref: ChatReferencePort): Promise<LoadedReference | undefined>;
  /** A workspace file by relative path (or by a path's tail, anywhere in the workspace); undefined when none exists. */
  findWorkspaceFile?(path: string): Promise<LoadedReference | undefined>;
  /** The active editor's selection, when it is not empty. */
  activeSelection?(): SelectionReference | undefined;
  dailyBudget?: Pick<DailyBudgetGate, 'checkChat'>;
  /**
   * Tells the user something outside the response (VS Code: a status bar message). Needed after the chat's Stop:
   * VS Code 1.139 discards whatever a response streams once Stop was pressed, and drops its result's errorDetails.
   */
  notify?(message: string): void;
  /**
   * A run stopped with the chat's Stop, remembered until the next request: what VS Code shows after Stop is the next
   * response, so that one starts by saying how the stopped run ended, with its trace.
   */
  stopped?: { runId: string; what: string; traced: boolean };
}


/**
 * The @smoa participant: runs the engine on the prompt with the conversation and attached references, narrates each
 * stage as progress, streams the aggregator's answer, then a summary line and buttons. Failures become errorDetails
 * with buttons to the fix. Cancelling the chat request aborts every call in flight.
 */
export async function handleChatRequest(
  request: ChatRequestPort,
  history: readonly HistoryTurn[],
  rawStream: ChatStreamPort,
  token: CancellationPort,
  deps: ChatDeps,
): Promise<ChatResultPort> {
  const stream = redactingStream(rawStream);
  const command = request.command ?? '';
  const metadata = { command: command || 'smoa', prompt: request.prompt };
  const resolved = await deps.resolveConfig(request.model);
  if (!resolved.ok) return fail(resolved.problem, stream, metadata);
  const { config } = resolved;
  const abort = abortSignalFor(token);
  try {
    if (command === 'roles') {
      const lastQuestion = [...history].reverse().find((t) => t.kind === 'request' && t.command !== 'roles' && t.prompt.trim());
      await showRoles(config, request.prompt, lastQuestion?.kind === 'request' ? lastQuestion.prompt : undefined, stream, abort.signal, deps);
      return { metadata };
    }
    if (!request.prompt.trim()) {
      stream.markdown('Ask a question after `@smoa`, for example `@smoa how do I debounce a function in TypeScript?`');
      return { metadata };
    }
    const strategy = isStrategy(command) ? command : config.strategy;
    sayPreviousStop(stream, deps);
    const { context, notes } = await attachContext(request, stream, deps);

    const daily = await deps.dailyBudget?.checkChat();
    if (daily && !daily.proceed) {
      stream.markdown(daily.message);
      stream.button({ title: 'Run anyway', command: RUN_OVER_DAILY_BUDGET_COMMAND, arguments: [request.prompt, command] });
      return { metadata };
    }
    if (daily?.warning) stream.progress(daily.warning);
    const history_ = historyMessages(history);
    // A route run's estimate is that of the plan its router picks for this prompt.
    const router = strategy === 'route' ? deps.runs.router(config) : undefined;
    stream.progress(`Estimate: ${describeEstimate(estimateRun(config, { prompt: request.prompt, history: history_, context }, { strategy, ...(router ? { router } : {}) }))}`);
    const narrator = new ProgressNarrator();
    let streamed = '';
    const handle = await deps.runs.start(
      { prompt: request.prompt, history: history_, context, strategy },
      {
        origin: 'chat',
        signal: abort.signal,
        config,
        onEvent: (event) => {
          if (event.type === 'answer-token') {
            streamed += event.text;
            stream.markdown(event.text);
            return;
          }
          if (event.type === 'answer-reset') {
            // Chat cannot take back streamed text: say that the retried answer starts over below.
            stream.markdown('\n\n---\n_The aggregator\'s stream broke off; it answers again from the start:_\n\n');
            streamed = '';
          }
          const line = narrator.describe(event);
          if (line) stream.progress(line);
        },
      },
    );
    const result = await handle.result;
    const done = { ...metadata, runId: result.runId, strategy };
    if (result.status === 'cancelled') {
      // Without this the last progress line stays as if the run were still going, and follow-ups offer to build on it.
      // The note shows in the response when the run was stopped elsewhere (the panel's Stop); after the chat's own Stop
      // VS Code shows nothing more of the response, so the note also goes where the user still sees it.
      const what = whatHadFinished(streamed, handle.trace);
      stream.markdown(`${streamed ? '\n\n---\n' : ''}**Cancelled** ${what}.${stagesList(narrator.record)}`);
      const traced = handle.trace.calls.some((c) => c.status === 'done');
      if (token.isCancellationRequested) {
        deps.notify?.(`SMoA run cancelled${handle.trace.calls.length ? ':' : ''} ${what}.`);
        deps.stopped = { runId: result.runId, what, traced };
      }
      if (traced) stream.button(openTraceButton(result.runId));
      return { metadata: { ...done, cancelled: true } };
    }
    if (result.answer && result.answer !== streamed) {
      // The answer is not what streamed: the aggregator failed and the best kept proposal stands in (or ranked).
      stream.markdown(`${streamed ? '\n\n---\n\n' : ''}_Answer from ${result.answerSource ?? 'the best proposal'}:_\n\n${result.answer}`);
    }
    if (result.answer) {
      stream.markdown(`\n\n---\n_${strategyLabel(strategy)}: ${summarizeTotals(result.totals)}_${contextNotes(notes)}${stagesList(narrator.record)}`);
      stream.button(openTraceButton(result.runId));
      stream.button({ title: 'Insert into editor', command: COMMANDS.insertLastAnswer.id, arguments: [result.runId] });
    }
    const withAnswer = { ...done, ...(result.answer ? { answer: result.answer } : {}) };
    if (result.status === 'failed') {
      if (!result.answer && notes.length) stream.markdown(`${contextNotes(notes).trim()}\n\n`);
      return fail(diagnoseRun(result, handle.trace, config), stream, withAnswer, !!result.answer);
    }
    return { metadata: withAnswer };
  } catch (error) {
    if (error instanceof UserProblemError) return fail(error.problem, stream, metadata);
    throw error;
  } finally {
    abort.dispose();
  }
}

/**
 * The context the models get: each reference VS Code attached (#file, selection, ...), then what the prompt asks for in
 * words that VS Code left alone: `#file:<path>` / `#<path>` text (no `#file` completion without Copilot) and, for a
 * question about "this" code, the editor's selection. `notes` say what was added or not found, for the response.
 */
async function attachContext(request: ChatRequestPort, stream: ChatStreamPort, deps: ChatDeps): Promise<{ context: ContextItem[]; notes: string[] }> {
  const context: ContextItem[] = [];
  const add = (loaded: LoadedReference) => {
    // Plain-string references (e.g. a pasted value) have nothing the stable API can show.
    if (loaded.anchor !== undefined) stream.reference(loaded.anchor);
    context.push({ label: loaded.label, content: loaded.content });
  };
  for (const ref of request.references) {
    const loaded = await deps.readReference(ref).catch(() => undefined);
    if (loaded) add(loaded);
  }
  const notes: string[] = [];
  const resolved = request.references.flatMap((r) => (r.range ? [r.range] : []));
  for (const mention of unresolvedFileMentions(request.prompt, resolved)) {
    if (context.some((c) => c.label === mention.path)) continue;
    const loaded = deps.findWorkspaceFile ? await deps.findWorkspaceFile(mention.path).catch(() => undefined) : undefined;
    if (loaded) {
      if (!context.some((c) => c.label === loaded.label)) add(loaded);
      notes.push(`Attached \`${loaded.label}\` for \`${mention.text}\`.`);
    } else {
      notes.push(`\`${mention.text}\`: no such file in the workspace; the models did not get it.`);
    }
  }
  if (asksAboutSelection(request.prompt)) {
    // VS Code may have attached the selection itself (its implicit context): then it is not sent twice, but the user is
    // still told which lines the models got.
    const selection = deps.activeSelection?.();
    if (selection) {
      if (!context.some((c) => c.label === selection.label)) add(selection);
      const lines = selection.firstLine === selection.lastLine ? `line ${selection.firstLine}` : `lines ${selection.firstLine}-${selection.lastLine}`;
      notes.push(`Sent your selection: ${lines} of \`${selection.file}\`.`);
    }
  }
  return { context, notes };
}

/**
 * The context notes under the answer's summary line. Not before the answer: VS Code 1.139 folds what a response shows
 * before its answer into "Completed N steps", where a note that a file was attached or missing went unseen.
 */
function contextNotes(notes: readonly string[]): string {
  return notes.length ? `\n\n${notes.join('  \n')}` : '';
}

/** The first lines after a run stopped with the chat's Stop (VS Code showed nothing of its end): how it ended. */
function sayPreviousStop(stream: ChatStreamPort, deps: ChatDeps): void {
  const stopped = deps.stopped;
  if (!stopped) return;
  deps.stopped = undefined;
  stream.markdown(`_Your previous run was stopped: ${stopped.what}._\n\n`);
  if (stopped.traced) stream.button({ ...openTraceButton(stopped.runId), title: 'Open trace of the stopped run' });
}

function openTraceButton(runId: string): UserAction {
  return { title: 'Open trace', command: COMMANDS.openTrace.id, arguments: [runId] };
}

/** The stages' outcomes, kept in the response once the progress lines are gone (chat collapses them to "N steps"). */
function stagesList(record: readonly string[]): string {
  return record.length ? `\n\n${record.map((line) => `- ${line}`).join('\n')}` : '';
}

/** What a stopped run says after "Cancelled": what had finished by then. */
function whatHadFinished(streamed: string, trace: Pick<Trace, 'calls'>): string {
  const finished = trace.calls.filter((c) => c.status === 'done').length;
  return trace.calls.length === 0
    ? 'before any model was asked'
    : `${finished} of ${plural(trace.calls.length, 'call')} had finished${streamed ? '; the answer above is incomplete' : ''}`;
}

/**
 * A failure as chat shows it: the explanation (with its hints) in the response, then the buttons to the fix, and the
 * first line again as the error VS Code draws at the end, so buttons never sit above the text that explains them.
 */
function fail(problem: UserProblem, stream: ChatStreamPort, metadata: ChatResultPort['metadata'], afterAnswer = false): ChatResultPort {
  stream.markdown(`${afterAnswer ? '\n\n' : ''}${problem.message}\n\n`);
  for (const action of problem.actions) stream.button(action);
  return { errorDetails: { message: problem.message.split('\n')[0].replace(/:$/, '') }, metadata };
}

/** Everything chat shows passes through the process's redactor: answers and error texts may quote a server. */
function redactingStream(stream: ChatStreamPort): ChatStreamPort {
  return {
    progress: (message) => stream.progress(redactSecrets(message)),
    markdown: (text) => stream.markdown(redactSecrets(text)),
    reference: (anchor) => stream.reference(anchor),
    button: (action) => stream.button({ ...action, title: redactSecrets(action.title) }),
  };
}
