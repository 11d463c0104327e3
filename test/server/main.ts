/**
 * Runs the fake OpenAI-compatible server on its own, for the sandbox demo, manual poking and the VS Code
 * integration tests (which start it as a child process and read the URL from the first line of stdout).
 *
 *   node --import tsx test/server/main.ts [--port 8000] [--ttft-ms 300] [--tps 40] [--api-key KEY] [--quiet]
 *     [--record FILE]   (appends each request's model, whether it asked for JSON, and its messages to FILE as JSON Lines, for UI tests to assert on)
 */
import { parseArgs } from 'node:util';
import { appendFileSync } from 'node:fs';
import { startFakeServer } from './fake-openai';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'ttft-ms': { type: 'string' },
      tps: { type: 'string' },
      'tokens-per-second': { type: 'string' }, // long spelling, used by test/vscode
      'api-key': { type: 'string' },
      'no-response-format': { type: 'boolean', default: false },
      // A constrained decoder choosing any schema-valid value (repeats, any enum member), seeded.
      'free-decoder': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      record: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: node --import tsx test/server/main.ts [--port N] [--ttft-ms MS] [--tps N (0 = unlimited)] [--api-key KEY] [--no-response-format] [--free-decoder SEED] [--quiet]',
    );
    return;
  }
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} expects a non-negative number, got "${v}"`);
    return n;
  };
  const tps = num('tps', values.tps ?? values['tokens-per-second']);
  const server = await startFakeServer({
    port: num('port', values.port),
    ttftMs: num('ttft-ms', values['ttft-ms']),
    tokensPerSecond: tps === 0 ? Infinity : tps,
    apiKey: values['api-key'],
    supportsResponseFormat: !values['no-response-format'],
    ...(values['free-decoder'] !== undefined ? { decoder: { mode: 'free' as const, seed: num('free-decoder', values['free-decoder']) ?? 0 } } : {}),
    responder:
      values.quiet && !values.record
        ? undefined
        : (req) => {
            // Log and record only; returning undefined keeps the default answer.
            if (values.record) appendFileSync(values.record, `${JSON.stringify({ model: req.model, json: !!req.responseFormat, messages: req.messages })}\n`);
            if (values.quiet) return undefined;
            const json = req.responseFormat ? ' json' : '';
            console.log(`#${req.id} ${req.model}${req.stream ? ' stream' : ''}${json} (${req.messages.length} messages)`);
            return undefined;
          },
  });
  // Handlers go in before the URL is printed: a caller may signal us the moment it reads the URL.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // The URL must be the first thing printed: callers scan the output for it.
  console.log(server.url);
  if (!values.quiet) console.log('fake OpenAI-compatible server ready (Ctrl+C to stop)');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
