import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeLanguage } from './code-block';

/**
 * Runs an answer's code with a task's tests in a child process: a fresh temporary folder, a time limit (the whole
 * process group is killed), a memory limit (V8's heap cap for Node, RLIMIT_AS for Python), a minimal environment (no
 * API keys, no proxies, no user paths) and no network: a network namespace of its own (`unshare -n`) where the
 * platform allows it, and in every case a preload that makes the network, child processes and Python's sockets throw.
 * Model output is untrusted; this is a guard against accidents and casual misuse, not a security boundary against
 * code written to escape (that needs a container or a VM).
 */

export interface CodeTestRequest {
  language: CodeLanguage;
  /** The answer's code. */
  code: string;
  /** Test code run after it (asserts; HumanEval's `check`). */
  tests: string;
  /** HumanEval: the tests' `check(candidate)` is called with this function. */
  entryPoint?: string;
  /** Code run before the answer's (imports, a HumanEval prompt). */
  setup?: string;
  timeoutMs?: number;
  memoryMb?: number;
  /** Use a network namespace when the platform allows it (default); false leaves only the in-process blocks. */
  namespace?: boolean;
}

export type CodeTestOutcome =
  | { status: 'passed'; ms: number }
  | { status: 'failed'; ms: number; detail: string }
  | { status: 'timeout'; ms: number; detail: string }
  /** The language's runtime is missing: the task is not graded, and the report says so. */
  | { status: 'skipped'; detail: string };

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MEMORY_MB = 512;
const OUTPUT_CAP = 64 * 1024;

/** How isolated a run is on this machine, for the report and the README's claims. */
export interface SandboxInfo {
  /** 'namespace': `unshare -n`, no interface but a down loopback; 'in-process': the preload's blocks only. */
  network: 'namespace' | 'in-process';
  python: string | undefined;
  typescript: 'esbuild' | undefined;
}

let cachedNamespace: string[] | null | undefined;
/** `unshare -n` as root, `unshare -rn` (a user namespace) otherwise; null when neither works here. */
function namespacePrefix(): string[] | null {
  if (cachedNamespace !== undefined) return cachedNamespace;
  cachedNamespace = null;
  if (process.platform !== 'linux') return cachedNamespace;
  for (const args of [['-n'], ['-rn']]) {
    const probe = spawnSync('unshare', [...args, '--', 'true'], { stdio: 'ignore', timeout: 5_000 });
    if (probe.status === 0) {
      cachedNamespace = ['unshare', ...args, '--'];
      break;
    }
  }
  return cachedNamespace;
}

let cachedPython: string | null | undefined;
/** The real interpreter behind `python3` (a pyenv shim needs its own environment, which the run does not get). */
function pythonPath(): string | undefined {
  if (cachedPython === undefined) {
    const probe = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', timeout: 10_000 });
    const path = probe.status === 0 ? probe.stdout.trim() : '';
    cachedPython = path || null;
  }
  return cachedPython ?? undefined;
}

type Transform = (code: string) => string;
let cachedTs: Transform | null | undefined;
/**
 * TypeScript is run as JavaScript with its types stripped by esbuild, when it can be loaded (the CLI from a checkout,
 * the tests); the packaged extension does not ship it, and its TypeScript tasks are skipped with that reason.
 */
function typescriptTransform(): Transform | undefined {
  if (cachedTs === undefined) {
    cachedTs = null;
    try {
      // A computed name keeps the bundler from inlining esbuild (a native binary) into the extension.
      const name = 'esbuild';
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const esbuild = require(name) as { transformSync(code: string, options: { loader: 'ts' }): { code: string } };
      cachedTs = (code) => esbuild.transformSync(code, { loader: 'ts' }).code;
    } catch {
      // not available: TypeScript tasks are skipped
    }
  }
  return cachedTs ?? undefined;
}

export function sandboxInfo(): SandboxInfo {
  return { network: namespacePrefix() ? 'namespace' : 'in-process', python: pythonPath(), typescript: typescriptTransform() ? 'esbuild' : undefined };
}

/** Loaded before a Node solution: the network, child processes and `process.binding` throw; `assert` is a global. */
const NODE_PRELOAD = `'use strict';
const blocked = (what) => function () { throw new Error('network access is disabled in the code grader (' + what + ')'); };
const net = require('node:net');
net.connect = net.createConnection = blocked('net.connect');
net.Socket.prototype.connect = blocked('socket.connect');
net.Server.prototype.listen = blocked('server.listen');
require('node:tls').connect = blocked('tls.connect');
require('node:dgram').createSocket = blocked('dgram');
for (const name of ['node:http', 'node:https']) { const m = require(name); m.request = m.get = blocked(name); }
require('node:http2').connect = blocked('http2');
const dns = require('node:dns');
for (const k of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny']) { dns[k] = blocked('dns'); dns.promises[k] = blocked('dns'); }
const cp = require('node:child_process');
for (const k of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) cp[k] = function () { throw new Error('child processes are disabled in the code grader'); };
globalThis.fetch = blocked('fetch');
if ('WebSocket' in globalThis) globalThis.WebSocket = blocked('WebSocket');
process.binding = blocked('process.binding');
globalThis.assert = require('node:assert/strict');
require('node:module').syncBuiltinESMExports();
`;

