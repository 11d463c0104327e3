// The extension's settings for a VS Code pointed at the fake OpenAI server (or any endpoint): shared by the sandbox
// and the UI tests, so both show the same panel.

/**
 * User settings for a run against the fake server: models a/b/c (simulated model-a/-b/-c on one endpoint), four
 * proposers (a and b twice each), two layers, c judging and keeping two, as in the sandbox. The judge proposes nothing,
 * as the settings check advises (a judge favours its own model's answers), so the sandbox starts without a warning.
 * `overrides` are merged on top.
 */
export function smoaSettings(baseURL, overrides = {}) {
  return {
    'smoa.endpoints': [{ id: 'local', baseURL, apiKeyEnv: 'OPENAI_API_KEY' }],
    'smoa.models': [
      { id: 'a', endpoint: 'local', model: 'model-a' },
      { id: 'b', endpoint: 'local', model: 'model-b' },
      { id: 'c', endpoint: 'local', model: 'model-c' },
    ],
    'smoa.strategy': 'smoa',
    'smoa.proposers': ['a', 'b', 'a', 'b'],
    'smoa.aggregator': 'a',
    'smoa.judge': 'c',
    'smoa.layers': 2,
    'smoa.topK': 2,
    'smoa.earlyStop': true,
    ...overrides,
  };
}

/** How `npm run sandbox` paces the simulated models unless told otherwise (README "Try it" documents the flags). */
export const SANDBOX_PACING = { ttftMs: 250, tokensPerSecond: 80 };

/**
 * The user settings `npm run sandbox` writes: the SMoA panel `smoa` (smoaSettings or the sandbox's own), a friendlier
 * workbench, and the SMoA ensemble as the chat's model, as the README shows. Without Copilot VS Code would otherwise
 * start the chat on no model (the picker offers a Copilot sign-in). `chat.defaultModel` takes a model id; VS Code 1.139
 * keeps the user's later pick per chat location under the storage key "chat.currentLanguageModel.<location>".
 */
export function sandboxSettings(smoa) {
  return {
    'workbench.startupEditor': 'readme',
    'telemetry.telemetryLevel': 'off',
    'git.openRepositoryInParentFolders': 'never',
    'chat.defaultModel': 'smoa-ensemble',
    ...smoa,
  };
}

/**
 * The first model aggregates and judges; the others fill four proposer slots, so the judge never rates its own model's
 * answers (the settings check warns about that). With one model it is the whole panel and judges by default.
 */
export function realEndpointSettings(baseURL, models) {
  const ids = models.map((_, i) => `m${i + 1}`);
  const panel = ids.length > 1 ? ids.slice(1) : ids;
  return {
    'smoa.endpoints': [{ id: 'env', baseURL, apiKeyEnv: 'OPENAI_API_KEY' }],
    'smoa.models': models.map((model, i) => ({ id: ids[i], endpoint: 'env', model })),
    'smoa.proposers': Array.from({ length: 4 }, (_, i) => panel[i % panel.length]),
    'smoa.aggregator': ids[0],
    ...(ids.length > 1 ? { 'smoa.judge': ids[0] } : {}),
  };
}
