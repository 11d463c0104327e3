import { createClientFactory, EndpointPool } from '../pipeline/client-factory';
import { applyStrategySpec, parseStrategySpecs } from '../pipeline/strategy/spec';
import { describeJudgeBias, judgeBias, type JudgeBias } from '../pipeline/judge/bias';
import { MemoryRoleCache } from '../pipeline/roles/prompt';
import { startRun } from '../pipeline/start-run';
import { onInterrupt } from './interrupt';
import { UsageError, type Command } from './args';
import { formatCount, formatCost, formatMs } from '../pipeline/format';
import { table } from './format';
import { checkApiKeys, FileRoleCache, readConfigFile, readPromptsFile } from './io';

interface Row {
  /** The strategy as given: `smoa`, or `single:<modelId>`. */
  strategy: string;
  prompt: number;
  status: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd?: number;
  wallMs: number;
  firstAnswerTokenMs?: number;
  /** The judge's position and length figures for this run (judgeBias), when it voted. */
  judgeBias?: JudgeBias;
}

/** Runs every prompt under every strategy, one run at a time so wall times are comparable. */
export async function runCompare(command: Extract<Command, { kind: 'compare' }>): Promise<number> {
  const config = readConfigFile(command.config);
  checkApiKeys(config);
  const parsed = parseStrategySpecs(command.strategies, config);
  if (!parsed.ok) throw new UsageError(`compare: --strategies: ${parsed.message}`);
  const specs = parsed.specs;
  const prompts = readPromptsFile(command.prompts);
  const interrupt = onInterrupt('interrupted: cancelling the run in progress; the table shows what finished');
  const pool = new EndpointPool();
  const roleCache = command.rolesCache ? new FileRoleCache(command.rolesCache) : new MemoryRoleCache();
  const rows: Row[] = [];
  for (const spec of specs) {
    const { config: runConfig, strategy } = applyStrategySpec(config, spec);
    for (const [i, prompt] of prompts.entries()) {
      if (interrupt.signal.aborted) break;
      process.stderr.write(`· ${spec.label}: prompt ${i + 1}/${prompts.length}\n`);
      const { result, trace } = await startRun(runConfig, { prompt, strategy }, {
        clientFor: createClientFactory(runConfig, pool),
        signal: interrupt.signal,
        roleCache,
      }).finished;
      const bias = judgeBias(trace.layers);
      if (result.status === 'failed') process.stderr.write(`  failed: ${result.error}\n`);
      rows.push({
        strategy: spec.label,
        prompt: i + 1,
        status: result.status,
        calls: result.totals.calls,
        promptTokens: result.totals.promptTokens,
        completionTokens: result.totals.completionTokens,
        ...(result.totals.cost ? { costUsd: result.totals.cost.usd } : {}),
        wallMs: result.totals.wallMs,
        ...(result.totals.firstAnswerTokenMs !== undefined ? { firstAnswerTokenMs: result.totals.firstAnswerTokenMs } : {}),
        ...(bias ? { judgeBias: bias } : {}),
      });
    }
  }
  interrupt.release();
  if (command.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  else process.stdout.write(renderTables(rows, specs.map((s) => s.label)) + '\n');
  if (interrupt.signal.aborted) return 130;
  return rows.some((r) => r.status !== 'ok') ? 1 : 0;
}

function renderTables(rows: Row[], strategies: string[]): string {
  const headers = ['prompt', 'status', 'calls', 'prompt tok', 'completion tok', 'cost', 'wall', 'first token'];
  const cells = (r: Omit<Row, 'strategy' | 'prompt' | 'status'> & { label: string; status: string }) => [
    r.label,
    r.status,
    String(r.calls),
    formatCount(r.promptTokens),
    formatCount(r.completionTokens),
    r.costUsd === undefined ? '-' : formatCost({ cost: { usd: r.costUsd, complete: true } }),
    formatMs(r.wallMs),
    formatMs(r.firstAnswerTokenMs),
  ];
  return strategies
    .map((strategy) => {
      const mine = rows.filter((r) => r.strategy === strategy);
      if (mine.length === 0) return `${strategy}: not run`;
      const sum = (f: (r: Row) => number) => mine.reduce((s, r) => s + f(r), 0);
      const firsts = mine.filter((r) => r.firstAnswerTokenMs !== undefined);
      const total = {
        label: 'total',
        status: `${mine.filter((r) => r.status === 'ok').length}/${mine.length} ok`,
        calls: sum((r) => r.calls),
        promptTokens: sum((r) => r.promptTokens),
        completionTokens: sum((r) => r.completionTokens),
        ...(mine.some((r) => r.costUsd !== undefined) ? { costUsd: sum((r) => r.costUsd ?? 0) } : {}),
        wallMs: sum((r) => r.wallMs),
        ...(firsts.length ? { firstAnswerTokenMs: firsts.reduce((s, r) => s + r.firstAnswerTokenMs!, 0) / firsts.length } : {}),
      };
      const body = [...mine.map((r) => cells({ ...r, label: `#${r.prompt}` })), cells(total)];
      const bias = sumBias(mine.map((r) => r.judgeBias));
      const biasLines = bias ? `\njudge bias: ${describeJudgeBias(bias).join('\n            ')}` : '';
      return `== ${strategy} ==  (first token in the total row is the mean)\n${table(headers, body)}${biasLines}`;
    })
    .join('\n\n');
}

/** The judge's figures over several runs: every count adds up. */
function sumBias(all: (JudgeBias | undefined)[]): JudgeBias | undefined {
  const present = all.filter((b): b is JudgeBias => !!b);
  if (!present.length) return undefined;
  const sum = { ...present[0] };
  for (const b of present.slice(1)) for (const key of Object.keys(sum) as (keyof JudgeBias)[]) sum[key] += b[key];
  return sum;
}
