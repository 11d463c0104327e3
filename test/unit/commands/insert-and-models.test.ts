import assert from 'node:assert/strict';
import { codeBlocks, insertTarget, planInsert, textToInsert } from '../../../src/commands/insert-text';
import { modelChoices } from '../../../src/commands/model-choices';

describe('insert into editor: what is inserted', () => {
  const answer = 'Use this:\n\n```ts\nconst a = 1;\n```\n\nand\n\n~~~\nb()\n~~~\n';

  it('whole mode inserts the answer as written', () => {
    assert.equal(textToInsert(answer, 'whole'), answer);
  });

  it('codeBlocks mode inserts only the code, blocks separated by a blank line', () => {
    assert.equal(textToInsert(answer, 'codeBlocks'), 'const a = 1;\n\nb()');
  });

  it('codeBlocks mode falls back to the whole answer when there is no code', () => {
    assert.equal(textToInsert('Just prose.', 'codeBlocks'), 'Just prose.');
  });

  it('a longer fence may contain a shorter one; an unclosed fence runs to the end', () => {
    assert.deepEqual(codeBlocks('````md\n```js\nx\n```\n````'), ['```js\nx\n```']);
    assert.deepEqual(codeBlocks('```py\nprint(1)'), ['print(1)']);
  });

  it('accepts a run id, { runId } or { text } as the command argument', () => {
    assert.deepEqual(insertTarget('r1'), { runId: 'r1' });
    assert.deepEqual(insertTarget({ runId: 'r2' }), { runId: 'r2' });
    assert.deepEqual(insertTarget({ text: 'hello' }), { text: 'hello' });
    assert.deepEqual(insertTarget(undefined), {});
  });
});

describe('"Configure Models" choices', () => {
  const configured = [
    { id: 'local-a', endpoint: 'local', model: 'model-a' },
    { id: 'gpt-4o', endpoint: 'vscode', model: 'copilot/gpt-4o' },
  ];
  const offered = [
    { id: 'gpt-4o-1', vendor: 'copilot', family: 'gpt-4o', name: 'GPT-4o' },
    { id: 'claude-1', vendor: 'copilot', family: 'claude-sonnet-4', name: 'Claude Sonnet 4' },
    { id: 'claude-2', vendor: 'copilot', family: 'claude-sonnet-4', name: 'Claude Sonnet 4 (preview)' },
  ];

  it('lists configured models, then VS Code models not configured yet, one per family', () => {
    assert.deepEqual(modelChoices(configured, offered).map((c) => c.id), ['local-a', 'gpt-4o', 'claude-sonnet-4']);
  });
});

describe('insert: what goes into which file (issue 10, item 10)', () => {
  const answer = 'Install it:\n\n```bash\nnpm i debounce\n```\n\nThen:\n\n```ts\nexport const x = 1;\n```\n\nThat is all.';

  it('auto (the default) inserts only the code into a code file, the blocks of its language when there are some', () => {
    assert.deepEqual(planInsert(answer, 'auto', 'typescript'), { text: 'export const x = 1;', what: 'code', blocks: 1 });
    assert.deepEqual(planInsert(answer, 'auto', 'go'), { text: 'npm i debounce\n\nexport const x = 1;', what: 'code', blocks: 2 });
  });

  it('auto inserts the whole answer into Markdown, plain text and a new document', () => {
    for (const language of ['markdown', 'plaintext', undefined]) assert.deepEqual(planInsert(answer, 'auto', language), { text: answer, what: 'whole', blocks: 0 });
  });

  it('auto inserts nothing into a code file when the answer has no code (the command then asks)', () => {
    assert.deepEqual(planInsert('Only prose.', 'auto', 'python'), { text: '', what: 'nothing', blocks: 0 });
  });

  it('whole and codeBlocks do what they say whatever the file', () => {
    assert.equal(planInsert(answer, 'whole', 'typescript').text, answer);
    assert.equal(planInsert(answer, 'codeBlocks', 'markdown').text, 'npm i debounce\n\nexport const x = 1;');
  });

  it('a label from the panel travels with inserted text', () => {
    assert.deepEqual(insertTarget({ text: 't', label: 'saved.json' }), { text: 't', label: 'saved.json' });
  });
});
