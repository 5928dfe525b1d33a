import type { StoreContext } from './conformance';
import { HOUR, newRequestId, T0, TEAM } from './fixtures';

export function describeDraftConformance(ctx: () => StoreContext): void {
  describe('modal drafts', () => {
    it('keeps a draft until it expires, then forgets and deletes it', async () => {
      const { store } = ctx();
      const draft = {
        id: newRequestId(),
        teamId: TEAM,
        userId: 'U0ALICE01',
        channelId: 'C0INC4711',
        createdAt: T0,
        expiresAt: T0 + HOUR,
      };
      const shortcut = { ...draft, id: newRequestId(), channelId: undefined };
      await store.drafts.create(draft);
      await store.drafts.create(shortcut);
      expect(await store.drafts.get(draft.id, T0 + HOUR - 1)).toEqual(draft);
      expect(await store.drafts.get(shortcut.id, T0)).toEqual(shortcut);
      expect(await store.drafts.get(draft.id, T0 + HOUR)).toBeUndefined();
      expect(await store.drafts.get(newRequestId(), T0)).toBeUndefined();
      expect(await store.drafts.deleteExpired(T0 + HOUR)).toBe(2);
      expect(await store.drafts.deleteExpired(T0 + HOUR)).toBe(0);
    });

    it('refuses a second draft with the same id', async () => {
      const { store } = ctx();
      const draft = {
        id: newRequestId(),
        teamId: TEAM,
        userId: 'U0ALICE01',
        channelId: undefined,
        createdAt: T0,
        expiresAt: T0 + HOUR,
      };
      await store.drafts.create(draft);
      await expect(store.drafts.create({ ...draft, userId: 'U0MALLORY' })).rejects.toThrow();
      expect((await store.drafts.get(draft.id, T0))!.userId).toBe('U0ALICE01');
    });
  });
}
