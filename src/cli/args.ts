import { parseArgs } from 'node:util';
import { STRATEGIES, type Strategy } from '../pipeline/config';
import { isStrategy } from '../pipeline/strategy/traits';
import { GRADERS, type GraderKind } from '../eval/graders';

export class UsageError extends Error {}

export const USAGE = `Usage:
  smoa run --config FILE --prompt TEXT [--strategy S] [--trace OUT.json] [--roles-cache FILE]
           [--estimate [--json]] [--max-usd N] [--max-tokens N] [--ledger FILE]
  smoa compare --config FILE --prompts FILE.jsonl [--strategies single,moa,smoa] [--json]
  smoa mcp --config FILE [--trace-dir DIR]
  smoa eval --config FILE --tasks FILE [--strategies ...] [--grader exact|rubric|pairwise|tests] [--out DIR] (smoa eval --help)
  smoa route build --from DIR [--from DIR ...] [--out router.json]

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
  --router       run: the router file for --strategy route (default: the config's route.file)
  route build    write a router file from evaluation results (--out folders of "smoa eval" with single:<model> rows)

Exit codes: 0 success, 1 the run failed, 2 bad usage or config, 130 interrupted.`;

export type Command =
  /** `verb`: `smoa eval --help` has a usage of its own. */
  | { kind: 'help'; verb?: 'eval' }
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
      router?: string;
    }
  /** `strategies` stays text until the config is read: `single:<modelId>` names one of its models. */
  | { kind: 'compare'; config: string; prompts: string; strategies: string; json: boolean; rolesCache?: string }
  | { kind: 'mcp'; config: string; traceDir?: string }
  | { kind: 'route-build'; from: string[]; out: string }
  | ({ kind: 'eval' } & EvalCommand);

type FlagValues = Record<string, string | boolean | undefined>;
type FlagOptions = Record<string, { type: 'string' | 'boolean' }>;

/** Every subcommand's flags go through here: strict, no positionals, node's message without its hint. */
function readFlags(args: string[], options: FlagOptions, prefix: string): FlagValues {
  try {
    return parseArgs({ args, strict: true, allowPositionals: false, options }).values as FlagValues;
  } catch (err) {
    throw new UsageError(`${prefix}${(err as Error).message.replace(/\. To specify.*$/s, '')}`);
  }
}

function requireFlag(values: FlagValues, verb: string, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`${verb}: --${name} is required`);
  return v;
}

/** Flags `run`/`compare`/`mcp` and `eval` read the same way. */
const SHARED_OPTIONS: FlagOptions = {
  config: { type: 'string' },
  strategies: { type: 'string' },
  json: { type: 'boolean' },
  'max-usd': { type: 'string' },
  'roles-cache': { type: 'string' },
  ledger: { type: 'string' },
};

/** run, compare and mcp share one set of flags, so a flag of another of them gets a message naming its command. */
const RUN_OPTIONS: FlagOptions = {
  ...SHARED_OPTIONS,
  prompt: { type: 'string' },
  strategy: { type: 'string' },
  trace: { type: 'string' },
  prompts: { type: 'string' },
  'trace-dir': { type: 'string' },
  estimate: { type: 'boolean' },
  'max-tokens': { type: 'string' },
  router: { type: 'string' },
};

/**
 * Every subcommand's verb, in the order the usage lists them. A record over Command's kinds, so a command added to the union
 * fails to compile until it is here, and the unknown-command message cannot leave it out.
 */
const SUBCOMMANDS: Record<Exclude<Command['kind'], 'help'>, string> = {
  run: 'run',
  compare: 'compare',
  mcp: 'mcp',
  eval: 'eval',
  'route-build': 'route',
};
export const COMMAND_NAMES = Object.values(SUBCOMMANDS);

