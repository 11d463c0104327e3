import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';

// The layering of docs/ARCHITECTURE.md as checks: ESLint zones (eslint.config.mjs) and no cycles between folders.

const root = resolve(__dirname, '../..');
const src = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The top-level folder of src a file belongs to ("pipeline", "host", ...; files directly in src are "root"). */
function folderOf(file: string): string {
  const parts = relative(src, file).split(/[\\/]/);
  return parts.length > 1 ? parts[0] : 'root';
}

function importedFiles(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/g)].map((m) => m[1]);
  return specs.map((s) => resolve(dirname(file), s));
}

describe('architecture', () => {
  it('no two top-level folders of src import each other, directly or through others', () => {
    const edges = new Map<string, Set<string>>();
    for (const file of sourceFiles(src)) {
      const from = folderOf(file);
      for (const target of importedFiles(file)) {
        const to = folderOf(target);
        if (from === to || from === 'root') continue;
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)!.add(to);
      }
    }
    // Depth-first search for a cycle in the folder graph.
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (node: string): string[] | undefined => {
      if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
      if (state.get(node) === 'done') return undefined;
      state.set(node, 'open');
      path.push(node);
      for (const next of edges.get(node) ?? []) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
      path.pop();
      state.set(node, 'done');
      return undefined;
    };
    for (const node of edges.keys()) {
      const cycle = visit(node);
      assert.equal(cycle, undefined, `import cycle between folders: ${cycle?.join(' -> ')}`);
    }
    assert.deepEqual([...(edges.get('pipeline') ?? [])], [], 'the engine imports nothing from the rest of src');
  });

  it("docs/ARCHITECTURE.md lists the browser-safe engine modules the lint zone allows", async () => {
    const config = pathToFileURL(join(root, 'eslint.config.mjs')).href;
    const { browserSafePipeline } = (await import(config)) as { browserSafePipeline: string[] };
    const line = readFileSync(join(root, 'docs/ARCHITECTURE.md'), 'utf8').match(/browser-safe \(the webview may bundle them\): ([\w, /-]+?)\s*│/);
    assert.ok(line, 'the diagram has its browser-safe line');
    const documented = line[1].split(',').map((name) => `${name.trim()}.ts`);
    assert.deepEqual([...documented].sort(), [...browserSafePipeline].sort());
  });

  it('only the transport imports the openai package', () => {
    const importers = sourceFiles(src).filter((f) => /from\s+'openai(\/[^']*)?'/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(importers.map((f) => relative(root, f)), ['src/pipeline/openai-client.ts']);
  });

  describe('lint zones fail on a deliberate violation', function () {
    this.timeout(60_000);
    const eslint = new ESLint({ cwd: root });
    const cases: [string, string, RegExp][] = [
      ['src/pipeline/violation.ts', "import { RunService } from '../host/run-service';\nexport const x = RunService;\n", /pure engine/],
      ['src/host/violation.ts', "import { registerModelProvider } from '../models/provider';\nexport const x = registerModelProvider;\n", /below the surfaces/],
      ['src/chat/violation.ts', "import { parseCommand } from '../cli/args';\nexport const x = parseCommand;\n", /leaf/],
      ['src/chat/violation.ts', "import { LanguageModelClient } from '../models/lm-client';\nexport const x = LanguageModelClient;\n", /do not import each other/],
      ['src/eval/violation.ts', "import { RunService } from '../host/run-service';\nexport const x = RunService;\n", /imports nothing above it/],
      ['src/views/webview/violation.ts', "import { EndpointPool } from '../../pipeline/openai-client';\nexport const x = EndpointPool;\n", /browser/],
    ];
    for (const [filePath, code, message] of cases) {
      it(filePath, async () => {
        const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
        const zone = result.messages.filter((m) => m.ruleId === 'import/no-restricted-paths');
        assert.equal(zone.length, 1, JSON.stringify(result.messages));
        assert.match(zone[0].message, message);
      });
    }
    it('allowed imports pass', async () => {
      const [result] = await eslint.lintText("import { foldEvents } from '../../pipeline/trace';\nexport const x = foldEvents;\n", {
        filePath: join(root, 'src/views/webview/fine.ts'),
      });
      assert.deepEqual(result.messages.filter((m) => m.ruleId === 'import/no-restricted-paths'), []);
    });
  });
});
