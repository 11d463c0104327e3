import assert from 'node:assert/strict';
import { classifyLmError, toLmTurns } from '../../../src/models/lm-messages';

describe('VS Code language models: messages and errors', () => {
  it('puts the system text into the first user message, since the API has no system role', () => {
    const turns = toLmTurns([
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Q1' },
      { role: 'assistant', content: 'A1' },
      { role: 'user', content: 'Q2' },
    ]);
    assert.deepEqual(turns, [
      { role: 'user', content: '<instructions>\nBe terse.\n</instructions>\n\nQ1' },
      { role: 'assistant', content: 'A1' },
      { role: 'user', content: 'Q2' },
    ]);
  });

  it('joins consecutive turns of one role and keeps a system-only request', () => {
    assert.deepEqual(toLmTurns([{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }]), [{ role: 'user', content: 'a\n\nb' }]);
    assert.deepEqual(toLmTurns([{ role: 'system', content: 'S' }]), [{ role: 'user', content: '<instructions>\nS\n</instructions>' }]);
  });

  it('maps LanguageModelError codes to the engine’s failure kinds with a way forward', () => {
    const lmError = (code: string) => Object.assign(new Error('denied'), { name: 'LanguageModelError', code });
    assert.equal(classifyLmError(lmError('NoPermissions'), 'GPT-4o', false).kind, 'auth');
    assert.match(classifyLmError(lmError('NoPermissions'), 'GPT-4o', false).message, /Manage Language Model Access/);
    assert.equal(classifyLmError(lmError('Blocked'), 'GPT-4o', false).kind, 'rate-limit');
    assert.equal(classifyLmError(lmError('NotFound'), 'GPT-4o', false).kind, 'not-found');
    assert.equal(classifyLmError(new Error('Message exceeds token limit'), 'GPT-4o', false).kind, 'context-overflow');
    assert.equal(classifyLmError(new Error('boom'), 'GPT-4o', true).kind, 'cancelled');
    assert.equal(classifyLmError(new Error('boom'), 'GPT-4o', false).message, 'GPT-4o: boom');
  });
});
