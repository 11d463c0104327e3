import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeServer, type FakeServer } from '../../server/fake-openai';
import { parseRouterText } from '../../../src/pipeline/route/router-file';
import { skillResponder, skillTasks } from '../helpers/route-fixtures';

const root = join(__dirname, '../../..');

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli.ts'), ...args], { cwd: root, env: { ...process.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('CLI: smoa eval with route, smoa route build, smoa run --strategy route', function () {
  this.timeout(120_000);
  let server: FakeServer;
  let dir: string;
  before(async () => {
    server = await startFakeServer({ tokensPerSecond: Infinity, ttftMs: 0 });
    server.setResponder(skillResponder);
    dir = mkdtempSync(join(tmpdir(), 'smoa-route-'));
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        endpoints: [{ id: 'local', baseURL: server.url, maxRetries: 0 }],
        models: ['arith', 'coder', 'neither'].map((id) => ({ id, endpoint: 'local', model: `model-${id}`, maxTokens: 100 })),
        proposers: ['arith', 'coder', 'neither'],
        aggregator: 'neither',
        layers: 1,
        roles: 'off',
        earlyStop: false,
      }),
    );
    writeFileSync(join(dir, 'tasks.jsonl'), skillTasks(6).map((t) => JSON.stringify({ id: t.id, prompt: t.prompt, reference: t.reference, match: t.match, category: t.category })).join('\n'));
  });
  after(() => server.close());

  it('eval compares route (2-fold) with the best fixed strategy; route build writes a router; run routes with it and says why', async () => {
    const out = join(dir, 'out');
    const evaluated = await cli(['eval', '--config', join(dir, 'config.json'), '--tasks', join(dir, 'tasks.jsonl'), '--strategies', 'moa,route', '--out', out]);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    assert.match(evaluated.stderr, /added single:arith, single:coder, single:neither/);
    assert.match(evaluated.stdout, /route \(2-fold.*best fixed strategy, moa, on the same 12 tasks/);
    assert.match(evaluated.stdout, /score 100\.0% vs 100\.0%; calls per task 1\.00 vs 4\.00 \(25%\)/);

    const routerPath = join(dir, 'router.json');
    const built = await cli(['route', 'build', '--from', out, '--out', routerPath]);
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stderr, /router written to .*router\.json: 12 tasks, 2 categories/);
    const router = parseRouterText(readFileSync(routerPath, 'utf8'));
    assert.ok(router.ok);
    assert.equal(router.router.categories.find((c) => c.id === 'code')!.models.coder.score, 1);

    const ran = await cli(['run', '--config', join(dir, 'config.json'), '--strategy', 'route', '--router', routerPath, '--prompt', 'What is 70 + 7? Answer with the number.']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout.trim(), 'The sum is 77.');
    assert.match(ran.stderr, /· Route: single:arith\. On \d+ similar tasks \(arithmetic\), arith 1\.00/);
    const unlike = await cli(['run', '--config', join(dir, 'config.json'), '--strategy', 'route', '--router', routerPath, '--prompt', 'Compose a sonnet about autumn leaves']);
    assert.match(unlike.stderr, /· Route: fell back to smoa: no evaluated task is like this prompt/);

    const bad = await cli(['route', 'build', '--from', dir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /is not a SMoA evaluation results folder/);
  });
});
