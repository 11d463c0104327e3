import { startFakeServer } from '../../server/fake-openai';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import { loadConfig } from '../../../src/pipeline/config';
import { parseStrategySpecs } from '../../../src/pipeline/strategy/spec';
import { runEvaluation } from '../../../src/eval/harness';
import { MemoryStore } from '../../../src/eval/records';
import { summarize } from '../../../src/eval/report';
import type { EvalTask } from '../../../src/eval/tasks';
import type { EvalResults } from '../../../src/views/eval-session';

export const XSS_ANSWER = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> **bold**';

/**
 * A small real evaluation against the fake server (rubric grader, three strategies, two categories, priced models),
 * as the results view receives it. Model c answers task t2 with markup, to check it stays text. `strategies`: another
 * list than single:c, moa and smoa; `markup`: what model c answers to t2 instead;
 * `jury`: models a, b and c judge together.
 */
export async function recordEvalResults(options: { strategies?: string; markup?: string; jury?: boolean } = {}): Promise<EvalResults> {
  const server = await startFakeServer({ tokensPerSecond: Infinity, ttftMs: 0 });
  server.setResponder((req) => (req.model === 'model-c' && !req.responseFormat && /Question two/.test(req.messages.at(-1)?.content ?? '') ? { text: options.markup ?? XSS_ANSWER } : undefined));
  try {
    const config = loadConfig({
      endpoints: [{ id: 'local', baseURL: server.url, maxRetries: 0 }],
      models: ['a', 'b', 'c'].map((id) => ({ id, endpoint: 'local', model: `model-${id}`, price: { inputPerMTok: 1, outputPerMTok: 4 } })),
      proposers: ['a', 'b', 'c'],
      aggregator: 'a',
      judge: options.jury ? ['a', 'b', 'c'] : 'b',
      layers: 2,
      topK: 2,
      roles: 'off',
    });
    const tasks: EvalTask[] = [
      { id: 't1', prompt: 'Question one: explain closures in JavaScript.', category: 'explain', source: 'line 1' },
      { id: 't2', prompt: 'Question two: how do I reverse a list in Python?', category: 'code', source: 'line 2' },
      { id: 't3', prompt: 'Question three: what is a race condition?', category: 'explain', source: 'line 3' },
      { id: 't4', prompt: 'Question four: write a debounce function.', category: 'code', source: 'line 4' },
    ];
    const parsed = parseStrategySpecs(options.strategies ?? 'single:c,moa,smoa', config);
    if (!parsed.ok) throw new Error(parsed.message);
    const store = new MemoryStore();
    const plan = { tasks, specs: parsed.specs, grader: 'rubric' as const, graderModel: 'b', repeat: 1 };
    const outcome = await runEvaluation(plan, { config, clientFor: createClientFactory(config, new EndpointPool()), store, signal: new AbortController().signal, concurrency: 3 });
    const report = {
      ...summarize({ ...plan, strategies: parsed.specs.map((s) => s.label), seed: 0, answers: store.answers(), grades: store.grades() }),
      grading: outcome.grading,
    };
    return { title: 'tasks.jsonl', report, tasks, answers: store.answers(), grades: store.grades(), trace: (key) => store.trace(key), location: '/tmp/smoa-eval-example' };
  } finally {
    await server.close();
  }
}
