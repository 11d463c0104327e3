// The extension's settings for a VS Code pointed at the fake OpenAI server (or any endpoint): shared by the sandbox
// and the UI tests, so both show the same panel.

/**
 * User settings for a run against the fake server: models a/b (simulated model-a/model-b on one endpoint), four
 * proposers, two layers, the judge keeping two, as in the sandbox. `overrides` are merged on top.
 */
export function smoaSettings(baseURL, overrides = {}) {
  return {
    'smoa.endpoints': [{ id: 'local', baseURL, apiKeyEnv: 'OPENAI_API_KEY' }],
    'smoa.models': [
      { id: 'a', endpoint: 'local', model: 'model-a' },
      { id: 'b', endpoint: 'local', model: 'model-b' },
    ],
    'smoa.strategy': 'smoa',
    'smoa.proposers': ['a', 'b', 'a', 'b'],
    'smoa.aggregator': 'a',
    'smoa.judge': 'b',
    'smoa.layers': 2,
    'smoa.topK': 2,
    'smoa.earlyStop': true,
    ...overrides,
  };
}

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
