import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The VSIX is what users install. A file the extension reads at run time but .vscodeignore leaves out works in every
// test that runs from the repository and fails only for users (dist/cli.js was left out, so the MCP server the
// extension registers could not start from an installed extension).

const root = resolve(__dirname, '../../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('the VSIX', () => {
  it('ships every file the extension and the server it starts read at run time, and no sources or maps', function () {
    this.timeout(60_000);
    assert.ok(existsSync(join(root, 'dist/extension.js')), 'dist/ is missing: run `npm run build` first');
    const listed = spawnSync(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
    assert.equal(listed.status, 0, listed.stderr);
    const files = new Set(listed.stdout.split('\n').map((l) => l.trim()).filter(Boolean));

    const main = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string }).main.replace(/^\.\//, '');
    // Files named to VS Code by path: context.asAbsolutePath('...') in the sources (the MCP server's dist/cli.js).
    const byPath = sourceFiles(join(root, 'src')).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/asAbsolutePath\('([^']+)'\)/g)].map((m) => m[1]));
    assert.ok(byPath.includes('dist/cli.js'), 'the scan finds the MCP server');
    // What the webviews load (media/dist/*.js, the style sheets), and the MCP App the CLI serves from beside itself.
    const webviews = readdirSync(join(root, 'media/dist')).filter((f) => f.endsWith('.js')).map((f) => `media/dist/${f}`);
    const needed = [main, ...byPath, ...webviews, 'media/panel.css', 'media/eval.css', 'media/trace.svg', 'dist/mcp-app.html'];
    assert.deepEqual(needed.filter((f) => !files.has(f)), [], `missing from the VSIX (listed: ${[...files].join(', ')})`);

    const unwanted = [...files].filter((f) => f.endsWith('.map') || f.startsWith('src/') || f.startsWith('test/') || f.startsWith('node_modules/'));
    assert.deepEqual(unwanted, [], 'no sources, tests, maps or modules');
    assert.ok(files.size < 40, `a small package: ${files.size} files`);
  });

  it('runs the MCP server it ships from the package alone (no node_modules beside it) and serves the trace view', function () {
    this.timeout(30_000);
    const dir = mkdtempSync(join(tmpdir(), 'smoa-vsix-cli-'));
    try {
      for (const f of ['dist/cli.js', 'dist/mcp-app.html']) copyFileSync(join(root, f), join(dir, f.slice('dist/'.length)));
      writeFileSync(
        join(dir, 'smoa.json'),
        JSON.stringify({ endpoints: [{ id: 'local', baseURL: 'http://127.0.0.1:9/v1', apiKeyEnv: 'SMOA_VSIX_KEY' }], models: [{ id: 'a', endpoint: 'local', model: 'm' }], proposers: ['a'], aggregator: 'a', layers: 1, topK: 1, roles: 'off' }),
      );
      const lines = [
        { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'vsix-test', version: '1' } } },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'ui://smoa/consult-trace.html' } },
      ];
      // stdin ends after the last request: the server answers what it read, then exits.
      const run = spawnSync(process.execPath, [join(dir, 'cli.js'), 'mcp', '--config', join(dir, 'smoa.json')], {
        cwd: dir,
        input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', SMOA_VSIX_KEY: 'k' },
        timeout: 20_000,
      });
      const replies = run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id?: number; result?: { contents?: { mimeType?: string; text?: string }[] } });
      const view = replies.find((r) => r.id === 2)?.result?.contents?.[0];
      assert.equal(view?.mimeType, 'text/html;profile=mcp-app', `stdout: ${run.stdout.slice(0, 300)} stderr: ${run.stderr.slice(0, 300)}`);
      assert.match(view?.text ?? '', /^<!DOCTYPE html>/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
