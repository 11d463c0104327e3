import js from '@eslint/js';
import importPlugin from 'eslint-plugin-import';
import tseslint from 'typescript-eslint';

/**
 * Layers (docs/ARCHITECTURE.md): commands / chat / views / models -> host -> pipeline, and no surface imports another.
 * The pipeline is pure; the CLI is a leaf; the webview runs in a browser and may import only the engine's browser-safe
 * modules and its protocol.
 * test/unit/architecture.test.ts checks the same zones and that no two top-level folders of src import each other.
 */
const surfaces = ['./src/chat', './src/views', './src/models', './src/commands'];
/** Engine modules with no Node or SDK dependency, which the webview may bundle. */
export const browserSafePipeline = ['strategy/traits.ts', 'events.ts', 'trace.ts', 'coalesce.ts', 'format.ts', 'judge/bias.ts'];
/** Evaluation modules the results view may bundle: the report's numbers and formatting, no Node, no graders. */
export const browserSafeEval = ['report.ts', 'chart.ts', 'jury.ts', 'kinds.ts', 'records.ts', 'stats.ts', 'verdict.ts', 'length-controlled.ts', 'code-block.ts', 'route-report.ts'];

const layerZones = [
  {
    target: './src/pipeline',
    from: ['./src/host', './src/cli', './src/cli.ts', './src/extension.ts', ...surfaces],
    message: 'src/pipeline is the pure engine: it imports nothing from the rest of src.',
  },
  {
    target: './src/host',
    from: ['./src/cli', './src/cli.ts', './src/extension.ts', ...surfaces],
    message: 'src/host is below the surfaces: pass what it needs in from extension.ts instead.',
  },
  {
    target: './src/!(cli)/**/*',
    from: './src/cli',
    message: 'The CLI is a leaf: move what others need into src/pipeline (or a shared browser-safe module).',
  },
  {
    target: './src/eval',
    from: ['./src/host', './src/cli', './src/cli.ts', './src/extension.ts', ...surfaces],
    message: 'src/eval (the evaluation harness) sits on the engine: it imports nothing above it.',
  },
  // Surfaces sit side by side: what two of them share belongs in host (or the engine), so each can change alone.
  ...surfaces.map((surface) => ({
    target: surface,
    from: surfaces.filter((other) => other !== surface),
    message: 'Surfaces (chat, views, models, commands) do not import each other: move what they share into src/host.',
  })),
  {
    target: './src/views/webview',
    from: './src',
    except: [
      './views/webview',
      './views/protocol.ts',
      './views/parse.ts',
      './views/event-schema.ts',
      './views/dense-estimate.ts',
      './views/eval-protocol.ts',
      './views/mcp-app-protocol.ts',
      ...browserSafeEval.map((f) => `./eval/${f}`),
      ...browserSafePipeline.map((f) => `./pipeline/${f}`),
    ],
    message: 'The webview runs in a browser: it may import only browser-safe engine modules and its protocol.',
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'media/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.js', '.mjs'] } } },
    rules: {
      'import/no-restricted-paths': ['error', { zones: layerZones }],
    },
  },
  {
    files: ['src/pipeline/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/pipeline is pure: it must not import vscode.' }] }],
    },
  },
  {
    files: ['src/eval/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/eval runs in the CLI too: it must not import vscode.' }] }],
    },
  },
);
