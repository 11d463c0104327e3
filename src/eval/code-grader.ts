import { codeLanguage, extractCode } from './code-block';
import { runCodeTests } from './code-runner';
import type { EvalTask } from './tasks';

/**
 * The `tests` grader: the answer's code block, run with the task's tests (code-runner.ts). 1 when every test passes,
 * 0 otherwise (no code, a failing test, the time limit); no score, with the reason, when the language's runtime is
 * missing here, so a skipped task is said and not counted as a failure.
 */
export async function gradeByTests(
  task: Pick<EvalTask, 'language' | 'tests' | 'entryPoint' | 'testSetup'>,
  answer: string,
  limits: { timeoutMs?: number; memoryMb?: number } = {},
): Promise<{ score: 0 | 1; detail: string } | { error: string }> {
  const language = codeLanguage(task.language) ?? 'python';
  const code = extractCode(answer, language, task.entryPoint);
  if (code === undefined) return { score: 0, detail: `no ${language} code block in the answer` };
  const outcome = await runCodeTests({
    language,
    code,
    tests: task.tests ?? '',
    ...(task.entryPoint ? { entryPoint: task.entryPoint } : {}),
    ...(task.testSetup ? { setup: task.testSetup } : {}),
    ...limits,
  });
  switch (outcome.status) {
    case 'passed':
      return { score: 1, detail: `the tests pass (${outcome.ms} ms)` };
    case 'failed':
      return { score: 0, detail: `the tests fail: ${outcome.detail}` };
    case 'timeout':
      return { score: 0, detail: `the tests did not finish: ${outcome.detail}` };
    case 'skipped':
      return { error: `not graded: ${outcome.detail}` };
  }
}