export function parseCommand(argv: string[]): Command {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') return { kind: 'help' };
  // `smoa run --help` asks for the usage, whatever else is on the line.
  if (rest.some((arg) => arg === '--help' || arg === '-h')) return verb === 'eval' ? { kind: 'help', verb: 'eval' } : { kind: 'help' };
  if (verb === 'eval') return { kind: 'eval', ...parseEvalArgs(rest) };
  if (verb === 'route') return parseRouteArgs(rest);
  const values = readFlags(rest, RUN_OPTIONS, '');
  const need = (name: string): string => requireFlag(values, verb, name);
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
      ...(values.router !== undefined ? { router: values.router as string } : {}),
    };
  }
  if (verb === 'compare') {
    for (const flag of ['prompt', 'strategy', 'trace', 'estimate', 'max-usd', 'max-tokens', 'ledger', 'router']) if (values[flag] !== undefined) throw new UsageError(`compare: --${flag} belongs to "run"`);
    const list = ((values.strategies as string | undefined) ?? 'single,moa,smoa').split(',').map((s) => s.trim()).filter(Boolean);
    if (list.length === 0) throw new UsageError('compare: --strategies is empty');
    return { kind: 'compare', config: need('config'), prompts: need('prompts'), strategies: list.join(','), json: values.json === true, rolesCache };
  }
  if (verb === 'mcp') {
    const others = ['prompt', 'strategy', 'trace', 'roles-cache', 'prompts', 'strategies', 'json', 'estimate', 'max-usd', 'max-tokens', 'ledger', 'router'].filter((f) => values[f] !== undefined);
    if (others.length) throw new UsageError(`mcp: --${others[0]} is not an option of "mcp" (the agent passes the prompt and strategy)`);
    const traceDir = values['trace-dir'] as string | undefined;
    return { kind: 'mcp', config: need('config'), ...(traceDir ? { traceDir } : {}) };
  }
  throw new UsageError(`unknown command "${verb}" (expected ${COMMAND_NAMES.slice(0, -1).join(', ')} or ${COMMAND_NAMES.at(-1)})`);
}

