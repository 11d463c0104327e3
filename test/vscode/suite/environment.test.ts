import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

// Guards the runner's contract (test/vscode/run-suite.mjs): the fake OpenAI server's URL reaches the extension host
// as SMOA_TEST_BASE_URL, and test/vscode/settings.json reaches the profile with that URL substituted.
suite('Test environment', () => {
  const baseURL = process.env.SMOA_TEST_BASE_URL;

  test('the fake OpenAI server URL is in the environment', function () {
    if (!baseURL) this.skip(); // runners without the fake server (run-electron.mjs, F5)
    assert.match(baseURL, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  });

  test('user settings point the extension at the fake server', function () {
    if (!baseURL) this.skip();
    const endpoints = vscode.workspace.getConfiguration('smoa').get<{ id: string; baseURL: string }[]>('endpoints');
    assert.equal(endpoints?.[0]?.baseURL, baseURL);
  });
});
