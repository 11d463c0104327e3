import { readFileSync } from 'node:fs';
import { guardProcessOutput } from './cli/output-guard';
import { secrets } from './pipeline/secrets';
import { join } from 'node:path';
import { parseCommand, UsageError, USAGE, type Command } from './cli/args';
import { runCompare } from './cli/compare';
import { serveMcp } from './cli/mcp';
import { runEvalCommand } from './cli/eval';
import { checkApiKeys, FileRoleCache, readConfigFile, writeTrace } from './cli/io';
import { ProgressNarrator } from './pipeline/narrator';
import { formatUsd, summarizeTotals } from './pipeline/format';
import { table } from './cli/format';
import { FileLedgerStorage } from './cli/ledger-file';
import { Ledger } from './host/ledger';
import { withBudget } from './pipeline/budget';
import { describeEstimate, estimateRun, type RunEstimate } from './pipeline/estimate';
import type { SmoaEvent } from './pipeline/events';
import { createClientFactory, EndpointPool } from './pipeline/clients';
import { runPipeline } from './pipeline/engine';
import { MemoryRoleCache } from './pipeline/roles';
import { applyEvent, emptyTrace } from './pipeline/trace';

/** package.json's version, written into dist/cli.js by esbuild (`define`); undefined when run from source. */
declare const SMOA_BUILD_VERSION: string | undefined;

/** The MCP server tells clients its version: the bundle's own, or package.json's when run from source (tsx). */
function smoaVersion(): string {
  if (typeof SMOA_BUILD_VERSION === 'string') return SMOA_BUILD_VERSION;
  return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** `smoa run`, `smoa compare` and `smoa mcp` on the same engine as the extension. */
async function main(argv: string[]): Promise<number> {
  guardProcessOutput();
  secrets.registerEnvironment(process.env);
  if (argv[0] === 'eval') {
    try {
      return await runEvalCommand(argv.slice(1));
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      process.stderr.write(`smoa: ${err.message}\n\nRun "smoa eval --help" for its options.\n`);
      return 2;
    }
  }
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`smoa: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    if (command.kind === 'mcp') return await serveMcp(command, smoaVersion());
    return command.kind === 'run' ? await run(command) : await runCompare(command);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`smoa: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

async function run(command: Extract<Command, { kind: 'run' }>): Promise<number> {
  // --max-usd / --max-tokens override the config's budget, each on its own.
  const config = withBudget(readConfigFile(command.config), { maxUsd: command.maxUsd, maxTokens: command.maxTokens });
  const prompt = command.prompt === '-' ? readFileSync(0, 'utf8') : command.prompt;
  if (prompt.trim() === '') throw new UsageError('--prompt is empty');
  if (command.estimate) {
    const estimate = estimateRun(config, { prompt }, command.strategy ? { strategy: command.strategy } : {});
    process.stdout.write(command.json ? `${JSON.stringify(estimateJson(estimate))}\n` : `${estimateTable(estimate)}\n`);
    return 0;
  }
  checkApiKeys(config);

  const controller = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130); // a second Ctrl-C does not wait for the cleanup
    interrupted = true;
    process.stderr.write('\nsmoa: interrupted, cancelling every request...\n');
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  const trace = emptyTrace();
  const events: SmoaEvent[] = [];
  const narrator = new ProgressNarrator();
  const result = await runPipeline(config, { prompt, strategy: command.strategy }, {
    clientFor: createClientFactory(config, new EndpointPool()),
    signal: controller.signal,
    roleCache: command.rolesCache ? new FileRoleCache(command.rolesCache) : new MemoryRoleCache(),
    onEvent: (event) => {
      applyEvent(trace, event);
      if (command.ledger && (event.type === 'call-started' || event.type === 'call-done' || event.type === 'call-failed')) events.push(event);
      if (event.type === 'answer-token') process.stdout.write(event.text);
      // A retried aggregator streams again from the start; what was printed stays, separated, and stderr says why.
      if (event.type === 'answer-reset') {
        process.stdout.write('\n\n');
      }
      const line = narrator.describe(event);
      if (line) process.stderr.write(`· ${line}\n`);
    },
  });
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigint);

  // The aggregator failed but a kept proposal stands in: print it, clearly labelled on stderr.
  if (result.status === 'failed' && result.answer && trace.answer !== result.answer) process.stdout.write(result.answer);
  if (result.answer && !result.answer.endsWith('\n')) process.stdout.write('\n');
  if (command.trace) {
    writeTrace(command.trace, trace);
    process.stderr.write(`smoa: trace written to ${command.trace}\n`);
  }
  if (command.ledger) {
    try {
      await new Ledger(new FileLedgerStorage(command.ledger)).recordRun(config, events);
    } catch (err) {
      process.stderr.write(`smoa: --ledger: could not add this run to ${command.ledger}: ${(err as Error).message}\n`);
    }
  }
  if (result.answerSource) process.stderr.write(`smoa: answer is the ${result.answerSource}\n`);
  process.stderr.write(`smoa: ${result.status}: ${summarizeTotals(result.totals)}\n`);
  if (result.status === 'cancelled') return 130;
  if (result.status === 'failed') {
    process.stderr.write(`smoa: run failed: ${result.error}\n`);
    return 1;
  }
  return 0;
}

function estimateJson(e: RunEstimate) {
  return {
    calls: e.calls,
    promptTokens: e.promptTokens,
    completionTokens: e.completionTokens,
    costUsd: e.costUsd,
    unbounded: e.unbounded,
    stages: e.stages.map((s) => ({ stage: s.label, calls: s.calls, promptTokens: s.promptTokens, completionTokens: s.completionTokens, costUsd: s.costUsd })),
  };
}

function estimateTable(e: RunEstimate): string {
  const num = (n: number | null) => (n === null ? 'unbounded' : n.toLocaleString('en-US'));
  const usd = (s: { costUsd: number | null; completionTokens: number | null }) => (s.costUsd !== null ? formatUsd(s.costUsd) : s.completionTokens === null ? '-' : 'no price');
  const rows = e.stages.map((s) => [s.label, String(s.calls), num(s.promptTokens), num(s.completionTokens), usd(s)]);
  rows.push(['total', String(e.calls), num(e.promptTokens), num(e.completionTokens), usd(e)]);
  return [
    `Estimate for strategy ${e.strategy} (upper bounds; nothing was sent):`,
    table(['stage', 'calls', 'prompt tokens', 'completion tokens', 'cost'], rows),
    `In short: ${describeEstimate(e)}.`,
  ].join('\n');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`smoa: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
