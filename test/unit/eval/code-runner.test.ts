import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { extractCode } from '../../../src/eval/code-block';
import { runCodeTests, sandboxInfo } from '../../../src/eval/code-runner';

const ADD_TESTS = 'assert.equal(add(2, 3), 5);\nassert.equal(add(-1, 1), 0);';

describe('code grader: running an answer’s code with the task’s tests', function () {
  this.timeout(60_000);

  it('a correct solution passes, a wrong one fails with the assertion', async () => {
    assert.deepEqual((await runCodeTests({ language: 'javascript', code: 'function add(a, b) { return a + b; }', tests: ADD_TESTS })).status, 'passed');
    const wrong = await runCodeTests({ language: 'javascript', code: 'function add(a, b) { return a - b; }', tests: ADD_TESTS });
    assert.equal(wrong.status, 'failed');
    assert.match(wrong.status === 'failed' ? wrong.detail : '', /exit code 1: .*AssertionError|Expected values to be strictly equal/s);
  });

  it('a solution that exits early with 0 before the tests ran does not pass', async () => {
    const r = await runCodeTests({ language: 'javascript', code: 'function add(a, b) { return a - b; }\nprocess.exit(0);', tests: ADD_TESTS });
    assert.equal(r.status, 'failed');
  });

  it('an infinite loop is killed at the time limit', async () => {
    const started = Date.now();
    const r = await runCodeTests({ language: 'javascript', code: 'function add() { for (;;) {} }', tests: ADD_TESTS, timeoutMs: 1_500 });
    assert.equal(r.status, 'timeout');
    assert.ok(Date.now() - started < 15_000);
  });

  it('a solution that allocates without end fails at the memory limit instead of taking the machine', async () => {
    const r = await runCodeTests({ language: 'javascript', code: 'const keep = []; function add() { for (;;) keep.push(new Array(1e6).fill(1.5)); }', tests: ADD_TESTS, memoryMb: 64, timeoutMs: 30_000 });
    assert.equal(r.status, 'failed', JSON.stringify(r));
  });

  it('the solution sees a minimal environment: no API keys, nothing of the parent’s', async () => {
    process.env.SMOA_TEST_API_KEY = 'sk-test-must-not-leak-1234';
    try {
      const code = `function add(a, b) {
        const leaked = Object.entries(process.env).filter(([k, v]) => /KEY|TOKEN|SECRET/i.test(k) || String(v).includes('sk-test'));
        if (leaked.length) throw new Error('leaked: ' + leaked.map(([k]) => k).join(','));
        return a + b;
      }`;
      const r = await runCodeTests({ language: 'javascript', code, tests: `${ADD_TESTS}\nassert.equal(process.env.SMOA_TEST_API_KEY, undefined);\nassert.ok(Object.keys(process.env).length <= 8, Object.keys(process.env).join());` });
      assert.equal(r.status, 'passed', JSON.stringify(r));
    } finally {
      delete process.env.SMOA_TEST_API_KEY;
    }
  });

  describe('network', () => {
    let server: Server;
    let port: number;
    let connections = 0;
    before(async () => {
      server = createServer((socket) => {
        connections++;
        socket.end('hello\n');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    for (const namespace of [true, false]) {
      it(`a JavaScript solution that connects to a local server fails, and the server sees no connection (${namespace ? 'network namespace when available' : 'in-process blocks only'})`, async () => {
        const code = `async function fetchGreeting() {
          const net = require('node:net');
          return await new Promise((resolve, reject) => {
            const s = net.connect(${port}, '127.0.0.1');
            s.on('data', (d) => resolve(String(d)));
            s.on('error', reject);
          });
        }`;
        const r = await runCodeTests({ language: 'javascript', code, tests: "assert.equal(await fetchGreeting(), 'hello\\n');", timeoutMs: 10_000, namespace });
        assert.equal(r.status, 'failed', JSON.stringify(r));
        const viaFetch = await runCodeTests({ language: 'javascript', code: `async function get() { return (await fetch('http://127.0.0.1:${port}/')).status; }`, tests: 'await get();', namespace });
        assert.equal(viaFetch.status, 'failed');
        const viaChild = await runCodeTests({ language: 'javascript', code: `function get() { return require('node:child_process').execFileSync('node', ['-e', "require('net').connect(${port}, '127.0.0.1')"]); }`, tests: 'get();', namespace });
        assert.equal(viaChild.status, 'failed');
        assert.equal(connections, 0);
      });
    }

    it('a Python solution that opens a socket fails too, with or without the namespace (when python3 exists)', async function () {
      if (!sandboxInfo().python) this.skip();
      const code = `import socket\ndef greet():\n    s = socket.create_connection(('127.0.0.1', ${port}))\n    return s.recv(10)\n`;
      for (const namespace of [true, false]) {
        const r = await runCodeTests({ language: 'python', code, tests: "assert greet() == b'hello\\n'", namespace });
        assert.equal(r.status, 'failed', JSON.stringify(r));
        assert.match(r.status === 'failed' ? r.detail : '', namespace && sandboxInfo().network === 'namespace' ? /Error/ : /network access is disabled/);
      }
      assert.equal(connections, 0);
    });
  });

  it('Python: HumanEval-style check(candidate) runs on the entry point; a wrong answer fails, a loop times out', async function () {
    if (!sandboxInfo().python) this.skip();
    const tests = 'def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(0, 0) == 0\n';
    assert.equal((await runCodeTests({ language: 'python', code: 'def add(a, b):\n    return a + b', tests, entryPoint: 'add' })).status, 'passed');
    assert.equal((await runCodeTests({ language: 'python', code: 'def add(a, b):\n    return a * b', tests, entryPoint: 'add' })).status, 'failed');
    assert.equal((await runCodeTests({ language: 'python', code: 'def add(a, b):\n    while True: pass', tests, entryPoint: 'add', timeoutMs: 1_500 })).status, 'timeout');
  });

  it('TypeScript runs with its types stripped', async () => {
    const r = await runCodeTests({ language: 'typescript', code: 'export function add(a: number, b: number): number { return a + b; }', tests: ADD_TESTS });
    assert.equal(r.status, 'passed', JSON.stringify(r));
  });

  it('the solution is the fenced block in the task’s language that defines the entry point', () => {
    const answer = [
      'Here is how to call it:',
      '```js',
      'console.log(add(1, 2));',
      '```',
      'And the function:',
      '```javascript',
      'function add(a, b) {',
      '  return a + b;',
      '}',
      '```',
      '```python',
      'def add(a, b): return a + b',
      '```',
    ].join('\n');
    assert.equal(extractCode(answer, 'javascript', 'add'), 'function add(a, b) {\n  return a + b;\n}');
    assert.equal(extractCode(answer, 'python', 'add'), 'def add(a, b): return a + b');
    assert.equal(extractCode('```ts\nconst add = (a: number) => a;\n```', 'typescript', 'add'), 'const add = (a: number) => a;');
    assert.equal(extractCode('def f(): pass', 'python'), 'def f(): pass');
    assert.equal(extractCode('```rust\nfn main() {}\n```', 'python'), undefined);
  });
});
