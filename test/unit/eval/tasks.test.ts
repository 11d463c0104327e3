import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProblems, parseTaskFile, type TaskFileResult } from '../../../src/eval/tasks';

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

  it('MT-Bench question.jsonl: first turn by default, another with turn, question_id as id', () => {
    const line = '{"question_id": 81, "category": "writing", "turns": ["Write a blog post.", "Rewrite it as a limerick."]}';
    const first = ok(parseTaskFile(line));
    assert.deepEqual(first.formats, ['mt-bench']);
    assert.deepEqual(first.tasks[0], { id: '81', prompt: 'Write a blog post.', category: 'writing', source: 'line 1' });
    assert.equal(ok(parseTaskFile(line, { turn: 2 })).tasks[0].prompt, 'Rewrite it as a limerick.');
    const third = parseTaskFile(line, { turn: 3 });
    assert.equal(third.ok, false);
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
