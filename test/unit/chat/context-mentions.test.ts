import assert from 'node:assert/strict';
import { asksAboutSelection, linesOf, unresolvedFileMentions } from '../../../src/chat/context-mentions';

describe('file mentions typed in a chat prompt', () => {
  it('finds #file:<path> and #<path> with a folder or an extension, without the sentence\'s punctuation', () => {
    const found = unresolvedFileMentions('Compare #file:src/stats.ts with #lib/util.ts. Is #README.md right (#3, #todo)?');
    assert.deepEqual(found.map((m) => [m.text, m.path]), [
      ['#file:src/stats.ts', 'src/stats.ts'],
      ['#lib/util.ts', 'lib/util.ts'],
      ['#README.md', 'README.md'],
    ]);
    const [first] = found;
    assert.equal('Compare #file:src/stats.ts with'.slice(first.start, first.end), '#file:src/stats.ts');
  });

  it('leaves out a mention VS Code resolved (its range is a reference\'s), and repeats', () => {
    const prompt = '#file:a.ts and #file:b.ts and #file:b.ts';
    assert.deepEqual(unresolvedFileMentions(prompt, [[0, 10]]).map((m) => m.path), ['b.ts']);
  });

  it('ignores # inside words, URLs and headings-like text', () => {
    assert.deepEqual(unresolvedFileMentions('see https://x.org/#section and C# or a#b.ts'), []);
  });

  it('knows a question about "this" code', () => {
    assert.ok(asksAboutSelection('Why is this wrong?'));
    assert.ok(asksAboutSelection('explain the selected lines'));
    assert.ok(!asksAboutSelection('How do I sort numbers?'));
  });

  it('counts the lines a range covers as the user sees them: whole lines selected with Shift+Down end on the last one', () => {
    // Lines 6-9 selected from the start of line 6: the range ends at column 0 of line 10 (0-based: 5:0 to 9:0).
    assert.deepEqual(linesOf({ start: { line: 5, character: 0 }, end: { line: 9, character: 0 } }), { first: 6, last: 9 });
    assert.deepEqual(linesOf({ start: { line: 5, character: 2 }, end: { line: 8, character: 3 } }), { first: 6, last: 9 });
    assert.deepEqual(linesOf({ start: { line: 5, character: 0 }, end: { line: 5, character: 4 } }), { first: 6, last: 6 });
  });
});
