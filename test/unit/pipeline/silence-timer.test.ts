import assert from 'node:assert/strict';
import { once } from 'node:events';
import { SilenceTimer } from '../../../src/pipeline/silence-timer';

describe('SilenceTimer: a timeout that counts silence', () => {
  it('fires after the given silence', async () => {
    const timer = new SilenceTimer(30);
    const started = performance.now();
    await once(timer.signal, 'abort');
    assert.ok(timer.fired);
    assert.ok(performance.now() - started >= 25);
  });

  it('each piece of data restarts the clock', async () => {
    const timer = new SilenceTimer(60);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 30));
      timer.heard();
    }
    assert.equal(timer.fired, false, '150 ms in all, but never 60 ms of silence');
    timer.stop();
  });

  it('stop() ends it for good', async () => {
    const timer = new SilenceTimer(20);
    timer.stop();
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(timer.fired, false);
  });
});
