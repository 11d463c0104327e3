import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommand } from '../../../src/cli/args';
import { buildMcpLaunch, keyVariable } from '../../../src/models/mcp-launch';
import { mcpOffer, mcpProblem, mcpServerArgs } from '../../../src/host/mcp-offer';
import { loadConfig } from '../../../src/pipeline/config';

// What the extension hands VS Code to start `smoa mcp`: keys only in the child's environment.

const config = loadConfig({
  endpoints: [
    { id: 'open-ai', baseURL: 'https://api.example.invalid/v1' },
    { id: 'named', baseURL: 'https://other.example.invalid/v1', apiKeyEnv: 'OTHER_KEY' },
    { id: 'local', baseURL: 'http://127.0.0.1:8000/v1' },
  ],
  models: [
    { id: 'a', endpoint: 'open-ai', model: 'm-a' },
    { id: 'b', endpoint: 'named', model: 'm-b' },
    { id: 'c', endpoint: 'local', model: 'm-c' },
  ],
  proposers: ['a', 'b', 'c'],
  aggregator: 'a',
  topK: 1,
});

describe('smoa mcp launch from the extension', () => {
  it('puts each found key in the environment, names it in the config, and leaves keyless endpoints alone', async () => {
    const keys: Record<string, string> = { 'open-ai': 'sk-secret-one', named: 'sk-secret-two' };
    const launch = await buildMcpLaunch(config, (e) => keys[e.id]);
    assert.ok(launch.ok);
    assert.deepEqual(launch.env, { SMOA_KEY_OPEN_AI: 'sk-secret-one', OTHER_KEY: 'sk-secret-two' });
    assert.deepEqual(
      launch.config.endpoints.map((e) => e.apiKeyEnv),
      [keyVariable('open-ai'), 'OTHER_KEY', undefined],
    );
    assert.doesNotMatch(JSON.stringify(launch.config), /sk-secret/, 'the config file holds no key');
  });

  it("writes smoa.route.file as the path the window reads (relative to the first folder), since the server starts elsewhere", async () => {
    const routed = loadConfig({ ...config, route: { file: '.smoa/router.json' } });
    const launch = await buildMcpLaunch(routed, () => undefined, '/work/project');
    assert.ok(launch.ok);
    assert.equal(launch.config.route.file, join('/work/project', '.smoa/router.json'));
    const none = await buildMcpLaunch(config, () => undefined, '/work/project');
    assert.ok(none.ok);
    assert.equal(none.config.route.file, config.route.file);
  });

  it('refuses a panel of VS Code models, which only run inside VS Code, and says so', async () => {
    const inside = loadConfig({ models: [{ id: 'v', endpoint: 'vscode', model: 'copilot/gpt-4o' }], proposers: ['v'], aggregator: 'v', topK: 1 });
    assert.match(mcpProblem(inside) ?? '', /cannot use VS Code's models \(v in smoa\.models\)/);
    assert.match(mcpProblem(undefined) ?? '', /needs endpoint models/);
    const launch = await buildMcpLaunch(inside, () => 'k');
    assert.equal(launch.ok, false);
    assert.equal(mcpProblem(config), undefined);
    // A jury member counts as used too.
    const jury = loadConfig({
      endpoints: [{ id: 'e', baseURL: 'http://127.0.0.1:1/v1' }],
      models: [{ id: 'a', endpoint: 'e', model: 'm' }, { id: 'v', endpoint: 'vscode', model: 'copilot/gpt-4o' }],
      proposers: ['a'],
      aggregator: 'a',
      judge: ['a', 'v'],
      topK: 1,
    });
    assert.match(mcpProblem(jury) ?? '', /cannot use VS Code's models \(v in smoa\.models\)/);
  });
});

describe('the MCP server offered to VS Code is opt-in', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));

  it('is off by default: no server is offered, so VS Code never asks to start one', () => {
    assert.equal(pkg.contributes.configuration.properties['smoa.mcp.enabled'].default, false);
    assert.deepEqual(mcpOffer(false, config), { offer: false, problem: 'smoa.mcp.enabled is off' });
  });

  it('once enabled, offers the same server as `smoa mcp`, for a panel the CLI can run', () => {
    assert.deepEqual(mcpOffer(true, config), { offer: true });
    const args = mcpServerArgs('/ext/dist/cli.js', '/storage/smoa-mcp-config.json');
    assert.equal(args[0], '/ext/dist/cli.js');
    assert.deepEqual(parseCommand(args.slice(1)), { kind: 'mcp', config: '/storage/smoa-mcp-config.json' });
  });

  it('enabled with a panel of VS Code models, says why nothing is offered', () => {
    const inside = loadConfig({ models: [{ id: 'c', endpoint: 'vscode', model: 'copilot/gpt-4o' }], proposers: ['c'], aggregator: 'c', topK: 1 });
    const offer = mcpOffer(true, inside);
    assert.equal(offer.offer, false);
    assert.match(!offer.offer ? offer.problem : '', /cannot use VS Code's models \(c in smoa.models\)/);
    assert.match((mcpOffer(true, undefined) as { problem: string }).problem, /needs endpoint models/);
  });

  it('has a palette command that turns it on', () => {
    assert.ok(pkg.contributes.commands.some((c: { command: string }) => c.command === 'smoa.enableMcpServer'));
  });
});
