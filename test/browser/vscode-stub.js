/* global window, sessionStorage */
// Stand-in for the webview API. It records what the panel posts and keeps its state across reloads in
// sessionStorage. Like VS Code, it hands the API out only once per page, so a script smuggled in through model
// output could not obtain it either. Tests read `window.__harness.messages`; host messages are dispatched as
// ordinary `message` events, as VS Code does.
(() => {
  const messages = [];
  let acquired = false;
  const key = 'smoa-harness-state';
  window.__harness = { messages };
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage(message) {
        const copy = JSON.parse(JSON.stringify(message));
        messages.push(copy);
        if (typeof window.__smoaHost === 'function') void window.__smoaHost(copy);
      },
      getState() {
        const raw = sessionStorage.getItem(key);
        return raw ? JSON.parse(raw) : undefined;
      },
      setState(state) {
        sessionStorage.setItem(key, JSON.stringify(state));
      },
    });
  };
})();
