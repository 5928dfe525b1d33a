import type { BackupWatch } from '../../src/domain/backup-request';
import type { RequestId } from '../../src/domain/ids';
import { asVolumeId } from '../../src/domain/ids';
import { step } from '../../src/domain/request-state';
import type { RequestStore } from '../../src/store/request-store';
import type { StoreContext } from './conformance';
import { allowedRequest, createRequest, MINUTE, T0 } from './fixtures';

const VOLUME = asVolumeId('0f187b65-8d0e-4fc0-9096-3b55d330531e');

function watch(overrides: Partial<BackupWatch> = {}): BackupWatch {
  return {
    since: T0,
    deadline: T0 + 60 * MINUTE,
    nextRunAt: T0 + 5 * MINUTE,
    volumeIds: [VOLUME],
    found: [],
    checks: 0,
    nextCheckAt: T0 + MINUTE,
    closed: undefined,
    ...overrides,
  };
}

/** A finished request whose watch the finishing transition set. */
async function finishedWithWatch(store: RequestStore, w: BackupWatch = watch()): Promise<RequestId> {
  const request = allowedRequest();
  await createRequest(store, request);
  await store.requests.transition(request.id, step('allowed', 'running'), {}, T0);
  const done = await store.requests.transition(request.id, step('running', 'succeeded'), { watch: w }, T0);
  if (done === undefined) throw new Error('fixture could not finish the request');
  return request.id;
}

export function describeWatchConformance(ctx: () => StoreContext): void {
  describe('first-backup watches', () => {
    it('keeps the watch set with the final state, and lists it once it is due', async () => {
      const { store } = ctx();
      const id = await finishedWithWatch(store);
      expect((await store.requests.get(id))?.watch).toEqual(watch());
      expect(await store.watches.listDue(T0, 10)).toEqual([]);
      expect((await store.watches.listDue(T0 + MINUTE, 10)).map((r) => r.id)).toEqual([id]);
    });

    it('gives a due watch to exactly one claimer across connections, until its lease runs out', async () => {
      const [a, b] = await ctx().both();
      const id = await finishedWithWatch(a);
      const now = T0 + MINUTE;
      const wins = await Promise.all([
        a.watches.claim(id, 'replica-a', now + MINUTE, now),
        b.watches.claim(id, 'replica-b', now + MINUTE, now),
      ]);
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await a.watches.listDue(now, 10)).toEqual([]);
      expect((await a.watches.listDue(now + 2 * MINUTE, 10)).map((r) => r.id)).toEqual([id]);
    });

    it('saves only for the holder, with the messages it owes, and a closed watch is never due again', async () => {
      const { store } = ctx();
      const id = await finishedWithWatch(store);
      const now = T0 + MINUTE;
      expect(await store.watches.claim(id, 'replica-a', now + MINUTE, now)).toBe(true);
      expect(await store.watches.save(id, 'replica-b', watch({ checks: 1 }), now)).toBeUndefined();
      const closed = watch({
        checks: 1,
        closed: 'all_done',
        nextCheckAt: undefined,
        found: [
          {
            volumeId: VOLUME,
            status: 'succeeded',
            cloudStatus: 'EXECUTE_SUCCESS',
            name: 'autobk_e6d2',
            at: now,
            message: undefined,
          },
        ],
      });
      const saved = await store.watches.save(id, 'replica-a', closed, now, {
        messages: [{ kind: 'thread.first_backup', volumeId: VOLUME }],
      });
      expect(saved?.watch).toEqual(closed);
      expect((await store.outbox.listOpen(id)).map((m) => m.intent)).toContainEqual({
        kind: 'thread.first_backup',
        volumeId: VOLUME,
      });
      expect(await store.watches.listDue(T0 + 10_000 * MINUTE, 10)).toEqual([]);
    });
  });
}
