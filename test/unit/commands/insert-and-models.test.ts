import assert from 'node:assert/strict';
import { codeBlocks, insertTarget, textToInsert } from '../../../src/commands/insert-text';
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
