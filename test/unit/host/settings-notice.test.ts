import assert from 'node:assert/strict';
import { settingsWarnings, snapshotOf } from '../../../src/host/settings-input';
import { isUserSettingsFile, revealSetting, SettingsAlerts, SettingsNotice, WarningMemory, type SettingsAlertPort } from '../../../src/host/settings-notice';

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

describe('the settings notifications', () => {
  /** A port that records what the user would see and lets the test press a notification's button or close it. */
  function recorder() {
    const shown: { severity: 'error' | 'warning'; message: string; buttons: string[]; answer: (choice?: string) => void }[] = [];
    const events: string[] = [];
    const notify = (severity: 'error' | 'warning') => (message: string, ...buttons: string[]) =>
      new Promise<string | undefined>((answer) => shown.push({ severity, message, buttons, answer }));
    const port: SettingsAlertPort = {
      error: notify('error'),
      warning: notify('warning'),
      hideToasts: () => events.push('hide toasts'),
      openSetting: (setting) => events.push(`open ${setting}`),
      log: () => {},
    };
    return { port, shown, events };
  }
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('a setting that stops every run is an error notification with an Open Settings button (shown expanded)', async () => {
    const { port, shown, events } = recorder();
    new SettingsAlerts(port).check(snapshotOf({ ...valid, topK: 9 }));
    assert.equal(shown.length, 1);
    assert.equal(shown[0].severity, 'error');
    assert.match(shown[0].message, /^Invalid SMoA setting: smoa\.topK: topK \(9\) cannot exceed the number of proposers \(2\)$/);
    // A button, not a link in the text: VS Code shows a notification with buttons expanded, never cut off.
    assert.deepEqual(shown[0].buttons, ['Open Settings']);
    shown[0].answer('Open Settings');
    await settle();
    assert.deepEqual(events, ['open smoa.topK']);
  });

  it('a questionable setting stays a warning', () => {
    const { port, shown } = recorder();
    new SettingsAlerts(port).check(snapshotOf({ ...valid, judge: 'b' }));
    assert.deepEqual(shown.map((s) => s.severity), ['warning']);
    assert.match(shown[0].message, /^SMoA: smoa\.judge/);
  });

  it('takes the error off the screen once the setting is fixed, or before a changed problem is shown', async () => {
    const { port, shown, events } = recorder();
    const alerts = new SettingsAlerts(port);
    alerts.check(snapshotOf({ ...valid, topK: 9 }));
    alerts.check(snapshotOf({ ...valid, topK: 5 }));
    assert.deepEqual(events, ['hide toasts']);
    assert.equal(shown.length, 2);
    alerts.check(snapshotOf(valid));
    assert.deepEqual(events, ['hide toasts', 'hide toasts']);
    // Closed by the user already: nothing to take away, other toasts stay.
    alerts.check(snapshotOf({ ...valid, topK: 7 }));
    shown[2].answer(undefined);
    await settle();
    alerts.check(snapshotOf(valid));
    assert.deepEqual(events, ['hide toasts', 'hide toasts']);
  });
});
