import assert from 'node:assert/strict';
import { COMMAND_NAMES, parseCommand, USAGE, UsageError } from '../../../src/cli/args';

describe('CLI arguments', () => {
  it('an unknown command names every command the usage lists (eval included)', () => {
    const listed = [...USAGE.matchAll(/^ {2}smoa (\w+)/gm)].map((m) => m[1]);
    assert.deepEqual([...new Set(listed)], COMMAND_NAMES);
    assert.throws(
      () => parseCommand(['evaluate', '--config', 'c.json']),
      (err: unknown) => err instanceof UsageError && err.message === `unknown command "evaluate" (expected run, compare, mcp, eval or route)`,
    );
  });
});
