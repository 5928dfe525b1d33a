import { step } from '../../src/domain/request-state';
import type { StoreContext } from './conformance';
import { allowedRequest, approvalInfo, createRequest, HOUR, pendingRequest, T0 } from './fixtures';

const ids = (records: ReadonlyArray<{ readonly id: string }>): string[] => records.map((r) => r.id);

export function describeListConformance(ctx: () => StoreContext): void {
  describe('queries', () => {
    it('lists pending requests whose approval expired at or before now, oldest expiry first, up to the limit', async () => {
      const { store } = ctx();
      const early = pendingRequest({ approval: approvalInfo({ expiresAt: T0 + HOUR }) });
      const onTime = pendingRequest({ approval: approvalInfo({ expiresAt: T0 + 2 * HOUR }) });
      const future = pendingRequest({ approval: approvalInfo({ expiresAt: T0 + 2 * HOUR + 1 }) });
      const decided = pendingRequest({ approval: approvalInfo({ expiresAt: T0 }) });
      for (const r of [onTime, future, early, decided]) await createRequest(store, r);
      await store.requests.transition(decided.id, step('pending_approval', 'approved'), {}, T0 + 1);
      expect(ids(await store.queries.listExpired(T0 + 2 * HOUR, 10))).toEqual([early.id, onTime.id]);
      expect(ids(await store.queries.listExpired(T0 + 2 * HOUR, 1))).toEqual([early.id]);
    });

    it('lists allowed and approved requests not changed since a given time, oldest first: interrupted starts', async () => {
      const { store } = ctx();
      const allowed = allowedRequest({ createdAt: T0 });
      const approved = pendingRequest({ createdAt: T0 });
      const fresh = allowedRequest({ createdAt: T0 + HOUR });
      const running = allowedRequest({ createdAt: T0 });
      const pending = pendingRequest({ createdAt: T0 });
      for (const r of [allowed, approved, running, pending]) await createRequest(store, r);
      await createRequest(store, fresh, T0 + HOUR);
      await store.requests.transition(approved.id, step('pending_approval', 'approved'), {}, T0 + 1);
      await store.requests.transition(
        running.id,
        step('allowed', 'running'),
        { runner: { owner: 'a', leaseUntil: T0 + HOUR } },
        T0 + 1,
      );
      expect(ids(await store.queries.listStartable(T0 + 10, 10))).toEqual([allowed.id, approved.id]);
      expect(ids(await store.queries.listStartable(T0 + 10, 1))).toEqual([allowed.id]);
      expect(ids(await store.queries.listStartable(T0 + HOUR, 10))).toEqual([allowed.id, approved.id, fresh.id]);
    });

    it('lists pending requests due a reminder that has not been sent', async () => {
      const { store } = ctx();
      const due = pendingRequest({ approval: approvalInfo({ remindAt: T0 + HOUR }) });
      const reminded = pendingRequest({ approval: approvalInfo({ remindAt: T0 + HOUR }) });
      const notYet = pendingRequest({ approval: approvalInfo({ remindAt: T0 + 3 * HOUR }) });
      const noReminder = pendingRequest({ approval: approvalInfo({ remindAt: undefined }) });
      const cancelled = pendingRequest({ approval: approvalInfo({ remindAt: T0 }) });
      for (const r of [due, reminded, notYet, noReminder, cancelled]) await createRequest(store, r);
      await store.requests.markReminded(reminded.id, T0 + HOUR);
      await store.requests.transition(cancelled.id, step('pending_approval', 'cancelled'), {}, T0 + 1);
      expect(ids(await store.queries.listDueReminders(T0 + 2 * HOUR, 10))).toEqual([due.id]);
    });

    it('lists pending approvals of one team only', async () => {
      const { store } = ctx();
      const mine = pendingRequest({ teamId: 'T0MINE' });
      const mineLater = pendingRequest({ teamId: 'T0MINE', createdAt: T0 + 1 });
      const other = pendingRequest({ teamId: 'T0OTHER' });
      const allowed = allowedRequest({ teamId: 'T0MINE' });
      for (const r of [mineLater, other, allowed, mine]) await createRequest(store, r);
      expect(ids(await store.queries.listPendingApprovals('T0MINE', 10))).toEqual([mine.id, mineLater.id]);
      expect(ids(await store.queries.listPendingApprovals('T0MINE', 1))).toEqual([mine.id]);
      // Every workspace's: /metrics reports the deployment's backlog of approvals.
      expect(await store.queries.countPendingApprovals()).toBe(3);
    });

    it('lists a team’s requests since a time, newest first, optionally for one requester, up to the limit', async () => {
      const { store } = ctx();
      const old = allowedRequest({ teamId: 'T0MINE', createdAt: T0 - 1 });
      const a1 = allowedRequest({ teamId: 'T0MINE', createdAt: T0, requesterId: 'U0ALICE01' });
      const b1 = pendingRequest({ teamId: 'T0MINE', createdAt: T0 + 1, requesterId: 'U0BOB0001' });
      const a2 = allowedRequest({ teamId: 'T0MINE', createdAt: T0 + 2, requesterId: 'U0ALICE01' });
      const foreign = allowedRequest({ teamId: 'T0OTHER', createdAt: T0 + 3, requesterId: 'U0ALICE01' });
      for (const r of [a1, foreign, old, a2, b1]) await createRequest(store, r);
      expect(ids(await store.queries.listRequests({ teamId: 'T0MINE', since: T0, limit: 10 }))).toEqual([
        a2.id,
        b1.id,
        a1.id,
      ]);
      expect(ids(await store.queries.listRequests({ teamId: 'T0MINE', since: T0, limit: 2 }))).toEqual([a2.id, b1.id]);
      const alices = await store.queries.listRequests({
        teamId: 'T0MINE',
        requesterId: 'U0ALICE01',
        since: T0,
        limit: 10,
      });
      expect(ids(alices)).toEqual([a2.id, a1.id]);
      expect(await store.queries.listRequests({ teamId: 'T0NOBODY', since: 0, limit: 10 })).toEqual([]);
    });
  });
}
