import { parseHostMessage, parseWebviewMessage, type WebviewMessage } from '../../protocol';
import { PanelView } from './render/panel';
import { PanelState, type SavedState } from './state';
import { vscodeApi } from './vscode-api';

/**
 * The trace panel's script. Host messages are validated, folded into PanelState, and drawn at most once per
 * animation frame, however many batches arrive in between.
 */

const api = vscodeApi<SavedState>();
const state = new PanelState();
state.restore(api.getState());

function post(message: unknown): void {
  const parsed = parseWebviewMessage(message);
  if (parsed.ok) api.postMessage(parsed.message);
  else fail(parsed.error);
}

function fail(message: string): void {
  state.receive({ type: 'error', message });
  schedule();
}

function withRun(make: (runId: string) => WebviewMessage): void {
  if (state.runId) post(make(state.runId));
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined;
let estimateTimer: ReturnType<typeof setTimeout> | undefined;
const view = new PanelView(document.getElementById('app') ?? document.body, {
  run: (form) => {
    state.updateForm(form);
    if (!form.prompt.trim()) return fail('Type a prompt first.');
    post({ type: 'run', ...form });
  },
  stop: () => withRun((runId) => ({ type: 'stop', runId })),
  openTraceFile: () => post({ type: 'openTraceFile' }),
  selectRun: (runId) => post({ type: 'selectRun', runId }),
  formChanged: (patch) => {
    state.updateForm(patch);
    // The controls depend on the form (a strategy without top k disables it): redraw now, not on the next message.
    schedule();
    askEstimate();
  },
  answer: (action) => withRun((runId) => ({ type: action, runId })),
  toggleCard: (key) => {
    state.toggleExpanded(key);
    schedule();
  },
  dismissError: () => {
    state.error = undefined;
    state.structure++;
    schedule();
  },
});

let frame: number | undefined;
let savedStructure = -1;
function schedule(): void {
  frame ??= requestAnimationFrame((now) => {
    frame = undefined;
    if (view.render(state, now)) schedule();
    if (state.structure !== savedStructure) persist();
  });
}

function persist(): void {
  savedStructure = state.structure;
  api.setState(state.save());
}

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = parseHostMessage(event.data);
  if (!parsed.ok) return fail(`Ignored a malformed message from the extension (${parsed.error}).`);
  const message = parsed.message;
  state.receive(message);
  if (message.type === 'notice') {
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => {
      state.notice = undefined;
      state.structure++;
      schedule();
    }, 3000);
  }
  if (message.type === 'config') askEstimate();
  schedule();
});

// The host shows the run it was asked for (chat's "Open trace") or, failing that, the one this panel showed before.
post({ type: 'ready', ...(state.runId ? { restoredRunId: state.runId } : {}) });

// The estimate follows the prompt box, asked at most every 300 ms while typing.
function askEstimate(): void {
  clearTimeout(estimateTimer);
  estimateTimer = setTimeout(() => post({ type: 'estimate', ...state.form }), 300);
}
askEstimate();
schedule();
