import { readFileSync } from 'node:fs';
import { guardProcessOutput } from './cli/output-guard';
import { secrets } from './pipeline/secrets';
import { join } from 'node:path';
import { EVAL_USAGE, parseCommand, UsageError, USAGE, type Command } from './cli/args';
import { runCompare } from './cli/compare';
import { serveMcp } from './cli/mcp';
import { runEvalCommand } from './cli/eval';
import { readRouterFile, runRouteBuild } from './cli/route';
import { checkApiKeys, FileRoleCache, readConfigFile, writeTrace } from './cli/io';
import { ProgressNarrator } from './pipeline/narrator';
import { formatUsd } from './pipeline/format';
import { table } from './cli/format';
import { FileLedgerStorage } from './host/ledger-file';
import { Ledger } from './host/ledger';
import { budgetCaps, withBudget, type BudgetVerdict } from './pipeline/budget';
import type { SmoaConfig } from './pipeline/config';
import { describeEstimate, estimateRun, type RunEstimate } from './pipeline/estimate';
import type { SmoaEvent } from './pipeline/events';
import { createClientFactory, EndpointPool } from './pipeline/client-factory';
import { startRun } from './pipeline/start-run';
import { MemoryRoleCache } from './pipeline/roles/prompt';
import { onInterrupt } from './cli/interrupt';

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
  // eval's usage is long: a usage error there points at `smoa eval --help` instead of printing it.
  const usageHint = (verb: string | undefined) => (verb === 'eval' ? EVAL_HINT : USAGE);
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`smoa: ${err.message}\n\n${usageHint(argv[0])}\n`);
      return 2;
    }
    throw err;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${command.verb === 'eval' ? EVAL_USAGE : USAGE}\n`);
    return 0;
  }
  try {
    switch (command.kind) {
      case 'mcp':
        return await serveMcp(command, smoaVersion());
      case 'eval':
        return await runEvalCommand(command);
      case 'compare':
        return await runCompare(command);
      case 'run':
        return await run(command);
      case 'route-build':
        return await runRouteBuild(command);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`smoa: ${err.message}\n${command.kind === 'eval' ? `\n${EVAL_HINT}\n` : ''}`);
      return 2;
    }
    throw err;
  }
}

const EVAL_HINT = 'Run "smoa eval --help" for its options.';

async function run(command: Extract<Command, { kind: 'run' }>): Promise<number> {
  // --max-usd / --max-tokens override the config's budget, each on its own.
  const config = withBudget(readConfigFile(command.config), { maxUsd: command.maxUsd, maxTokens: command.maxTokens });
  const prompt = command.prompt === '-' ? readFileSync(0, 'utf8') : command.prompt;
  if (prompt.trim() === '') throw new UsageError('--prompt is empty');
  if (command.estimate) {
    const router = routerFor(command, config);
    const estimate = estimateRun(config, { prompt }, { ...(command.strategy ? { strategy: command.strategy } : {}), ...(router ? { router } : {}) });
    // With a budget: the completion cap it would impose on every call so that the whole run fits.
    const strategy = command.strategy ?? config.strategy;
    const caps = strategy === 'route' ? undefined : budgetCaps(config, { prompt }, strategy);
    const budget = caps ? (caps.ok ? { cap: caps.cap ?? null } : { cap: null, doesNotFit: caps.reason }) : undefined;
    process.stdout.write(
      command.json
        ? `${JSON.stringify({ ...estimateJson(estimate), ...(budget ? { budget } : {}) })}\n`
        : `${estimateTable(estimate)}\n${caps ? `${describeCaps(config, caps)}\n` : ''}`,
    );
    return 0;
  }
  checkApiKeys(config);

  const router = routerFor(command, config);
  const interrupt = onInterrupt('interrupted, cancelling every request...');
  const events: SmoaEvent[] = [];
  const narrator = new ProgressNarrator();
  const { result, trace, summary } = await startRun(config, { prompt, strategy: command.strategy }, {
    clientFor: createClientFactory(config, new EndpointPool()),
    signal: interrupt.signal,
    roleCache: command.rolesCache ? new FileRoleCache(command.rolesCache) : new MemoryRoleCache(),
    ...(router ? { router } : {}),
    onEvent: (event) => {
      if (command.ledger && (event.type === 'call-started' || event.type === 'call-done' || event.type === 'call-failed')) events.push(event);
      if (event.type === 'answer-token') process.stdout.write(event.text);
      // A retried aggregator streams again from the start; what was printed stays, separated, and stderr says why.
      if (event.type === 'answer-reset') {
        process.stdout.write('\n\n');
      }
      const line = narrator.describe(event);
      if (line) process.stderr.write(`· ${line}\n`);
    },
  }).finished.finally(() => interrupt.release());

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
  process.stderr.write(`smoa: ${result.status}: ${summary}\n`);
  if (result.status === 'cancelled') return 130;
  if (result.status === 'failed') {
    process.stderr.write(`smoa: run failed: ${result.error}\n`);
    return 1;
  }
  return 0;
}

/** Only a route run reads the router: --router, else the config's route.file. */
function routerFor(command: Extract<Command, { kind: 'run' }>, config: SmoaConfig) {
  const strategy = command.strategy ?? config.strategy;
  return strategy === 'route' ? readRouterFile(command.router ?? (config.route.file || undefined)) : undefined;
}

function describeCaps(config: SmoaConfig, caps: BudgetVerdict): string {
  const limits = [config.budget?.maxTokens !== undefined ? `${config.budget.maxTokens.toLocaleString('en-US')} tokens` : '', config.budget?.maxUsd !== undefined ? formatUsd(config.budget.maxUsd) : '']
    .filter(Boolean)
    .join(', ');
  if (!caps.ok) return `Budget (${limits}): the whole run does not fit even with short answers (${caps.reason}); later stages would be dropped.`;
  if (caps.cap === undefined) return `Budget (${limits}): the whole run fits at the models' own maxTokens.`;
  return `Budget (${limits}): every call's completion would be capped at ${caps.cap.toLocaleString('en-US')} tokens (sent as max_tokens) so the whole run fits.`;
}

function estimateJson(e: RunEstimate) {
  return {
    calls: e.calls,
    promptTokens: e.promptTokens,
    completionTokens: e.completionTokens,
    costUsd: e.costUsd,
    ...(e.route ? { route: e.route } : {}),
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
