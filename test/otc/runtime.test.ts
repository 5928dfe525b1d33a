import { SYSTEM_CLOCK } from '../../src/otc/runtime';

describe('SYSTEM_CLOCK.sleep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves after the given time (fake timers)', async () => {
    let done = false;
    const sleeping = SYSTEM_CLOCK.sleep(2000).then(() => {
      done = true;
    });
    await jest.advanceTimersByTimeAsync(1999);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(done).toBe(true);
  });

  it('rejects at once when the signal aborts, and when it already had', async () => {
    const controller = new AbortController();
    const sleeping = SYSTEM_CLOCK.sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    await expect(SYSTEM_CLOCK.sleep(10, controller.signal)).rejects.toThrow('stop');
    expect(jest.getTimerCount()).toBe(0);
  });
});
