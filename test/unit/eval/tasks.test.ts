import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProblems, formatProblemList, parseTaskFile, type TaskFileResult } from '../../../src/eval/tasks';

const root = join(__dirname, '../../..');

function ok(result: TaskFileResult) {
  if (!result.ok) assert.fail(formatProblems('t', result.problems));
  return result;
}
function problems(text: string): string {
  const result = parseTaskFile(text);
  assert.equal(result.ok, false, 'expected the file to be rejected');
  return formatProblems('tasks.jsonl', (result as Extract<TaskFileResult, { ok: false }>).problems);
}

describe('eval task files', () => {
  it('native JSON Lines: id, prompt, reference, match, category; blank lines skipped', () => {
    const { tasks, formats } = ok(
      parseTaskFile(
        [
          '{"id": "t1", "prompt": "2+2?", "reference": "4", "category": "math"}',
          '',
          '{"id": "t2", "prompt": "Capital of France?", "reference": "Paris", "match": "contains"}',
          '{"prompt": "Tell me a joke"}',
        ].join('\n'),
      ),
    );
    assert.deepEqual(formats, ['native']);
    assert.deepEqual(
      tasks.map((t) => [t.id, t.reference, t.match, t.category, t.source]),
      [
        ['t1', '4', 'numeric', 'math', 'line 1'], // a numeric reference defaults to numeric matching
        ['t2', 'Paris', 'contains', undefined, 'line 3'],
        ['line-4', undefined, undefined, undefined, 'line 4'], // no id: the line names it
      ],
    );
  });

  it('GSM8K: question + answer ending in "#### N" becomes a numeric task', () => {
    const { tasks, formats } = ok(parseTaskFile('{"question": "Janet has 3 ducks...", "answer": "3 * 4 = 12\\n#### 1,200"}\n'));
    assert.deepEqual(formats, ['gsm8k']);
    assert.deepEqual(tasks[0], { id: 'line-1', prompt: 'Janet has 3 ducks...', reference: '1200', match: 'numeric', source: 'line 1' });
  });

  it('MT-Bench question.jsonl: one task per turn, asked as a conversation; turn picks one; references go to the grader', () => {
    // Written in MT-Bench's published shape (question_id, category, turns, reference per turn), own wording.
    const text = [
      '{"question_id": 81, "category": "writing", "turns": ["Write a blog post.", "Rewrite it as a limerick."]}',
      '{"question_id": 111, "category": "math", "turns": ["What is 3 squared?", "And cubed?"], "reference": ["9", "27"]}',
    ].join('\n');
    const both = ok(parseTaskFile(text));
    assert.deepEqual(both.formats, ['mt-bench']);
    assert.deepEqual(
      both.tasks.map((t) => [t.id, t.prompt, t.conversation?.turn, t.referenceAnswer]),
      [
        ['81#1', 'Write a blog post.', 1, undefined],
        ['81#2', 'Rewrite it as a limerick.', 2, undefined],
        ['111#1', 'What is 3 squared?', 1, '9'],
        ['111#2', 'And cubed?', 2, '27'],
      ],
    );
    assert.deepEqual(both.tasks[1].conversation, { id: '81', turns: ['Write a blog post.', 'Rewrite it as a limerick.'], turn: 2 });
    assert.equal(both.tasks[1].category, 'writing');
    assert.equal(both.tasks[3].reference, undefined, 'an MT-Bench reference guides the judge; it is not an exact answer');
    const second = ok(parseTaskFile(text, { turn: 2 }));
    assert.deepEqual(second.tasks.map((t) => t.id), ['81#2', '111#2']);
    const third = parseTaskFile(text, { turn: 3 });
    assert.equal(third.ok, false);
    // The project's own JSON Lines with turns read the same way.
    const native = ok(parseTaskFile('{"id": "chat", "turns": ["Name a prime.", "Name a bigger one."]}'));
    assert.deepEqual(native.tasks.map((t) => t.id), ['chat#1', 'chat#2']);
    assert.deepEqual(native.formats, ['native']);
  });

  it('GSM8K test.jsonl as published reads without conversion', () => {
    const text = [
      '{"question": "A shop sells 4 pens a day for 5 days. How many pens?", "answer": "4 pens a day for 5 days is 4*5=<<4*5=20>>20 pens.\\n#### 20"}',
      '{"question": "Tom had 1,000 stamps and gave away 250. How many are left?", "answer": "1000-250=<<1000-250=750>>750\\n#### 750"}',
    ].join('\n');
    const { tasks, formats } = ok(parseTaskFile(text));
    assert.deepEqual(formats, ['gsm8k']);
    assert.deepEqual(tasks.map((t) => [t.id, t.reference, t.match]), [['line-1', '20', 'numeric'], ['line-2', '750', 'numeric']]);
  });

  it('AlpacaEval outputs JSON: the reference "output" and its "generator" are kept for the pairwise grader', () => {
    const text = JSON.stringify([
      { dataset: 'helpful_base', instruction: 'Suggest a name for a cat.', output: 'How about Pepper?', generator: 'gpt4_1106_preview' },
      { dataset: 'oasst', instruction: 'Explain rain briefly.', output: 'Water vapour condenses and falls.', generator: 'gpt4_1106_preview' },
    ]);
    const { tasks, formats } = ok(parseTaskFile(text));
    assert.deepEqual(formats, ['alpaca']);
    assert.deepEqual(tasks.map((t) => [t.id, t.referenceOutput, t.referenceGenerator, t.category]), [
      ['item-1', 'How about Pepper?', 'gpt4_1106_preview', 'helpful_base'],
      ['item-2', 'Water vapour condenses and falls.', 'gpt4_1106_preview', 'oasst'],
    ]);
  });

  it('HumanEval JSONL: prompt, test and entry_point become a Python code task', () => {
    const record = {
      task_id: 'HumanEval/0',
      prompt: 'def twice(x: int) -> int:\n    """Return x doubled."""\n',
      canonical_solution: '    return 2 * x\n',
      test: 'def check(candidate):\n    assert candidate(2) == 4\n',
      entry_point: 'twice',
    };
    const { tasks, formats } = ok(parseTaskFile(JSON.stringify(record)));
    assert.deepEqual(formats, ['humaneval']);
    const [t] = tasks;
    assert.equal(t.id, 'HumanEval/0');
    assert.equal(t.language, 'python');
    assert.equal(t.entryPoint, 'twice');
    assert.equal(t.tests, record.test);
    assert.equal(t.testSetup, record.prompt);
    assert.match(t.prompt, /def twice\(x: int\) -> int:/);
    assert.doesNotMatch(t.prompt, /return 2 \* x/, 'the canonical solution is not shown to the model');
  });

  it('MBPP JSONL (original "text" and sanitized "prompt"): test_list becomes the tests, shown in the prompt', () => {
    const text = [
      JSON.stringify({ task_id: 601, text: 'Write a function that adds one to a number.', code: 'def inc(n): return n + 1', test_list: ['assert inc(1) == 2', 'assert inc(-1) == 0'], test_setup_code: '', challenge_test_list: [] }),
      JSON.stringify({ source_file: 'x.py', task_id: 602, prompt: 'Write a function that reverses a list.', code: 'def rev(xs): return xs[::-1]', test_imports: ['import math'], test_list: ['assert rev([1, 2]) == [2, 1]'] }),
    ].join('\n');
    const { tasks, formats } = ok(parseTaskFile(text));
    assert.deepEqual(formats, ['mbpp']);
    assert.deepEqual(tasks.map((t) => [t.id, t.language, t.tests, t.testSetup]), [
      ['601', 'python', 'assert inc(1) == 2\nassert inc(-1) == 0', undefined],
      ['602', 'python', 'assert rev([1, 2]) == [2, 1]', 'import math'],
    ]);
    assert.match(tasks[0].prompt, /adds one[\s\S]*assert inc\(1\) == 2/);
    assert.doesNotMatch(tasks[0].prompt, /return n \+ 1/);
  });

  it('native code tasks: tests, language, entry_point', () => {
    const { tasks } = ok(parseTaskFile('{"id": "sum", "prompt": "Write sum(xs) in JavaScript.", "language": "javascript", "tests": ["assert.equal(sum([1, 2]), 3);"]}'));
    assert.deepEqual([tasks[0].language, tasks[0].tests], ['javascript', 'assert.equal(sum([1, 2]), 3);']);
    assert.match(problems('{"id": "x", "prompt": "p", "tests": "t", "language": "cobol"}'), /"language" must be one of python, javascript, typescript/);
  });

  it('a file with no task in it says so in one line; long problem lists stop after 10', () => {
    const readme = '# A project\n\nSome words.\n\n- a list\n- of things\n';
    const message = problems(readme);
    assert.equal(message.split('\n').length, 1, message);
    assert.match(message, /^tasks\.jsonl: not a task file: none of its 4 lines is a task/);
    const many = Array.from({ length: 30 }, (_, i) => (i === 0 ? '{"id": "ok", "prompt": "fine"}' : '{"id": 1.5e400}')).join('\n');
    const result = parseTaskFile(many);
    assert.ok(!result.ok);
    const listed = formatProblemList('tasks.jsonl', result.problems).split('\n');
    assert.equal(listed.length, 11);
    assert.equal(listed[10], 'tasks.jsonl: and 19 more problem(s)');
  });

  it('AlpacaEval JSON array: instruction (+ input), dataset as category, items numbered', () => {
    const { tasks, formats } = ok(
      parseTaskFile(JSON.stringify([{ instruction: 'Name three colours.', dataset: 'helpful_base', output: 'x', generator: 'gpt4' }, { instruction: 'Translate', input: 'Bonjour' }])),
    );
    assert.deepEqual(formats, ['alpaca']);
    assert.deepEqual(
      tasks.map((t) => [t.id, t.prompt, t.category, t.source]),
      [
        ['item-1', 'Name three colours.', 'helpful_base', 'item 1'],
        ['item-2', 'Translate\n\nBonjour', undefined, 'item 2'],
      ],
    );
  });

  it('every malformed line is reported with its line number, and nothing is returned', () => {
    const text = [
      '{"id": "a", "prompt": "fine"}',
      '{"id": "b", "prompt": ',
      '{"id": "c", "prompt": ""}',
      '{"id": "d", "prompt": "x", "match": "fuzzy", "reference": "1"}',
      '{"id": "e", "prompt": "x", "match": "numeric"}',
      '{"id": "f", "prompt": "x", "reference": "abc", "match": "numeric"}',
      '{"id": "g", "prompt": "x", "reference": "(unclosed", "match": "regex"}',
      '{"id": "a", "prompt": "again"}',
      '{"question": "q", "answer": "no final number"}',
      '{"turns": []}',
      '[1, 2]',
      '{"text": "what is this"}',
    ].join('\n');
    const message = problems(text);
    const lines = message.split('\n');
    assert.equal(lines.length, 11, message);
    assert.match(lines[0], /^tasks\.jsonl:2: not valid JSON/);
    assert.match(lines[1], /^tasks\.jsonl:3: "prompt" must be a non-empty string$/);
    assert.match(lines[2], /^tasks\.jsonl:4: "match" must be one of exact, numeric, regex, contains, got "fuzzy"$/);
    assert.match(lines[3], /^tasks\.jsonl:5: "match": "numeric" needs a "reference"$/);
    assert.match(lines[4], /^tasks\.jsonl:6: "reference" "abc" is not a number/);
    assert.match(lines[5], /^tasks\.jsonl:7: "reference" is not a valid regular expression/);
    assert.match(lines[6], /^tasks\.jsonl:8: duplicate id "a" \(also on line 1\)$/);
    assert.match(lines[7], /^tasks\.jsonl:9: GSM8K: "answer" must end in "#### <number>"$/);
    assert.match(lines[8], /^tasks\.jsonl:10: MT-Bench: "turns" must be a non-empty array of strings$/);
    assert.match(lines[9], /^tasks\.jsonl:11: expected a JSON object$/);
    assert.match(lines[10], /^tasks\.jsonl:12: no task here: expected "prompt".*fields: text$/);
  });

  it('a broken JSON array names the line of the syntax error; an empty file says there are no tasks', () => {
    assert.match(problems('[\n  {"instruction": "a"},\n  {"instruction": }\n]'), /^tasks\.jsonl:3: not valid JSON/);
    assert.match(problems('\n\n'), /no tasks/);
  });

  it('the two shipped task sets parse: reasoning has references for the exact grader, programming has categories', () => {
    const reasoning = ok(parseTaskFile(readFileSync(join(root, 'examples/eval/reasoning.jsonl'), 'utf8')));
    const programming = ok(parseTaskFile(readFileSync(join(root, 'examples/eval/programming.jsonl'), 'utf8')));
    assert.ok(reasoning.tasks.length >= 20 && reasoning.tasks.every((t) => t.reference && t.match && t.category));
    assert.ok(programming.tasks.length >= 20 && programming.tasks.every((t) => !t.reference && t.category));
  });
});
