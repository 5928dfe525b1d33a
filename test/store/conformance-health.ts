import type { StoreContext } from './conformance';

export function describeHealthConformance(ctx: () => StoreContext): void {
  describe('health', () => {
    it('is ok when the schema is at the version this build needs', async () => {
      expect(await ctx().store.health()).toBe('ok');
    });

    it('says unavailable, without throwing, once the store is closed', async () => {
      const [, second] = await ctx().both();
      await second.close();
      expect(await second.health()).toBe('unavailable');
    });
  });
}
