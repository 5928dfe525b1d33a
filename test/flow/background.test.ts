import { BackgroundWork } from '../../src/flow/background';
import { createMemoryLogger } from '../../src/log/logger';
import { deferred } from '../helpers/deferred';

/** Whether `promise` has settled once every pending microtask has run (no timer, no sleep). */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe('BackgroundWork', () => {
  it('starts the work at once and returns before it ends', () => {
    const work = new BackgroundWork(createMemoryLogger());
    const gate = deferred();
    let started = false;
    work.run('gated', async () => {
      started = true;
      await gate.promise;
    });
    expect(started).toBe(true);
    expect(work.size).toBe(1);
    gate.resolve();
  });

  it('tracks work started elsewhere until it settles, handing its outcome back untouched and logging nothing', async () => {
    const logger = createMemoryLogger('debug');
    const work = new BackgroundWork(logger);
    const listener = deferred<string>();
    const failing = deferred<string>();
    const tracked = work.track(listener.promise);
    const failed = work.track(failing.promise);
    expect(work.size).toBe(2);
    const idle = work.idle();
    listener.resolve('acked');
    expect(await tracked).toBe('acked');
    expect(await isSettled(idle)).toBe(false);
    failing.reject(new Error('no route'));
    await expect(failed).rejects.toThrow('no route');
    await idle;
    expect(work.size).toBe(0);
    // Its caller reports the failure (Bolt's error handler): nothing is logged here.
    expect(logger.lines).toEqual([]);
  });

  it('is idle only once every piece of work has ended', async () => {
    const work = new BackgroundWork(createMemoryLogger());
    const first = deferred();
    const second = deferred();
    work.run('first', () => first.promise);
    work.run('second', () => second.promise);
    const idle = work.idle();
    first.resolve();
    expect(await isSettled(idle)).toBe(false);
    second.resolve();
    await idle;
    expect(work.size).toBe(0);
  });

  it('waits also for work that work started while it ran', async () => {
    const work = new BackgroundWork(createMemoryLogger());
    const outer = deferred();
    const inner = deferred();
    let innerDone = false;
    work.run('outer', async () => {
      await outer.promise;
      work.run('inner', async () => {
        await inner.promise;
        innerDone = true;
      });
    });
    const idle = work.idle();
    outer.resolve();
    expect(await isSettled(idle)).toBe(false);
    inner.resolve();
    await idle;
    expect(innerDone).toBe(true);
  });

  it('logs a failed piece of work, never throws it, and forgets it', async () => {
    const logger = createMemoryLogger();
    const work = new BackgroundWork(logger);
    work.run('request r-22222223', () => Promise.reject(new Error('store is gone')));
    await expect(work.idle()).resolves.toBeUndefined();
    expect(work.size).toBe(0);
    const line = logger.lines.find((l) => l.includes('request r-22222223 failed'));
    expect(line).toContain('store is gone');
    expect(line).toContain('"level":"error"');
  });

  it('is idle at once when nothing runs', async () => {
    const work = new BackgroundWork(createMemoryLogger());
    expect(await isSettled(work.idle())).toBe(true);
  });
});
