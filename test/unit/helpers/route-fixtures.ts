import type { FakeRequest, Reply } from '../../server/fake-openai';
import type { AnswerRecord, GradeRecord } from '../../../src/eval/records';
import { unitKey } from '../../../src/eval/records';
import type { EvalTask } from '../../../src/eval/tasks';

/**
 * A task set whose skills differ by category, and fixed-answer models: `arith` is right on arithmetic, `coder` on code,
 * `neither` on nothing. Shared by the router's unit tests and the end-to-end eval test.
 */
const FUNCS = ['reverse_string', 'count_vowels', 'is_palindrome', 'flatten_list', 'merge_dicts', 'word_count', 'unique_items', 'max_depth', 'parse_csv', 'camel_case'];

export function skillTasks(perCategory = 10): EvalTask[] {
  const tasks: EvalTask[] = [];
  for (let i = 0; i < perCategory; i++) {
    const a = 3 + 7 * i;
    const b = 11 + 5 * i;
    tasks.push({ id: `arith-${i + 1}`, category: 'arithmetic', prompt: `What is ${a} + ${b}? Answer with the number.`, reference: String(a + b), match: 'numeric', source: `line ${tasks.length + 1}` });
    const name = FUNCS[i % FUNCS.length];
    tasks.push({
      id: `code-${i + 1}`,
      category: 'code',
      prompt: `Write a Python function named ${name} for this: ${name.replace(/_/g, ' ')}. Reply with code only.`,
      reference: `def ${name}(`,
      match: 'contains',
      source: `line ${tasks.length + 1}`,
    });
  }
  return tasks;
}

/** Which model answers a task right. */
export function rightModel(task: Pick<EvalTask, 'category'>): string | undefined {
  return task.category === 'arithmetic' ? 'arith' : task.category === 'code' ? 'coder' : undefined;
}

/** Records as `smoa eval --strategies single:arith,single:coder,single:neither,smoa` would store them (exact grader). */
export function skillRecords(tasks: EvalTask[], price = { arith: 0.001, coder: 0.001, neither: 0.001 } as Record<string, number | undefined>) {
  const answers: AnswerRecord[] = [];
  const grades: GradeRecord[] = [];
  for (const task of tasks) {
    for (const model of ['arith', 'coder', 'neither']) {
      const key = unitKey(task.id, `single:${model}`, 0);
      const usd = price[model];
      answers.push({
        key,
        taskId: task.id,
        strategy: `single:${model}`,
        repeat: 0,
        promptHash: 'x',
        status: 'ok',
        answer: '...',
        totals: { calls: 1, failedCalls: 0, promptTokens: 40, completionTokens: 20, estimated: false, wallMs: 100, layersRun: 0, ...(usd !== undefined ? { cost: { usd, complete: true } } : {}) },
      });
      grades.push({ key, grader: 'exact', score: rightModel(task) === model ? 1 : 0 });
    }
    const key = unitKey(task.id, 'smoa', 0);
    answers.push({
      key,
      taskId: task.id,
      strategy: 'smoa',
      repeat: 0,
      promptHash: 'x',
      status: 'ok',
      answer: '...',
      totals: { calls: 9, failedCalls: 0, promptTokens: 900, completionTokens: 200, estimated: false, wallMs: 900, layersRun: 2, cost: { usd: 0.009, complete: true } },
    });
    grades.push({ key, grader: 'exact', score: 0.5 });
  }
  return { answers, grades };
}

/**
 * The fake server's fixed-answer models for skillTasks(): model-arith adds correctly, model-coder writes the named
 * function, model-neither does neither. An aggregator (any model) shown candidates checks them: it keeps a correct
 * sum or a candidate with the function, as a strong aggregator would, so an ensemble of all three gets everything right.
 * Judge and moderator calls (JSON) are left to the server's default replies.
 */
export function skillResponder(req: FakeRequest): Reply | undefined {
  if (req.responseFormat || ['judge', 'moderator', 'roles', 'grader'].includes(String(req.headers['x-smoa-stage']))) return undefined;
  const prompt = req.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  const system = req.messages.find((m) => m.role === 'system')?.content ?? '';
  const sum = /What is (\d+) \+ (\d+)\?/.exec(prompt);
  const fn = /function named (\w+)/.exec(prompt);
  if (system.includes('### Candidate 1')) {
    if (sum && system.includes(String(Number(sum[1]) + Number(sum[2])))) return { text: `The sum is ${Number(sum[1]) + Number(sum[2])}.` };
    if (fn && system.includes(`def ${fn[1]}(`)) return { text: `def ${fn[1]}(value):\n    return value` };
    return { text: 'None of the candidates looks right; perhaps 1.' };
  }
  if (sum) return { text: req.model === 'model-arith' ? `The sum is ${Number(sum[1]) + Number(sum[2])}.` : 'Roughly 7.' };
  if (fn) return { text: req.model === 'model-coder' ? `def ${fn[1]}(value):\n    return value` : 'You could write a loop for that, maybe 1.' };
  return { text: `Answer from ${req.model}.` };
}