/** Runs a Python solution: the memory limit, then sockets and subprocesses made to throw, then the program. */
const PYTHON_RUNNER = `import sys, resource
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
import socket, _socket, subprocess, os
def _blocked(*args, **kwargs):
    raise OSError('network access is disabled in the code grader')
class _NoSocket:
    def __init__(self, *args, **kwargs):
        _blocked()
socket.socket = _NoSocket
_socket.socket = _NoSocket
socket.create_connection = _blocked
socket.getaddrinfo = _blocked
_socket.getaddrinfo = _blocked
def _no_process(*args, **kwargs):
    raise OSError('child processes are disabled in the code grader')
subprocess.Popen = _no_process
for name in ('system', 'popen', 'fork', 'forkpty', 'execv', 'execve', 'execvp', 'execvpe', 'posix_spawn', 'posix_spawnp', 'spawnv', 'spawnve'):
    if hasattr(os, name):
        setattr(os, name, _no_process)
path = sys.argv[1]
sys.argv = [path]
with open(path, encoding='utf-8') as f:
    source = f.read()
exec(compile(source, path, 'exec'), {'__name__': '__main__', '__file__': path})
`;

/** A minimal environment: nothing the parent process holds (keys, tokens, proxies) reaches the solution. */
function minimalEnv(dir: string): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: dir,
    TMPDIR: dir,
    LANG: 'C.UTF-8',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONHASHSEED: '0',
    // VS Code's extension host runs on Electron: this makes its binary behave as plain Node.
    ELECTRON_RUN_AS_NODE: '1',
  };
}

/** The program: setup, the answer, the tests, then a line only a run that got through every test prints. */
function program(req: CodeTestRequest, done: string): string {
  if (req.language === 'python') {
    const check = req.entryPoint ? [`if 'check' in globals():`, `    check(${req.entryPoint})`] : [];
    return [req.setup ?? '', req.code, '', req.tests, ...check, `print(${JSON.stringify(done)})`, ''].join('\n');
  }
  return [
    req.setup ?? '',
    req.code,
    ';(async () => {',
    req.tests,
    ...(req.entryPoint ? [`if (typeof check === 'function') await check(${req.entryPoint});`] : []),
    `})().then(() => { process.stdout.write('\\n' + ${JSON.stringify(done)} + '\\n'); }, (err) => { console.error(err && err.stack ? err.stack : String(err)); process.exitCode = 1; });`,
    '',
  ].join('\n');
}

export async function runCodeTests(req: CodeTestRequest): Promise<CodeTestOutcome> {
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const memoryMb = req.memoryMb ?? DEFAULT_MEMORY_MB;
  const done = `smoa-tests-passed-${randomBytes(8).toString('hex')}`;
  let source = program(req, done);
  let command: string[];
  const dir = mkdtempSync(join(tmpdir(), 'smoa-code-'));
  try {
    if (req.language === 'python') {
      const python = pythonPath();
      if (!python) return { status: 'skipped', detail: 'python3 was not found on this machine, so Python tasks are not graded' };
      writeFileSync(join(dir, 'runner.py'), PYTHON_RUNNER);
      writeFileSync(join(dir, 'main.py'), source);
      command = [python, '-I', '-S', join(dir, 'runner.py'), join(dir, 'main.py'), String(memoryMb * 1024 * 1024)];
    } else {
      if (req.language === 'typescript') {
        const strip = typescriptTransform();
        if (!strip) return { status: 'skipped', detail: 'TypeScript tasks need esbuild, which this installation does not include' };
        try {
          source = strip(source);
        } catch (err) {
          return { status: 'failed', ms: 0, detail: `the TypeScript does not compile: ${(err as Error).message.split('\n').slice(0, 6).join('\n')}` };
        }
      }
      // ES module syntax in the answer: run it as a module (the preload still applies).
      const file = /^\s*(import|export)\s/m.test(source) ? 'main.mjs' : 'main.cjs';
      writeFileSync(join(dir, 'preload.cjs'), NODE_PRELOAD);
      writeFileSync(join(dir, file), source);
      command = [process.execPath, `--max-old-space-size=${memoryMb}`, '--require', join(dir, 'preload.cjs'), join(dir, file)];
    }
    return await execute([...((req.namespace !== false && namespacePrefix()) || []), ...command], dir, timeoutMs, done);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function execute(command: string[], dir: string, timeoutMs: number, done: string): Promise<CodeTestOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command[0], command.slice(1), { cwd: dir, env: minimalEnv(dir), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < OUTPUT_CAP) stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < OUTPUT_CAP) stderr += chunk.toString('utf8');
    });
    const killGroup = () => {
      try {
        // The solution may have started processes of its own (when not blocked): the whole group goes.
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ status: 'failed', ms: performance.now() - started, detail: `could not start ${command[0]}: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Math.round(performance.now() - started);
      if (timedOut) return resolve({ status: 'timeout', ms, detail: `killed after the ${timeoutMs} ms time limit` });
      if (code === 0 && stdout.split('\n').some((line) => line.trim() === done)) return resolve({ status: 'passed', ms });
      const tail = stderr.trim().split('\n').slice(-12).join('\n');
      const why = code === 0 ? 'the tests did not run to the end' : signal ? `killed by ${signal}` : `exit code ${code}`;
      resolve({ status: 'failed', ms, detail: tail ? `${why}: ${tail.slice(-2_000)}` : why });
    });
  });
}
