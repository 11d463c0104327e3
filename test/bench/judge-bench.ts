/**
 * What the judge costs in tokens, and whether it ever needs its fallback rule. SMoA's saving over dense MoA comes from
 * the later layers and the aggregator seeing k answers instead of n, minus the judge, which reads all n; the judge's
 * own writing (reason, notes, stop) is the part the settings `judgeReasons` and `judgeNotes` control.
 */
import { defaultReply, startFakeServer, type FakeRequest, type FakeServer, type PromptBilling, type Responder } from '../server/fake-openai';
import { createClientFactory, EndpointPool } from '../../src/pipeline/client-factory';
import { loadConfig, type SmoaConfigInput, type Strategy } from '../../src/pipeline/config';
import { runPipeline } from '../../src/pipeline/engine';
import type { SmoaEvent } from '../../src/pipeline/events';
import { MemoryRoleCache, ROLE_WORDS } from '../../src/pipeline/roles/prompt';
import { JUDGE_NOTE_LIMITS, JUDGE_REASON_WORDS } from '../../src/pipeline/judge/prompt';
import { foldEvents, type Trace } from '../../src/pipeline/trace';
import { table } from '../../src/cli/format';

const MODELS = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'];
const PROMPTS = [
  'How do I reverse a linked list in place?',
  'Explain the CAP theorem with an example.',
  'What are the trade-offs of optimistic locking?',
  'Write a function that debounces another function in TypeScript.',
  'Why is floating point addition not associative?',
];

/**
 * Answer length: the fake server's own short answers (~60 tokens), or every model writing up to its cap: proposers and
 * the aggregator to 400 tokens, the role writer and the judge to the lengths their instructions allow (see atCaps).
 */
type Size = 'short' | 'long';

function configFor(server: FakeServer, overrides: Partial<SmoaConfigInput>, size: Size = 'short') {
  return loadConfig({
    endpoints: [{ id: 'local', baseURL: server.url, maxConcurrency: 32, timeoutMs: 30_000 }],
    models: MODELS.map((m) => ({ id: m, endpoint: 'local', model: m, ...(size === 'long' ? { maxTokens: 400 } : {}) })),
    proposers: MODELS,
    aggregator: 'm1',
    judge: 'm2',
    layers: 3,
    topK: 2,
    earlyStop: false,
    roles: 'auto',
    taskDescription: 'Answer programming questions',
    ...overrides,
  });
}

async function run(server: FakeServer, overrides: Partial<SmoaConfigInput>, prompt: string, pool: EndpointPool, cache: MemoryRoleCache, size: Size = 'short'): Promise<Trace> {
  const config = configFor(server, overrides, size);
  const events: SmoaEvent[] = [];
  await runPipeline(config, { prompt }, { clientFor: createClientFactory(config, pool), roleCache: cache, onEvent: (e) => events.push(e) });
  return foldEvents(events);
}

const LONG_ANSWER = Array.from({ length: 80 }, (_, i) => `Point ${i + 1}: check the edge cases and measure before optimising.`).join(' ');

/** `n` words of plain prose, ending with a full stop (each word is one token to the fake server, the stop one more). */
const wordsOf = (n: number, salt: string) => `${Array.from({ length: n }, (_, i) => `${salt}${i}`).join(' ')}.`;

/**
 * Every model writes as much as it is allowed: prose to the 400-token cap, each role to the word limit the role writer
 * is given, and the judge a reason at its word limit and each notes list filled to its maxItems with points at
 * the word limit of the level. Scores come from the fake server's judge.
 */
function atCaps(notes: 'full' | 'brief' | 'off'): Responder {
  return (req: FakeRequest) => {
    if (!req.responseFormat) return { text: LONG_ANSWER };
    const reply = JSON.parse(defaultReply(req).text ?? '{}') as Record<string, unknown>;
    if (Array.isArray(reply.roles)) reply.roles = reply.roles.map((_, i) => `You are ${wordsOf(ROLE_WORDS - 3, `r${i}w`)}`);
    if (typeof reply.reason === 'string' && 'scores' in reply) reply.reason = wordsOf(JUDGE_REASON_WORDS - 1, 'reason');
    if (notes !== 'off') {
      const words = JUDGE_NOTE_LIMITS[notes].words;
      const room = noteRoom(req);
      for (const key of ['agreements', 'contradictions', 'droppedInsights']) {
        if (key in reply) reply[key] = Array.from({ length: room[key] ?? 0 }, (_, i) => wordsOf(words - 1, `${key}${i}w`));
      }
    }
    return { text: JSON.stringify(reply) };
  };
}

