import { parseArgs } from 'node:util';
import { STRATEGIES, type Strategy } from '../pipeline/config';
import { isStrategy } from '../pipeline/strategies';

export class UsageError extends Error {}

export const USAGE = `Usage:
  smoa run --config FILE --prompt TEXT [--strategy S] [--trace OUT.json] [--roles-cache FILE]
           [--estimate [--json]] [--max-usd N] [--max-tokens N] [--ledger FILE]
  smoa compare --config FILE --prompts FILE.jsonl [--strategies single,moa,smoa] [--json]
  smoa mcp --config FILE [--trace-dir DIR]
  smoa eval --config FILE --tasks FILE [--strategies ...] [--grader exact|rubric|pairwise] [--out DIR] (smoa eval --help)

  --config       JSON config (see README: endpoints, models, proposers, aggregator, ...)
  --prompt       the request; "-" reads it from standard input
  --strategy     ${STRATEGIES.join(' | ')} (overrides the config)
  --trace        write the run's trace (JSON) here, also after a failure or Ctrl-C
  --roles-cache  keep generated roles in this file between runs
  --prompts      JSON Lines: one {"prompt": "..."} object (or JSON string) per line
  --strategies   comma-separated strategies to compare, single:<modelId> for one model alone (default: single,moa,smoa)
  --json         print the comparison (or, with --estimate, the estimate) as JSON
  --estimate     print what the run would use at most, per stage, and send nothing
  --max-usd      stop before a stage that could take the run past N dollars (overrides the config's budget)
  --max-tokens   the same for prompt + completion tokens
  --ledger       add the run's usage to this JSON Lines file (per day, endpoint, model, stage)
  mcp            serve the "consult" tool over MCP on stdio (for agents: see README)
  --trace-dir    mcp: write each consultation's trace there as <run id>.json

Exit codes: 0 success, 1 the run failed, 2 bad usage or config, 130 interrupted.`;

export type Command =
  | { kind: 'help' }
  | {
      kind: 'run';
      config: string;
      prompt: string;
      strategy?: Strategy;
      trace?: string;
      rolesCache?: string;
      estimate?: boolean;
      json?: boolean;
      maxUsd?: number;
      maxTokens?: number;
      ledger?: string;
    }
  /** `strategies` stays text until the config is read: `single:<modelId>` names one of its models. */
  | { kind: 'compare'; config: string; prompts: string; strategies: string; json: boolean; rolesCache?: string }
  | { kind: 'mcp'; config: string; traceDir?: string };

export function parseCommand(argv: string[]): Command {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') return { kind: 'help' };
  // `smoa run --help` asks for the usage, whatever else is on the line.
  if (rest.some((arg) => arg === '--help' || arg === '-h')) return { kind: 'help' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        prompt: { type: 'string' },
        strategy: { type: 'string' },
        trace: { type: 'string' },
        'roles-cache': { type: 'string' },
        prompts: { type: 'string' },
        strategies: { type: 'string' },
        json: { type: 'boolean' },
        'trace-dir': { type: 'string' },
        estimate: { type: 'boolean' },
        'max-usd': { type: 'string' },
        'max-tokens': { type: 'string' },
        ledger: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify.*$/s, ''));
  }
  const need = (name: string): string => {
    const v = values[name];
    if (typeof v !== 'string' || v === '') throw new UsageError(`${verb}: --${name} is required`);
    return v;
  };
  const rolesCache = values['roles-cache'] as string | undefined;
  if (verb !== 'mcp' && values['trace-dir'] !== undefined) throw new UsageError(`${verb}: --trace-dir belongs to "mcp"`);
  if (verb === 'run') {
    for (const flag of ['prompts', 'strategies']) if (values[flag] !== undefined) throw new UsageError(`run: --${flag} belongs to "compare"`);
    if (values.json !== undefined && values.estimate === undefined) throw new UsageError('run: --json goes with --estimate (or "compare")');
    const strategy = values.strategy === undefined ? undefined : readStrategy(values.strategy as string, '--strategy');
    const maxUsd = readNumber(values['max-usd'], '--max-usd', false);
    const maxTokens = readNumber(values['max-tokens'], '--max-tokens', true);
    return {
      kind: 'run',
      config: need('config'),
      prompt: need('prompt'),
      strategy,
      trace: values.trace as string | undefined,
      rolesCache,
      ...(values.estimate ? { estimate: true, json: values.json === true } : {}),
      ...(maxUsd !== undefined ? { maxUsd } : {}),
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      ...(values.ledger !== undefined ? { ledger: values.ledger as string } : {}),
    };
  }
  if (verb === 'compare') {
    for (const flag of ['prompt', 'strategy', 'trace', 'estimate', 'max-usd', 'max-tokens', 'ledger']) if (values[flag] !== undefined) throw new UsageError(`compare: --${flag} belongs to "run"`);
    const list = ((values.strategies as string | undefined) ?? 'single,moa,smoa').split(',').map((s) => s.trim()).filter(Boolean);
    if (list.length === 0) throw new UsageError('compare: --strategies is empty');
    return { kind: 'compare', config: need('config'), prompts: need('prompts'), strategies: list.join(','), json: values.json === true, rolesCache };
  }
  if (verb === 'mcp') {
    const others = ['prompt', 'strategy', 'trace', 'roles-cache', 'prompts', 'strategies', 'json', 'estimate', 'max-usd', 'max-tokens', 'ledger'].filter((f) => values[f] !== undefined);
    if (others.length) throw new UsageError(`mcp: --${others[0]} is not an option of "mcp" (the agent passes the prompt and strategy)`);
    const traceDir = values['trace-dir'] as string | undefined;
    return { kind: 'mcp', config: need('config'), ...(traceDir ? { traceDir } : {}) };
  }
  throw new UsageError(`unknown command "${verb}" (expected run, compare or mcp)`);
}

function readNumber(value: unknown, flag: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (String(value).trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag}: expected a positive ${integer ? 'whole number' : 'number'}, got "${String(value)}"`);
  }
  return n;
}

function readStrategy(value: string, flag: string): Strategy {
  if (isStrategy(value)) return value;
  throw new UsageError(`${flag}: unknown strategy "${value}" (expected ${STRATEGIES.join(', ')})`);
}
