/**
 * `smoa eval`'s own overhead: the same runs through runPipeline directly and through the evaluation harness (exact
 * grader, results appended to a directory, traces folded and stored), against the fake server with a set latency.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeServer } from '../server/fake-openai';
import { createClientFactory, EndpointPool } from '../../src/pipeline/client-factory';
import { loadConfig } from '../../src/pipeline/config';
import { runPipeline } from '../../src/pipeline/engine';
import { applyStrategySpec, parseStrategySpecs } from '../../src/pipeline/strategy/spec';
import { DirStore } from '../../src/eval/dir-store';
import { runEvaluation } from '../../src/eval/harness';
import { renderMarkdown, renderSvg, summarize } from '../../src/eval/report';
import type { EvalTask } from '../../src/eval/tasks';
import { table } from '../../src/cli/format';

const TASKS = 20;
const TTFT_MS = 40;

export async function benchEval(): Promise<void> {
  const server = await startFakeServer({ tokensPerSecond: 2000, ttftMs: TTFT_MS });
  try {
    const config = loadConfig({
      endpoints: [{ id: 'local', baseURL: server.url, maxConcurrency: 16 }],
      models: ['a', 'b', 'c'].map((id) => ({ id, endpoint: 'local', model: `model-${id}`, price: { inputPerMTok: 1, outputPerMTok: 2 } })),
      proposers: ['a', 'b', 'c'],
      aggregator: 'a',
      judge: 'b',
      layers: 2,
      topK: 2,
      roles: 'off',
    });
    const parsed = parseStrategySpecs('single:a,smoa', config);
    if (!parsed.ok) throw new Error(parsed.message);
    const specs = parsed.specs;
    const tasks: EvalTask[] = Array.from({ length: TASKS }, (_, i) => ({ id: `t${i}`, prompt: `What is ${i} times 7?`, reference: String(i * 7), match: 'numeric', source: `line ${i + 1}` }));
    const pool = new EndpointPool();
    const clientFor = createClientFactory(config, pool);

    const rows: string[][] = [];
    for (let round = 0; round < 3; round++) {
      // Direct: the engine alone, one run at a time.
      let t = performance.now();
      for (const task of tasks) {
        for (const spec of specs) {
          const { config: c, strategy } = applyStrategySpec(config, spec);
          await runPipeline(c, { prompt: task.prompt, strategy }, { clientFor });
        }
      }
      const direct = performance.now() - t;

      // Harness: the same runs, one at a time, folded, graded and written to disk.
      const dir = mkdtempSync(join(tmpdir(), 'smoa-eval-bench-'));
      const store = new DirStore(dir);
      t = performance.now();
      const outcome = await runEvaluation(
        { tasks, specs, grader: 'exact', repeat: 1 },
        { config, clientFor, store, signal: new AbortController().signal, concurrency: 1 },
      );
      const harness = performance.now() - t;
      t = performance.now();
      const report = summarize({ tasks, strategies: specs.map((s) => s.label), grader: 'exact', repeat: 1, seed: 0, answers: store.answers(), grades: store.grades() });
      store.writeFile('report.md', renderMarkdown(report));
      store.writeFile('report.svg', renderSvg(report));
      const reportMs = performance.now() - t;
      rmSync(dir, { recursive: true, force: true });
      const runs = tasks.length * specs.length;
      rows.push([
        String(round + 1),
        `${(direct / runs).toFixed(1)} ms`,
        `${(harness / runs).toFixed(1)} ms`,
        `${((harness - direct) / runs).toFixed(2)} ms`,
        `${outcome.overheadMs.toFixed(2)} ms`,
        `${reportMs.toFixed(1)} ms`,
      ]);
    }
    console.log(`\nEvaluation harness overhead: ${TASKS} tasks x (single:a, smoa 3 proposers x 2 layers), ttft ${TTFT_MS} ms, per run\n`);
    console.log(table(['round', 'engine alone', 'through smoa eval', 'difference', 'harness-measured', 'summary+report files (once)'], rows));
    console.log('target: harness-measured < 5 ms per run; the difference column is within run-to-run noise of the model calls');
  } finally {
    await server.close();
  }
}
