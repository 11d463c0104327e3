import { VSCODE_ENDPOINT, type SmoaConfig } from '../pipeline/config';
import type { RunResult } from '../pipeline/engine';
import type { Trace } from '../pipeline/trace';
import { actions, type UserAction, type UserProblem } from '../host/user-problem';

/**
 * Explains a failed run with buttons to the fix. The engine's error already says what failed (e.g. every proposer, with
 * its reason); the failed calls' kinds say where the fix is: a key, an endpoint URL, a model name.
 */
export function diagnoseRun(result: Pick<RunResult, 'error'>, trace: Pick<Trace, 'calls'>, config: SmoaConfig): UserProblem {
  const found: UserAction[] = [];
  const hints: string[] = [];
  const add = (action: UserAction, hint?: string) => {
    if (!found.some((a) => a.command === action.command && JSON.stringify(a.arguments) === JSON.stringify(action.arguments))) {
      found.push(action);
      if (hint) hints.push(hint);
    }
  };
  for (const call of trace.calls) {
    if (call.status !== 'failed' || !call.error) continue;
    const endpoint = config.models.find((m) => m.id === call.modelId)?.endpoint;
    const onVsCode = endpoint === VSCODE_ENDPOINT;
    switch (call.error.kind) {
      case 'auth':
        if (onVsCode) hints.push(`Allow SMoA to use ${call.modelId} when VS Code asks (or in the Accounts menu: Manage Language Model Access).`);
        else add(actions.setApiKey(endpoint), `Set the key for endpoint "${endpoint}" with "SMoA: Set API Key".`);
        break;
      case 'connection':
      case 'timeout':
        if (!onVsCode) add(actions.openSettings('smoa.endpoints'), `Check that endpoint "${endpoint}" is running and its baseURL is right.`);
        break;
      case 'not-found':
        add(actions.openSettings('smoa.models'), `Check the model name of "${call.modelId}" in smoa.models.`);
        break;
      case 'context-overflow':
        add(actions.openSettings('smoa.topK'));
        break;
      default:
        break;
    }
  }
  if (found.length === 0) found.push(actions.showLog());
  // A paragraph of its own: right after the error's list of failed calls it would read as part of the last item.
  const hintText = [...new Set(hints)].map((h) => `\n\n${h}`).join('');
  return { message: `SMoA run failed: ${result.error ?? 'unknown error'}${hintText}`, actions: found };
}
