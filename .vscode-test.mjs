// Configuration for `vscode-test` (@vscode/test-cli) on a desktop that can download VS Code:
//   npm run build && npx @vscode/test-cli   (test-cli is not a devDependency: this stays a plain object on purpose)
// Offline / in CI use the code-server runner instead: npm run test:vscode (test/vscode/run-suite.mjs).
// The suite itself is test/vscode/suite/*.test.ts, compiled by `npm run build` to out/test/suite/*.test.js.
export default {
  label: 'extension-host',
  files: 'out/test/suite/**/*.test.js',
  workspaceFolder: './test/vscode/sample-workspace',
  version: 'stable',
  mocha: {
    ui: 'tdd',
    timeout: 30000,
  },
  env: {
    SMOA_TEST: '1',
  },
};