/** maxItems of each notes list in the request's schema. */
function noteRoom(req: FakeRequest): Record<string, number> {
  const props = (req.responseFormat as { json_schema?: { schema?: { properties?: Record<string, { maxItems?: number }> } } }).json_schema?.schema?.properties ?? {};
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.maxItems ?? 0]));
}

/** What an endpoint bills as prompt: the messages only (a local server enforcing the schema as a grammar), or as OpenAI. */
const BILLINGS: readonly (readonly [string, PromptBilling])[] = [
  ['messages only', {}],
  ['+ schema, framing', { schema: true, perMessage: 3, perRequest: 3 }],
];

/** Tokens by stage (roles, proposers per layer, judge per layer, aggregator), summed over runs. */
class Tally {
  readonly stages = new Map<string, { prompt: number; completion: number }>();
  runs = 0;
  add(trace: Trace): void {
    this.runs++;
    for (const c of trace.calls) {
      if (!c.usage) continue;
      const key = c.layer ? `${c.stage} L${c.layer}` : c.stage;
      const s = this.stages.get(key) ?? { prompt: 0, completion: 0 };
      s.prompt += c.usage.promptTokens;
      s.completion += c.usage.completionTokens;
      this.stages.set(key, s);
    }
  }
  /** Mean per run, of every stage or of the given ones. */
  mean(filter: (stage: string) => boolean = () => true): number {
    let sum = 0;
    for (const [k, s] of this.stages) if (filter(k)) sum += s.prompt + s.completion;
    return sum / this.runs;
  }
  cell(key: string): string {
    const s = this.stages.get(key);
    return s ? `${Math.round(s.prompt / this.runs)} + ${Math.round(s.completion / this.runs)}` : '';
  }
}

const STAGE_ORDER = ['roles', 'proposer L1', 'judge L1', 'proposer L2', 'judge L2', 'proposer L3', 'judge L3', 'aggregator'];
const notRoles = (stage: string) => stage !== 'roles';

