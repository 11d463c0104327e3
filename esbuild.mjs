// Builds every bundle of the project. A missing entry point fails the build: skipping it would leave an old bundle
// in dist/ (a renamed src/cli.ts once kept a stale dist/cli.js while the build stayed green).
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
};

/** Node bundles: the extension (vscode is provided by the host), the CLI. */
const nodeTargets = [
  { entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  {
    entryPoints: ['src/cli.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    // The CLI (the MCP server's version) knows its version without a package.json beside the bundle.
    define: { SMOA_BUILD_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  },
].map((t) => ({ ...common, platform: 'node', format: 'cjs', target: 'node20', ...t }));

/** Browser bundles, side by side under src/views/webview/: the trace panel's app and the evaluation view's, loaded from media/dist. */
const browserTargets = [
  { entryPoints: ['src/views/webview/trace/main.ts'], outfile: 'media/dist/panel.js' },
  { entryPoints: ['src/views/webview/eval/main.ts'], outfile: 'media/dist/eval.js' },
].map((t) => ({ ...common, platform: 'browser', format: 'iife', target: 'es2022', ...t }));

/**
 * The MCP App of `consult` (the trace view agents' hosts show inline): one self-contained HTML document, served by
 * `smoa mcp` as `ui://smoa/consult-trace.html`. Script and styles are inline and allowed by their hashes alone; the
 * policy allows nothing remote and no other script or style. Always minified: it travels in every resources/read.
 */
const mcpApp = {
  entry: 'src/views/webview/mcp-app/main.ts',
  styles: ['media/panel.css', 'media/mcp-app.css'],
  outfile: 'dist/mcp-app.html',
};

async function buildMcpApp() {
  const result = await esbuild.build({
    ...common,
    entryPoints: [mcpApp.entry],
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    write: false,
    define: { SMOA_BUILD_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  });
  const script = result.outputFiles[0].text;
  const style = mcpApp.styles.map((f) => readFileSync(f, 'utf8')).join('\n');
  if (/<\/script/i.test(script) || /<\/style/i.test(style)) throw new Error(`${mcpApp.outfile}: a closing tag inside the inline script or style`);
  const hash = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
  const csp = [
    "default-src 'none'",
    `script-src ${hash(script)}`,
    `style-src ${hash(style)}`,
    'img-src data:',
    "font-src 'none'",
    "connect-src 'none'",
    "frame-src 'none'",
    "object-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
  const html = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="UTF-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
    '<title>SMoA consultation</title>',
    `<style>${style}</style>`,
    '</head>',
    '<body class="mcp-app">',
    '<div id="app"></div>',
    `<script>${script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
  mkdirSync('dist', { recursive: true });
  writeFileSync(mcpApp.outfile, html);
}

/** Extension-host test suites (run inside a real VS Code), compiled to out/test. */
const suiteDir = 'test/vscode/suite';
const suiteTargets = existsSync(suiteDir)
  ? [
      {
        ...common,
        minify: false,
        sourcemap: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        entryPoints: readdirSync(suiteDir)
          .filter((f) => f.endsWith('.ts'))
          .map((f) => `${suiteDir}/${f}`),
        outdir: 'out/test/suite',
        external: ['vscode', 'mocha'],
      },
    ]
  : [];

const targets = [...nodeTargets, ...browserTargets, ...suiteTargets];
const missing = [...targets.flatMap((t) => t.entryPoints), mcpApp.entry, ...mcpApp.styles].filter((e) => !existsSync(e));
if (missing.length) {
  console.error(`build: entry point(s) not found: ${missing.join(', ')} (renamed or deleted? update esbuild.mjs)`);
  process.exit(1);
}

/** Prints the lines the esbuild problem matcher of .vscode/tasks.json waits for, on every rebuild. */
const watchReporter = {
  name: 'watch-reporter',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

if (watch) {
  const contexts = await Promise.all(targets.map((t) => esbuild.context({ ...t, plugins: [watchReporter] })));
  await Promise.all(contexts.map((c) => c.watch()));
  // The App's HTML is written once per watch start; `npm run build` refreshes it.
  await buildMcpApp();
} else {
  await Promise.all([...targets.map((t) => esbuild.build(t)), buildMcpApp()]);
}
