import type { RequestVolume } from '../../src/domain/backup-request';
import { asVolumeId } from '../../src/domain/ids';
import { step } from '../../src/domain/request-state';
import type { StoreContext } from './conformance';
import { allowedRequest, createRequest, HOUR, outcome, pendingRequest, T0, TEAM } from './fixtures';

const ids = (records: ReadonlyArray<{ readonly id: string }>): string[] => records.map((r) => r.id);

function volume(n: number): RequestVolume {
  const id = asVolumeId(`00000000-0000-4000-8000-${String(n).padStart(12, '0')}`);
  return { id, name: `vol-${n}`, status: 'in-use', availabilityZone: 'eu-de-01', sizeGb: 10, serverId: undefined };
}

export function describeOpenVolumeConformance(ctx: () => StoreContext): void {
  describe('open requests by volume', () => {
    it('finds the open requests of the workspace that hold any of the volumes, oldest first', async () => {
      const { store } = ctx();
      const a = allowedRequest({ volumes: [volume(1), volume(2)], createdAt: T0 });
      const b = pendingRequest({ volumes: [volume(2), volume(3)], createdAt: T0 + 1 });
      const other = allowedRequest({ volumes: [volume(4)], createdAt: T0 + 2 });
      const foreign = allowedRequest({ volumes: [volume(1)], teamId: 'T0OTHER001', createdAt: T0 + 3 });
      for (const r of [a, b, other, foreign]) await createRequest(store, r);
      expect(ids(await store.queries.listOpenHolding(TEAM, [volume(2).id], 10))).toEqual([a.id, b.id]);
      expect(ids(await store.queries.listOpenHolding(TEAM, [volume(1).id, volume(3).id, volume(1).id], 10))).toEqual([
        a.id,
        b.id,
      ]);
      expect(ids(await store.queries.listOpenHolding(TEAM, [volume(2).id], 1))).toEqual([a.id]);
      expect(await store.queries.listOpenHolding(TEAM, [], 10)).toEqual([]);
      expect(await store.queries.listOpenHolding(TEAM, [volume(9).id], 10)).toEqual([]);
    });

    it('forgets a request once it is final, whichever way it ends', async () => {
      const { store } = ctx();
      const finished = allowedRequest({ volumes: [volume(1)] });
      const denied = pendingRequest({ volumes: [volume(1)] });
      const running = allowedRequest({ volumes: [volume(1)] });
      for (const r of [finished, denied, running]) await createRequest(store, r);
      const runner = { owner: 'a', leaseUntil: T0 + HOUR };
      await store.requests.transition(finished.id, step('allowed', 'running'), { runner }, T0 + 1);
      await store.requests.transition(finished.id, step('running', 'succeeded'), { outcome: outcome() }, T0 + 2);
      await store.requests.transition(denied.id, step('pending_approval', 'denied'), {}, T0 + 3);
      await store.requests.transition(running.id, step('allowed', 'running'), { runner }, T0 + 4);
      expect(ids(await store.queries.listOpenHolding(TEAM, [volume(1).id], 10))).toEqual([running.id]);
    });
  });
}
