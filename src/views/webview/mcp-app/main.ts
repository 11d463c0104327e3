import type { Trace } from '../../../pipeline/trace';
import { readToolResult } from '../../mcp-app-protocol';
import { h, setData, setText, show } from '../dom';
import { TraceView } from '../trace/render/trace-view';
import { HostBridge, type HostContext } from './bridge';

/**
 * The MCP App of `consult`: the consultation's trace, read-only, inside the agent's chat (VS Code, Claude and other
 * MCP Apps hosts). The host hands it the tool's result; the run's trace rides in the result's `_meta` and is drawn by
 * the trace panel's own renderer. Nothing here loads anything or talks to anyone but the host frame.
 */

declare const SMOA_BUILD_VERSION: string | undefined;

const root = document.getElementById('app') ?? document.body;
const status = h('p', { class: 'note app-status', testid: 'app-status', text: 'Waiting for the consultation to finish...' });
const fallback = h('div', { class: 'md answer-body', testid: 'app-result-text' });
const expanded = new Set<string>();
let trace: Trace | undefined;
const view = new TraceView(
  (key) => {
    if (!expanded.delete(key)) expanded.add(key);
    schedule();
  },
  { answerActions: false },
);
root.append(status, ...view.elements, fallback);
show(fallback, false);

function setStatus(text: string, state: string): void {
  setText(status, text);
  setData(status, 'state', state);
  show(status, !!text);
}

let frame: number | undefined;
function schedule(): void {
  frame ??= requestAnimationFrame((now) => {
    frame = undefined;
    if (view.render(trace, { where: ['consulted over MCP'] }, expanded, now)) schedule();
  });
}

function applyHostContext(context: HostContext): void {
  if (context.theme) {
    document.body.classList.toggle('vscode-dark', context.theme === 'dark');
    document.body.classList.toggle('vscode-light', context.theme === 'light');
  }
  // The host's standard style variables (colours, fonts); media/mcp-app.css maps them onto the panel's.
  for (const [name, value] of Object.entries(context.styles?.variables ?? {})) {
    if (name.startsWith('--') && typeof value === 'string') document.documentElement.style.setProperty(name, value);
  }
}

const bridge = new HostBridge(window.parent, {
  toolInput: (args) => {
    const prompt = typeof args.prompt === 'string' ? args.prompt : '';
    setStatus(prompt ? `Consulting the panel: ${prompt}` : 'Consulting the panel...', 'running');
  },
  toolResult: (result) => {
    const read = readToolResult(result);
    if (!read.ok) return setStatus(`Cannot show this consultation: ${read.error}.`, 'error');
    if (read.message.kind === 'trace') {
      trace = read.message.trace;
      setStatus('', 'done');
      show(fallback, false);
    } else {
      // No trace to draw: show what the tool said, as text, and why there is nothing more.
      setStatus(`No trace to show: ${read.message.why}.`, read.message.isError ? 'error' : 'no-trace');
      setText(fallback, read.message.text);
      show(fallback, !!read.message.text);
    }
    schedule();
  },
  toolCancelled: (reason) => setStatus(`The consultation was cancelled${reason ? ` (${reason})` : ''}.`, 'cancelled'),
  hostContext: applyHostContext,
});

// The host sizes the frame to the content: report the height whenever it changes.
let reported = -1;
new ResizeObserver(() => {
  const height = Math.ceil(document.documentElement.scrollHeight);
  if (height === reported) return;
  reported = height;
  bridge.sizeChanged(Math.ceil(document.documentElement.scrollWidth), height);
}).observe(document.body);

bridge
  .connect({ name: 'smoa-consult-trace', version: typeof SMOA_BUILD_VERSION === 'string' ? SMOA_BUILD_VERSION : '0.0.0' })
  .catch((error: unknown) => setStatus(`The host did not accept the trace view: ${error instanceof Error ? error.message : String(error)}.`, 'error'));
schedule();
