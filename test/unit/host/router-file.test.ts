import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRouter } from '../../../src/eval/route-build';
import { loadConfig, type SmoaConfig } from '../../../src/pipeline/config';
import { RouterFiles } from '../../../src/host/router-file';
import { skillRecords, skillTasks } from '../helpers/route-fixtures';

// smoa.route.file as a user writes it: "router.json" or ".smoa/router.json" means the file in the project they have
// open, not one in whatever folder VS Code's extension host happened to start in.

function config(file: string): SmoaConfig {
  return loadConfig({
    endpoints: [{ id: 'local', baseURL: 'http://127.0.0.1:9/v1' }],
    models: [
      { id: 'arith', endpoint: 'local', model: 'm-arith' },
      { id: 'coder', endpoint: 'local', model: 'm-coder' },
    ],
    proposers: ['arith', 'coder'],
    aggregator: 'coder',
    strategy: 'route',
    roles: 'off',
    route: { file },
  });
}

function writeRouter(path: string): void {
  const built = buildRouter([{ name: 'out/eval', tasks: skillTasks(), ...skillRecords(skillTasks()), grader: 'exact' }]);
  assert.ok(built.ok);
  writeFileSync(path, JSON.stringify(built.router));
}

describe('smoa.route.file', () => {
  it('a relative path is read from the first workspace folder, whatever the process started in', () => {
    const project = mkdtempSync(join(tmpdir(), 'smoa-route-project-'));
    mkdirSync(join(project, '.smoa'));
    writeRouter(join(project, '.smoa', 'router.json'));
    const files = new RouterFiles(() => project);
    const loaded = files.load(config('.smoa/router.json'));
    assert.equal(loaded.problem, undefined, loaded.problem?.message);
    assert.ok(loaded.router);
  });

  it('an absolute path is read as it is; a relative one with no folder open says what to do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smoa-route-abs-'));
    writeRouter(join(dir, 'router.json'));
    assert.ok(new RouterFiles(() => undefined).load(config(join(dir, 'router.json'))).router);
    const none = new RouterFiles(() => undefined).load(config('router.json'));
    assert.match(none.problem?.message ?? '', /smoa\.route\.file: "router\.json" is relative and no folder is open: use an absolute path/);
  });

  it('~/ is the home folder', () => {
    const home = mkdtempSync(join(tmpdir(), 'smoa-route-home-'));
    writeRouter(join(home, 'router.json'));
    assert.ok(new RouterFiles(() => undefined, home).load(config('~/router.json')).router);
  });

  it('a file that cannot be read is named by the path it was looked for at', () => {
    const project = mkdtempSync(join(tmpdir(), 'smoa-route-missing-'));
    const missing = new RouterFiles(() => project).load(config('router.json'));
    assert.ok(missing.problem?.message.includes(join(project, 'router.json')), missing.problem?.message);
  });
});
