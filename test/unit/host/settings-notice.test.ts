import assert from 'node:assert/strict';
import { settingsWarnings, snapshotOf } from '../../../src/host/settings-input';
import { isUserSettingsFile, revealSetting, SettingsNotice, WarningMemory } from '../../../src/host/settings-notice';

const valid = {
  endpoints: [{ id: 'local', baseURL: 'http://127.0.0.1:8000/v1' }],
  models: [
    { id: 'a', endpoint: 'local', model: 'model-a' },
    { id: 'b', endpoint: 'local', model: 'model-b' },
  ],
  proposers: ['a', 'b'],
  aggregator: 'a',
};

describe('the invalid-setting notice', () => {
  it('shows a problem once, replaces it when it changes, and goes away once the setting is valid', () => {
    const notice = new SettingsNotice();
    assert.deepEqual(notice.next(snapshotOf(valid)), { kind: 'none' });
    const first = notice.next(snapshotOf({ ...valid, topK: 9 }));
    assert.equal(first.kind, 'show');
    assert.equal(first.kind === 'show' && first.setting, 'smoa.topK');
    assert.match(first.kind === 'show' ? first.message : '', /^Invalid SMoA setting: smoa\.topK: topK \(9\) cannot exceed the number of proposers \(2\)/);
    // The same problem again (a keystroke elsewhere in settings.json): no second notice.
    assert.deepEqual(notice.next(snapshotOf({ ...valid, topK: 9, seed: 1 })), { kind: 'none' });
    const changed = notice.next(snapshotOf({ ...valid, topK: 5 }));
    assert.equal(changed.kind, 'show');
    // Fixed: the notice is taken away, once.
    assert.deepEqual(notice.next(snapshotOf({ ...valid, topK: 2 })), { kind: 'dismiss' });
    assert.deepEqual(notice.next(snapshotOf(valid)), { kind: 'none' });
  });

  it('"Open Settings" reveals the setting in settings.json when the user is editing it, else in the Settings editor', () => {
    assert.deepEqual(revealSetting('smoa.topK', '/home/u/.config/Code/User/settings.json'), {
      command: 'workbench.action.openSettingsJson',
      args: [{ revealSetting: { key: 'smoa.topK' } }],
    });
    assert.ok(isUserSettingsFile('/data/User/profiles/-6f2a/settings.json'));
    assert.ok(!isUserSettingsFile('/work/project/.vscode/settings.json'));
    assert.deepEqual(revealSetting('smoa.topK', '/work/project/src/app.ts'), { command: 'workbench.action.openSettings', args: ['smoa.topK'] });
    assert.deepEqual(revealSetting('smoa.topK', undefined), { command: 'workbench.action.openSettings', args: ['smoa.topK'] });
  });
});

describe('the questionable-settings warning', () => {
  const proposing = { ...valid, judge: 'b' };
  const warningsOf = (settings: Record<string, unknown>) => settingsWarnings(snapshotOf(settings));

  it('is said once per distinct problem: not again on a later save, nor after an invalid moment while typing', () => {
    const memory = new WarningMemory();
    assert.equal(memory.fresh(warningsOf(proposing)).length, 1);
    assert.deepEqual(memory.fresh(warningsOf({ ...proposing, seed: 3 })), [], 'saved again, same problem');
    assert.deepEqual(memory.fresh(warningsOf({ ...proposing, topK: 9 })), [], 'invalid while typing: nothing to warn');
    assert.deepEqual(memory.fresh(warningsOf(proposing)), [], 'valid again, same problem: not again');
    // A different problem is new.
    const jury = memory.fresh(warningsOf({ ...valid, judge: ['a', 'b'] }));
    assert.deepEqual(jury.map((w) => w.path), ['judge[0]', 'judge[1]']);
  });

  it('never fires on the implicit judge (the aggregator) the user did not choose', () => {
    assert.deepEqual(warningsOf(valid), []);
  });
});
