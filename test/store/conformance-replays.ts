import type { StoreContext } from './conformance';
import { concurrently, MINUTE, T0 } from './fixtures';

const KEY = '1767225600:v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const UNTIL = T0 + 10 * MINUTE;

export function describeReplayConformance(ctx: () => StoreContext): void {
  describe('replay memory', () => {
    it('remembers a key the first time only, for every connection', async () => {
      const [a, b] = await ctx().both();
      expect(await a.replays.remember(KEY, UNTIL, T0)).toBe(true);
      expect(await a.replays.remember(KEY, UNTIL, T0 + 1)).toBe(false);
      expect(await b.replays.remember(KEY, UNTIL, T0 + 12_000)).toBe(false);
      expect(await b.replays.remember(`${KEY}0`, UNTIL, T0 + 12_000)).toBe(true);
    });

    it('lets exactly one of 20 concurrent callers on two connections remember a key first', async () => {
      const [a, b] = await ctx().both();
      const results = await concurrently([a, b], 20, (store) => store.replays.remember(KEY, UNTIL, T0));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('forgets a key once it expired, so it can be remembered anew', async () => {
      const { store } = ctx();
      expect(await store.replays.remember(KEY, UNTIL, T0)).toBe(true);
      expect(await store.replays.remember(KEY, UNTIL + MINUTE, UNTIL - 1)).toBe(false);
      expect(await store.replays.remember(KEY, UNTIL + MINUTE, UNTIL)).toBe(true);
      expect(await store.replays.remember(KEY, UNTIL + 2 * MINUTE, UNTIL + 1)).toBe(false);
    });

    it('deletes only the expired keys', async () => {
      const { store } = ctx();
      await store.replays.remember('old', T0 + MINUTE, T0);
      await store.replays.remember('older', T0 + 1, T0);
      await store.replays.remember('fresh', UNTIL, T0);
      expect(await store.replays.deleteExpired(T0 + MINUTE)).toBe(2);
      expect(await store.replays.deleteExpired(T0 + MINUTE)).toBe(0);
      expect(await store.replays.remember('fresh', UNTIL, T0 + MINUTE)).toBe(false);
    });
  });
}