export async function benchJudge(): Promise<void> {
  const server = await startFakeServer({ ttftMs: 0, tokensPerSecond: 0 });
  const pool = new EndpointPool();
  try {
    // Tokens with every layer run (no early stop), 6 proposers x 3 layers, top-2: SMoA against dense MoA, at two answer
    // lengths. The judge reads every answer once per layer while dense MoA's next layer reads them n times, so the
    // longer the answers, the more SMoA saves. Every run writes its roles (a fresh cache: what a run without a task
    // description pays for every new request); "roles cached" leaves that call out (a task description's later runs).
    const variants = [
      ['smoa, judgeNotes full', { judgeNotes: 'full' }],
      ['smoa, judgeNotes brief (default)', {}],
      ['smoa, judgeNotes off', { judgeNotes: 'off' }],
      ['smoa, notes off, judgeReasons false', { judgeNotes: 'off', judgeReasons: false }],
    ] as const;
    const rows: string[][] = [];
    const breakdowns: [string, Tally, Tally][] = [];
    const cases: [Size, string, PromptBilling][] = [['short', BILLINGS[0][0], BILLINGS[0][1]], ...BILLINGS.map(([name, b]) => ['long', name, b] as [Size, string, PromptBilling])];
    for (const [size, billingName, billing] of cases) {
      server.setPromptBilling(billing);
      const label = `${size === 'short' ? 'fake answers (~60 tok)' : 'at caps, 400-tok answers'}; ${billingName}`;
      server.setResponder(size === 'long' ? atCaps('brief') : undefined);
      const moa = new Tally();
      for (const p of PROMPTS) moa.add(await run(server, { strategy: 'moa' }, p, pool, new MemoryRoleCache(), size));
      rows.push([label, 'moa (dense)', String(Math.round(moa.mean())), '', '1.00', '1.00']);
      for (const [name, overrides] of variants) {
        server.setResponder(size === 'long' ? atCaps((overrides as { judgeNotes?: 'full' | 'off' }).judgeNotes ?? 'brief') : undefined);
        const smoa = new Tally();
        for (const p of PROMPTS) smoa.add(await run(server, { strategy: 'smoa', ...(overrides as Partial<SmoaConfigInput>) }, p, pool, new MemoryRoleCache(), size));
        const judgeCompletion = ['judge L1', 'judge L2', 'judge L3'].reduce((a, k) => a + (smoa.stages.get(k)?.completion ?? 0), 0) / smoa.runs / 3;
        rows.push([label, name, String(Math.round(smoa.mean())), String(Math.round(judgeCompletion)), (smoa.mean() / moa.mean()).toFixed(3), (smoa.mean(notRoles) / moa.mean()).toFixed(3)]);
        if (size === 'long' && name.includes('brief')) breakdowns.push([billingName, moa, smoa]);
      }
    }
    server.setResponder(undefined);
    server.setPromptBilling({});
    console.log(`\nTokens with every layer run, 6 proposers x 3 layers, top-2, ${PROMPTS.length} prompts, mean per prompt\n`);
    console.log(table(['answers; endpoint bills', 'strategy', 'total tok', 'judge completion tok per layer', 'vs moa', 'vs moa, roles cached'], rows));
    console.log(
      'target: smoa with brief notes <= 0.68 of moa with every model at its caps (the judge reads every answer). "+ schema, framing": the\n' +
        'endpoint also bills the json_schema of a structured-output request as prompt (its JSON text) and 3 tokens per message and per reply,\n' +
        'as OpenAI does; a local server enforcing the schema as a grammar bills the messages only.',
    );
    const stages = STAGE_ORDER.filter((k) => breakdowns.some(([, m, s]) => m.stages.has(k) || s.stages.has(k)));
    const breakdownRows = [...stages, 'total'].map((k) => [
      k,
      ...breakdowns.flatMap(([, moa, smoa]) =>
        k === 'total' ? [String(Math.round(moa.mean())), String(Math.round(smoa.mean()))] : [moa.cell(k), smoa.cell(k)],
      ),
    ]);
    console.log(`\nWhere the tokens go: moa against smoa (brief notes), every model at its caps, mean per prompt (prompt + completion)\n`);
    console.log(table(['stage', ...breakdowns.flatMap(([b]) => [`moa; ${b}`, `smoa; ${b}`])], breakdownRows));

    // Against a constrained decoder that picks any schema-valid value (repeats, any enum member, any string length).
    const strategies: Strategy[] = ['smoa', 'adaptive', 'rank'];
    const seeds = [1, 2, 3, 4, 5, 6];
    const free: string[][] = [];
    for (const strategy of strategies) {
      let judged = 0;
      let fallbacks = 0;
      for (const seed of seeds) {
        server.setDecoder({ mode: 'free', seed });
        const trace = await run(server, { strategy, seed, earlyStop: strategy === 'adaptive' }, `${PROMPTS[seed % PROMPTS.length]} (${seed})`, pool, new MemoryRoleCache());
        for (const layer of trace.layers) {
          if (layer.judge?.ballots?.length) judged++;
          if (layer.judge?.fallback || layer.moderator?.fallback || layer.adaptive?.fallback) fallbacks++;
        }
      }
      free.push([strategy, String(seeds.length), String(judged), String(fallbacks)]);
    }
    server.setDecoder({ mode: 'plausible' });
    console.log('\nJudge against a free-choosing constrained decoder (any schema-valid value), 3 layers\n');
    console.log(table(['strategy', 'seeds', 'judged layers', 'fallbacks'], free));
    console.log('target: 0 fallbacks');
  } finally {
    await server.close();
  }
}

if (process.argv[1]?.endsWith('judge-bench.ts')) void benchJudge();
