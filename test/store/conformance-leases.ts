import type { AuditEvent } from '../../src/domain/backup-request';
import type { RequestId } from '../../src/domain/ids';
import { step } from '../../src/domain/request-state';
import type { RequestStore } from '../../src/store/request-store';
import type { StoreContext } from './conformance';
import { allowedRequest, concurrently, createRequest, MINUTE, T0, TEAM } from './fixtures';

const LEASE_END = T0 + 5 * MINUTE;

function finished(requestId: RequestId, runner: string): AuditEvent {
  return { requestId, teamId: TEAM, at: LEASE_END, actor: 'bot', kind: 'finished', detail: { runner } };
}

async function startRun(store: RequestStore, owner = 'runner-a'): Promise<RequestId> {
  const request = allowedRequest();
  await createRequest(store, request);
  const running = await store.requests.transition(
    request.id,
    step('allowed', 'running'),
    { runner: { owner, leaseUntil: LEASE_END } },
    T0 + 1,
  );
  if (running === undefined) throw new Error('fixture could not start the run');
  return request.id;
}

export function describeLeaseConformance(ctx: () => StoreContext): void {
  describe('runner lease', () => {
    it('lets only the owner renew a running claim', async () => {
      const id = await startRun(ctx().store);
      expect(await ctx().store.requests.renewRun(id, 'runner-b', LEASE_END + MINUTE)).toBe(false);
      expect(await ctx().store.requests.renewRun(id, 'runner-a', LEASE_END + MINUTE)).toBe(true);
      expect(await ctx().store.queries.listStaleRunning(LEASE_END + 1, 10)).toEqual([]);
    });

    it('does not renew a request that is no longer running', async () => {
      const id = await startRun(ctx().store);
      await ctx().store.requests.transition(id, step('running', 'succeeded'), {}, T0 + 2);
      expect(await ctx().store.requests.renewRun(id, 'runner-a', LEASE_END + MINUTE)).toBe(false);
    });

    it('lists a running request as stale only once its lease is in the past', async () => {
      const id = await startRun(ctx().store);
      await startRun(ctx().store, 'runner-b').then((other) =>
        ctx().store.requests.renewRun(other, 'runner-b', LEASE_END + MINUTE),
      );
      expect(await ctx().store.queries.listStaleRunning(LEASE_END, 10)).toEqual([]);
      const stale = await ctx().store.queries.listStaleRunning(LEASE_END + 1, 10);
      expect(stale.map((r) => r.id)).toEqual([id]);
      expect(stale[0]?.state).toBe('running');
    });

    it('does not list finished requests as stale', async () => {
      const id = await startRun(ctx().store);
      await ctx().store.requests.transition(id, step('running', 'failed'), {}, T0 + 2);
      expect(await ctx().store.queries.listStaleRunning(LEASE_END + 1, 10)).toEqual([]);
    });

    it('refuses to take over a run while its lease is valid', async () => {
      const id = await startRun(ctx().store);
      expect(await ctx().store.requests.claimStaleRun(id, 'runner-b', LEASE_END + MINUTE, LEASE_END)).toBeUndefined();
      expect(await ctx().store.requests.renewRun(id, 'runner-a', LEASE_END + MINUTE)).toBe(true);
    });

    it('hands a stale run to exactly one of 20 concurrent claimers, who then owns it', async () => {
      const id = await startRun(ctx().store);
      const stores = await ctx().both();
      const results = await concurrently(stores, 20, (s, i) =>
        s.requests.claimStaleRun(id, `rescuer-${i}`, LEASE_END + 10 * MINUTE, LEASE_END + 1),
      );
      const winners = results.flatMap((ok, i) => (ok ? [i] : []));
      expect(winners).toHaveLength(1);
      expect(await ctx().store.requests.renewRun(id, 'runner-a', LEASE_END + 20 * MINUTE)).toBe(false);
      expect(await ctx().store.requests.renewRun(id, `rescuer-${winners[0]}`, LEASE_END + 20 * MINUTE)).toBe(true);
      expect(await ctx().store.queries.listStaleRunning(LEASE_END + 1, 10)).toEqual([]);
    });

    it('lets only the runner holding a run finish it, when the finish names its runner', async () => {
      const { store } = ctx();
      const id = await startRun(store);
      expect(await store.requests.claimStaleRun(id, 'runner-b', LEASE_END + MINUTE, LEASE_END + 1)).toBe('taken_over');
      // runner-a stalled past its lease and comes back with its outcome: refused, no row changed.
      const outcome = { added: [], failed: [], startedAt: T0 + 1, finishedAt: LEASE_END + 2 };
      const late = { audit: [finished(id, 'runner-a')], messages: [{ kind: 'thread.summary' as const }] };
      expect(
        await store.requests.transition(
          id,
          step('running', 'failed'),
          { outcome, heldBy: 'runner-a' },
          LEASE_END + 2,
          late,
        ),
      ).toBeUndefined();
      expect(await store.requests.get(id)).toMatchObject({ state: 'running', outcome: undefined });
      expect(await store.audit.list(id)).toEqual([]);
      expect(await store.outbox.listOpen(id)).toEqual([]);
      const done = await store.requests.transition(
        id,
        step('running', 'succeeded'),
        { outcome, heldBy: 'runner-b' },
        LEASE_END + 3,
      );
      expect(done).toMatchObject({ state: 'succeeded', outcome });
    });

    it("gives a run back only for its runner: resumable at once, and no longer that runner's to finish", async () => {
      const { store } = ctx();
      const id = await startRun(store);
      expect(await store.requests.releaseRun(id, 'runner-b')).toBe(false);
      expect(await store.queries.listStaleRunning(T0 + 2, 10)).toEqual([]);
      expect(await store.requests.releaseRun(id, 'runner-a')).toBe(true);
      expect(await store.requests.releaseRun(id, 'runner-a')).toBe(false);
      expect(await store.requests.renewRun(id, 'runner-a', LEASE_END + MINUTE)).toBe(false);
      const outcome = { added: [], failed: [], startedAt: T0 + 1, finishedAt: T0 + 2 };
      expect(
        await store.requests.transition(id, step('running', 'failed'), { outcome, heldBy: 'runner-a' }, T0 + 2),
      ).toBeUndefined();
      // Well within the lease runner-a had.
      expect((await store.queries.listStaleRunning(T0 + 2, 10)).map((r) => r.id)).toEqual([id]);
      // Given back, not taken from a runner whose lease ran out: a stopping runner's, not a dead one's.
      expect(await store.requests.claimStaleRun(id, 'runner-b', LEASE_END, T0 + 2)).toBe('handed_over');
      expect(await store.requests.renewRun(id, 'runner-b', LEASE_END + MINUTE)).toBe(true);
    });

    it('gives back no run that is not running', async () => {
      const { store } = ctx();
      const id = await startRun(store);
      await store.requests.transition(id, step('running', 'succeeded'), { heldBy: 'runner-a' }, T0 + 2);
      expect(await store.requests.releaseRun(id, 'runner-a')).toBe(false);
      expect((await store.requests.get(id))?.state).toBe('succeeded');
    });

    it('does not take over a request that is not running', async () => {
      const request = allowedRequest();
      await createRequest(ctx().store, request);
      expect(await ctx().store.requests.claimStaleRun(request.id, 'rescuer', LEASE_END, T0 + 1)).toBeUndefined();
      expect((await ctx().store.requests.get(request.id))?.state).toBe('allowed');
    });
  });
}
