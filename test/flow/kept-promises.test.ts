import { KeptPromises } from '../../src/flow/kept-promises';
import { deferred } from '../helpers/deferred';
import { TestClock } from '../support/test-clock';

describe('KeptPromises', () => {
  it('shares one call within the time and calls again after it', async () => {
    const clock = new TestClock();
    const kept = new KeptPromises<number>(clock, 1000);
    let calls = 0;
    const load = () => Promise.resolve((calls += 1));
    expect(await Promise.all([kept.get('k', load), kept.get('k', load)])).toEqual([1, 1]);
    clock.advance(999);
    expect(await kept.get('k', load)).toBe(1);
    clock.advance(1);
    expect(await kept.get('k', load)).toBe(2);
    expect(await kept.get('other', load)).toBe(3);
  });

  it('does not keep a failed call, and forgets a key when told', async () => {
    const kept = new KeptPromises<string>(new TestClock(), 1000);
    await expect(kept.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await kept.get('k', () => Promise.resolve('up'))).toBe('up');
    kept.forget('k');
    expect(await kept.get('k', () => Promise.resolve('again'))).toBe('again');
  });

  it('keeps a newer call when one it replaced fails afterwards', async () => {
    const kept = new KeptPromises<string>(new TestClock(), 1000);
    const old = deferred<string>();
    const first = kept.get('k', () => old.promise);
    kept.forget('k');
    expect(await kept.get('k', () => Promise.resolve('new'))).toBe('new');
    old.reject(new Error('late failure'));
    await expect(first).rejects.toThrow('late failure');
    expect(await kept.get('k', () => Promise.resolve('not asked'))).toBe('new');
  });
});