/** `smoa route build --from DIR... [--out FILE]`. */
function parseRouteArgs(rest: string[]): Command {
  const [action, ...args] = rest;
  if (action !== 'build') throw new UsageError(`route: unknown action "${action ?? ''}" (expected: smoa route build --from DIR [--out router.json])`);
  let parsed;
  try {
    parsed = parseArgs({ args, strict: true, allowPositionals: false, options: { from: { type: 'string', multiple: true }, out: { type: 'string' } } });
  } catch (err) {
    throw new UsageError(`route build: ${(err as Error).message.replace(/\. To specify.*$/s, '')}`);
  }
  const from = (parsed.values.from ?? []).filter((f) => f !== '');
  if (from.length === 0) throw new UsageError('route build: --from is required (an --out folder of "smoa eval"; repeat it for several)');
  return { kind: 'route-build', from, out: parsed.values.out || 'router.json' };
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

export const EVAL_USAGE = `Usage:
  smoa eval --config FILE --tasks FILE [--strategies LIST] [--grader exact|rubric|pairwise|tests] [--grader-model ID]
            [--baseline STRATEGY] [--out DIR] [--json] [--max-usd N] [--concurrency N] [--repeat N] [--seed N]
            [--fail-below [STRATEGY=]SCORE] [--turn N] [--roles-cache FILE] [--ledger FILE] [--route-folds K]

  --tasks         JSON Lines ({"id","prompt"|"turns","reference","match","category","tests","language"}, GSM8K
                  test.jsonl, MT-Bench question.jsonl, HumanEval, MBPP) or a JSON array (AlpacaEval, with "output")
  --strategies    comma-separated: smoa, moa, single, ..., single:<modelId> (default: smoa,moa,single)
  --grader        exact (needs "reference" on every task), rubric (1-5 on six aspects), pairwise (win rate
                  against --baseline, both orders) or tests (runs the answer's code with the task's tests: pass@1);
                  default: tests when every task has tests, else exact when every task has a reference, else rubric
  --grader-model  model id from the config that grades (default: the judge, else the aggregator)
  --baseline      strategy the pairwise grader compares with, run too (default: single); "reference": each task's
                  reference output (AlpacaEval "output"; the default when every task has one), reported as the win
                  rate and the length-controlled win rate
  --out DIR       write answers, grades, traces (JSONL), report.md, report.svg; rerun with the same DIR to resume
                  (one evaluation at a time per DIR)
  --json          print the summary as JSON on stdout
  --max-usd N     a hard limit: each run holds its upper bound before it starts (runs that do not fit are
                  reported as not run), every call within it reserves its own (budgets as reservations)
  --ledger FILE   add every run's usage to this JSON Lines file, as "smoa run --ledger" does
  --concurrency   runs at a time (default 2)
  --repeat N      ask every task N times per strategy (default 1); --seed N sets the judge seed of repeat 1
  --fail-below    exit 1 when a strategy's score is lower (rubric 1-5, others 0-1); "smoa=0.8,moa=0.7" or one number for all
  --turn N        multi-turn tasks (MT-Bench): grade only turn N (default: every turn; earlier turns are still asked,
                  each strategy continuing its own conversation)
  --route-folds K with "route" among the strategies: split the tasks into K folds (default 2); each fold is routed by
                  a router built from the other folds' single:<model> results, so route is never graded on a task it
                  learned from; the report compares it with the best fixed strategy on score, calls and cost

Exit codes: 0 done, 1 every run failed / a --fail-below threshold missed / stopped by --max-usd / results could not
be saved, 2 bad usage, config, task file or --out, 130 interrupted (finished results are kept; rerun with the same --out to resume).`;

export interface EvalCommand {
  config: string;
  tasks: string;
  strategies?: string;
  grader?: GraderKind;
  graderModel?: string;
  baseline?: string;
  out?: string;
  json: boolean;
  maxUsd?: number;
  concurrency: number;
  repeat: number;
  seed?: number;
  failBelow?: string;
  turn?: number;
  rolesCache?: string;
  ledger?: string;
  routeFolds?: number;
}

const EVAL_OPTIONS: FlagOptions = {
  ...SHARED_OPTIONS,
  tasks: { type: 'string' },
  grader: { type: 'string' },
  'grader-model': { type: 'string' },
  baseline: { type: 'string' },
  out: { type: 'string' },
  concurrency: { type: 'string' },
  repeat: { type: 'string' },
  seed: { type: 'string' },
  'fail-below': { type: 'string' },
  turn: { type: 'string' },
  'route-folds': { type: 'string' },
};

export function parseEvalArgs(argv: string[]): EvalCommand {
  const values = readFlags(argv, EVAL_OPTIONS, 'eval: ');
  const need = (name: string): string => requireFlag(values, 'eval', name);
  const num = (name: string, check: (n: number) => boolean, what: string): number | undefined => {
    const v = values[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`eval: --${name} must be ${what}, got "${String(v)}"`);
    return n;
  };
  const grader = values.grader as string | undefined;
  if (grader !== undefined && !(GRADERS as readonly string[]).includes(grader)) {
    throw new UsageError(`eval: --grader must be one of ${GRADERS.join(', ')}, got "${grader}"`);
  }
  return {
    config: need('config'),
    tasks: need('tasks'),
    ...(values.strategies !== undefined ? { strategies: values.strategies as string } : {}),
    ...(grader ? { grader: grader as GraderKind } : {}),
    ...(values['grader-model'] !== undefined ? { graderModel: values['grader-model'] as string } : {}),
    ...(values.baseline !== undefined ? { baseline: values.baseline as string } : {}),
    ...(values.out !== undefined ? { out: values.out as string } : {}),
    json: values.json === true,
    ...optional('maxUsd', num('max-usd', (n) => n > 0, 'a positive number of US dollars')),
    concurrency: num('concurrency', (n) => Number.isInteger(n) && n >= 1 && n <= 64, 'a whole number from 1 to 64') ?? 2,
    repeat: num('repeat', (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'a whole number from 1 to 100') ?? 1,
    ...optional('seed', num('seed', (n) => Number.isInteger(n), 'a whole number')),
    ...(values['fail-below'] !== undefined ? { failBelow: values['fail-below'] as string } : {}),
    ...optional('turn', num('turn', (n) => Number.isInteger(n) && n >= 1, 'a whole number from 1')),
    ...(values['roles-cache'] !== undefined ? { rolesCache: values['roles-cache'] as string } : {}),
    ...(values.ledger !== undefined ? { ledger: values.ledger as string } : {}),
    ...optional('routeFolds', num('route-folds', (n) => Number.isInteger(n) && n >= 2 && n <= 20, 'a whole number from 2 to 20')),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

