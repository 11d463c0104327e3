/* global console, fetch -- Node globals: the ESLint config declares none for .mjs */
// A hands-on VS Code with SMoA installed: builds and packages the extension, installs it into a fresh code-server
// profile on a copy of test/vscode/sample-workspace (outside the repository, deleted on exit: trying the sandbox never
// changes tracked files), points it at the fake OpenAI server (simulated models) unless OPENAI_BASE_URL
// is set, prints the URL to open, and runs until Ctrl-C.
// The chat opens with `@smoa ` in its input (SMOA_OPEN_CHAT=1 for the extension), so the first question goes to SMoA.
// Usage: npm run sandbox [-- --port 8080] [-- --ttft-ms 250 --tokens-per-second 80]   (options: README, "Try it")
//        OPENAI_BASE_URL=https://api.example.com/v1 OPENAI_API_KEY=... [SMOA_MODELS=m1,m2,m3] npm run sandbox
//        npm run sandbox -- --config smoa.json       (the CLI's config file; keys from the env vars it names)
import process from 'node:process';
import { parseArgs } from 'node:util';
import { startCodeServer } from './code-server.mjs';
import { fakeServerAvailable, startFakeServerProcess } from './fake-server.mjs';
import { ensureInstalled } from './install.mjs';
import { realEndpointSettings, SANDBOX_PACING, sandboxSettings, smoaSettings } from './smoa-settings.mjs';
import { buildAndPackage } from './vsix.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copySampleWorkspace } from './ui/lib/smoa.mjs';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.SMOA_SANDBOX_PORT ?? '8080' },
    // The simulated models are paced like a real endpoint by default, so a run takes a few seconds: long enough to
    // watch each layer arrive and to press Stop. `--tokens-per-second 0` streams as fast as it can.
    'ttft-ms': { type: 'string', default: String(SANDBOX_PACING.ttftMs) },
    'tokens-per-second': { type: 'string', default: String(SANDBOX_PACING.tokensPerSecond) },
    workspace: { type: 'string' },
    config: { type: 'string' },
  },
});

/** A CLI config file becomes `smoa.*` user settings (the extension checks them with the same schema). */
function settingsFromConfigFile(file) {
  const config = JSON.parse(readFileSync(file, 'utf8'));
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [`smoa.${key}`, value]));
}

/**
 * Models on a real OPENAI_BASE_URL: SMOA_MODELS (comma-separated), else the first four the endpoint lists at /models.
 * The first model aggregates and judges.
 */
async function endpointModels(baseURL, apiKey) {
  const listed = process.env.SMOA_MODELS?.split(',').map((m) => m.trim()).filter(Boolean);
  if (listed?.length) return listed;
  const response = await fetch(`${baseURL.replace(/\/$/, '')}/models`, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });
  if (!response.ok) throw new Error(`GET ${baseURL}/models answered HTTP ${response.status}: set SMOA_MODELS=model1,model2,...`);
  const ids = ((await response.json()).data ?? []).map((m) => m.id).filter((id) => typeof id === 'string');
  if (ids.length === 0) throw new Error(`${baseURL}/models lists no models: set SMOA_MODELS=model1,model2,...`);
  return ids.slice(0, 4);
}

/** What the sandbox's first output says about asking: plain chat needs Copilot, which the sandbox does not have. */
const HOW_TO_ASK = [
  'ask in the Chat view: it opens with "@smoa " typed; write a question after it and press Enter, e.g.',
  '  @smoa What is wrong with median in #file:src/stats.ts?',
  'every question starts with @smoa (a message without it goes to Copilot, which is not installed here).',
  'SMoA: Open Trace Panel shows each run live; the sandbox\'s options are in the README ("Try it").',
];

const stops = [];
async function shutdown(code) {
  for (const stop of stops.reverse()) await stop().catch(() => {});
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  ensureInstalled();
  const vsix = buildAndPackage();
  let baseURL = process.env.OPENAI_BASE_URL;
  // The extension opens the chat with `@smoa ` typed (src/chat/open-on-start.ts).
  const env = { SMOA_OPEN_CHAT: '1' };
  let smoa;
  if (args.config) {
    smoa = settingsFromConfigFile(args.config);
    console.log(`[sandbox] models from ${args.config}`);
  } else if (baseURL) {
    const models = await endpointModels(baseURL, process.env.OPENAI_API_KEY);
    smoa = realEndpointSettings(baseURL, models);
    console.log(`[sandbox] using OPENAI_BASE_URL=${baseURL} with ${models.join(', ')} (OPENAI_API_KEY ${process.env.OPENAI_API_KEY ? 'set' : 'NOT set'})`);
  } else if (fakeServerAvailable()) {
    const fake = await startFakeServerProcess({
      ttftMs: Number(args['ttft-ms']),
      tokensPerSecond: Number(args['tokens-per-second']),
      quiet: true,
    });
    stops.push(fake.stop);
    baseURL = fake.url;
    env.OPENAI_API_KEY = 'smoa-sandbox-key';
    console.log(`[sandbox] fake OpenAI server (simulated models) at ${baseURL}: first token after ${args['ttft-ms']} ms, ${args['tokens-per-second']} tokens/s`);
  } else {
    baseURL = 'http://127.0.0.1:9/v1';
    console.log('[sandbox] test/server/main.ts not found and OPENAI_BASE_URL unset: the extension has no reachable endpoint');
  }
  let workspace = args.workspace;
  if (!workspace) {
    const copy = copySampleWorkspace();
    stops.push(async () => copy.remove());
    workspace = copy.dir;
    console.log(`[sandbox] workspace: a copy of test/vscode/sample-workspace in ${workspace} (deleted on exit)`);
  }
  const cs = await startCodeServer({
    workspace,
    port: Number(args.port),
    userSettings: sandboxSettings(smoa ?? smoaSettings(baseURL)),
    installVsix: vsix,
    env,
    quiet: true,
  });
  stops.push(cs.stop);
  console.log(`\n[sandbox] open ${cs.url}/?folder=${encodeURIComponent(cs.workspace)}`);
  for (const line of HOW_TO_ASK) console.log(`[sandbox] ${line}`);
  console.log(`[sandbox] settings: ${join(cs.userDataDir, 'User/settings.json')}`);
  console.log('[sandbox] Ctrl-C to stop (the profile is deleted on exit)\n');
} catch (err) {
  console.error(`[sandbox] FAILED: ${err instanceof Error ? err.message : err}`);
  await shutdown(1);
}
