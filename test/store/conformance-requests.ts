import { step } from '../../src/domain/request-state';
import type { StoreContext } from './conformance';
import {
  allowedRequest,
  approvalInfo,
  concurrently,
  createRequest,
  expectedRecord,
  HOUR,
  MINUTE,
  newRequestId,
  outcome,
  pendingRequest,
  T0,
} from './fixtures';

export function describeRequestConformance(ctx: () => StoreContext): void {
  describe('create and get', () => {
    it('returns the existing request, writing nothing, when one with the same id exists (a form submitted twice)', async () => {
      const [a, b] = await ctx().both();
      const r = allowedRequest();
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 === 0 ? a : b).requests.create(r, { key: `form:${r.id}:${i % 3}`, windowMs: MINUTE }, T0 + i, {
            messages: [{ kind: 'root.post' }],
          }),
        ),
      );
      expect(results.filter((x) => x.created)).toHaveLength(1);
      for (const x of results) expect(x.created ? x.request.id : x.existing.id).toBe(r.id);
      expect(await a.outbox.listOpen(r.id)).toHaveLength(1);
    });

    it('stores a request whose optional fields are undefined and reads it back exactly', async () => {
      const request = allowedRequest();
      const result = await ctx().store.requests.create(request, { key: 'k-1', windowMs: MINUTE }, T0 + 5);
      expect(result).toStrictEqual({ created: true, request: expectedRecord(request, T0 + 5) });
      expect(await ctx().store.requests.get(request.id)).toStrictEqual(expectedRecord(request, T0 + 5));
    });

    it('stores a request with approval, volumes and every optional field set and reads it back exactly', async () => {
      const request = pendingRequest({ approval: approvalInfo({ remindedAt: T0 + 1, comment: 'c', decidedAt: T0 }) });
      await createRequest(ctx().store, request);
      expect(await ctx().store.requests.get(request.id)).toStrictEqual(expectedRecord(request, T0));
    });

    it('returns undefined for an unknown id', async () => {
      expect(await ctx().store.requests.get(newRequestId())).toBeUndefined();
    });

    it('returns the first request for the same dedupe key within the window and does not store the second', async () => {
      const first = allowedRequest();
      const again = allowedRequest();
      await ctx().store.requests.create(first, { key: 'slack:T1:trigger-1', windowMs: MINUTE }, T0);
      const result = await ctx().store.requests.create(
        again,
        { key: 'slack:T1:trigger-1', windowMs: MINUTE },
        T0 + MINUTE - 1,
      );
      expect(result).toStrictEqual({ created: false, existing: expectedRecord(first, T0) });
      expect(await ctx().store.requests.get(again.id)).toBeUndefined();
    });

    it('reads which request a dedupe key stands for, as create would find it, without recording anything', async () => {
      const store = ctx().store;
      const first = allowedRequest();
      expect(await store.requests.deduped('k-read', MINUTE, T0)).toBeUndefined();
      await store.requests.create(first, { key: 'k-read', windowMs: MINUTE }, T0);
      expect(await store.requests.deduped('k-read', MINUTE, T0 + MINUTE - 1)).toStrictEqual(expectedRecord(first, T0));
      // Past the window it stands for nothing, as create would then record anew.
      expect(await store.requests.deduped('k-read', MINUTE, T0 + MINUTE)).toBeUndefined();
      expect(await store.requests.deduped('k-other', MINUTE, T0)).toBeUndefined();
    });

    it('creates a new request for the same key once the window has passed, and later duplicates get the new one', async () => {
      const first = allowedRequest();
      const later = allowedRequest();
      await ctx().store.requests.create(first, { key: 'k', windowMs: MINUTE }, T0);
      const result = await ctx().store.requests.create(later, { key: 'k', windowMs: MINUTE }, T0 + MINUTE);
      expect(result.created).toBe(true);
      const dup = await ctx().store.requests.create(allowedRequest(), { key: 'k', windowMs: MINUTE }, T0 + MINUTE + 1);
      expect(dup.created ? undefined : dup.existing.id).toBe(later.id);
    });

    it('forgets a double-submit key once its window has ended, and only then; the request stays', async () => {
      const store = ctx().store;
      const old = allowedRequest();
      await store.requests.create(old, { key: 'k-minute', windowMs: MINUTE }, T0);
      await store.requests.create(allowedRequest(), { key: 'k-hour', windowMs: HOUR }, T0);
      expect(await store.requests.forgetExpiredDedupe(T0 + MINUTE - 1)).toBe(0);
      expect(await store.requests.forgetExpiredDedupe(T0 + MINUTE)).toBe(1);
      expect(await store.requests.forgetExpiredDedupe(T0 + MINUTE)).toBe(0);
      // The key still in its window still catches a double submit.
      const dup = await store.requests.create(allowedRequest(), { key: 'k-hour', windowMs: HOUR }, T0 + MINUTE + 1);
      expect(dup.created).toBe(false);
      expect((await store.requests.get(old.id))?.id).toBe(old.id);
      const again = await store.requests.create(
        allowedRequest(),
        { key: 'k-minute', windowMs: MINUTE },
        T0 + MINUTE + 1,
      );
      expect(again.created).toBe(true);
    });

    it('creates both requests when the dedupe keys differ', async () => {
      const a = await ctx().store.requests.create(allowedRequest(), { key: 'a', windowMs: HOUR }, T0);
      const b = await ctx().store.requests.create(allowedRequest(), { key: 'b', windowMs: HOUR }, T0);
      expect([a.created, b.created]).toEqual([true, true]);
    });

    it('creates exactly one request when 20 creates with one key race over two connections', async () => {
      const stores = await ctx().both();
      const requests = Array.from({ length: 20 }, () => allowedRequest({ teamId: 'T0RACE' }));
      const results = await concurrently(stores, 20, (s, i) =>
        s.requests.create(requests[i]!, { key: 'race', windowMs: HOUR }, T0 + i),
      );
      const winners = results.flatMap((r) => (r.created ? [r.request.id] : []));
      expect(winners).toHaveLength(1);
      expect(results.flatMap((r) => (r.created ? [] : [r.existing.id]))).toEqual(Array(19).fill(winners[0]));
      const stored = await ctx().store.queries.listRequests({ teamId: 'T0RACE', since: 0, limit: 100 });
      expect(stored.map((r) => r.id)).toEqual(winners);
    });
  });

  describe('transition', () => {
    it('moves the state, replaces the approval with the patch and bumps updatedAt', async () => {
      const request = pendingRequest();
      await createRequest(ctx().store, request);
      const approval = approvalInfo({
        decidedBy: 'U0BOB0001',
        decidedAt: T0 + HOUR,
        comment: 'ok',
        expiresAt: T0 + 2 * HOUR,
        remindAt: undefined,
      });
      const moved = await ctx().store.requests.transition(
        request.id,
        step('pending_approval', 'approved'),
        { approval },
        T0 + HOUR,
      );
      const expected = { ...expectedRecord(request, T0 + HOUR), state: 'approved', approval };
      expect(moved).toStrictEqual(expected);
      expect(await ctx().store.requests.get(request.id)).toStrictEqual(expected);
    });

    it('records the execution outcome with the final state', async () => {
      const request = allowedRequest();
      await createRequest(ctx().store, request);
      await ctx().store.requests.transition(
        request.id,
        step('allowed', 'running'),
        { runner: { owner: 'r1', leaseUntil: T0 + HOUR } },
        T0 + 1,
      );
      const result = outcome();
      const done = await ctx().store.requests.transition(
        request.id,
        step('running', 'partially_failed'),
        { outcome: result },
        T0 + 2,
      );
      expect(done).toStrictEqual({ ...expectedRecord(request, T0 + 2), state: 'partially_failed', outcome: result });
    });

    it('keeps fields the patch does not mention', async () => {
      const request = pendingRequest();
      await createRequest(ctx().store, request);
      const moved = await ctx().store.requests.transition(request.id, step('pending_approval', 'expired'), {}, T0 + 2);
      expect(moved?.approval).toStrictEqual(request.approval);
    });

    it('returns undefined and changes nothing when the request is not in the from-state', async () => {
      const request = allowedRequest();
      await createRequest(ctx().store, request);
      const lost = await ctx().store.requests.transition(request.id, step('pending_approval', 'approved'), {}, T0 + 1);
      expect(lost).toBeUndefined();
      expect(await ctx().store.requests.get(request.id)).toStrictEqual(expectedRecord(request, T0));
    });

    it('returns undefined for an unknown request', async () => {
      expect(await ctx().store.requests.transition(newRequestId(), step('allowed', 'running'), {}, T0)).toBeUndefined();
    });

    it('lets exactly one of 50 concurrent approvals win, and the stored approval is the winner’s', async () => {
      const request = pendingRequest();
      await createRequest(ctx().store, request);
      const stores = await ctx().both();
      const results = await concurrently(stores, 50, (s, i) =>
        s.requests.transition(
          request.id,
          step('pending_approval', 'approved'),
          { approval: approvalInfo({ decidedBy: `U${i}` }) },
          T0 + i,
        ),
      );
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(await ctx().store.requests.get(request.id)).toStrictEqual(winners[0]);
    });

    it('lets exactly one of 50 concurrent runners take an approved request', async () => {
      const request = pendingRequest();
      await createRequest(ctx().store, request);
      await ctx().store.requests.transition(request.id, step('pending_approval', 'approved'), {}, T0 + 1);
      const stores = await ctx().both();
      const results = await concurrently(stores, 50, (s, i) =>
        s.requests.transition(
          request.id,
          step('approved', 'running'),
          { runner: { owner: `runner-${i}`, leaseUntil: T0 + HOUR } },
          T0 + 2,
        ),
      );
      const winner = results.findIndex((r) => r !== undefined);
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      const renewals = await concurrently([ctx().store], 50, (s, i) =>
        s.requests.renewRun(request.id, `runner-${i}`, T0 + 2 * HOUR),
      );
      expect(renewals.flatMap((ok, i) => (ok ? [i] : []))).toEqual([winner]);
    });
  });

  describe('setMessages and markReminded', () => {
    it('records the root and approval messages once each; later calls keep the first', async () => {
      const request = pendingRequest();
      await createRequest(ctx().store, request);
      const root = { channel: 'C0INC4711', ts: '1767225600.000100' };
      const first = await ctx().store.requests.setMessages(request.id, { root }, T0 + 1);
      expect(first).toStrictEqual({ ...expectedRecord(request, T0 + 1), rootMessage: root });
      const approval = { channel: 'C0APPROVE', ts: '1767225601.000200' };
      const second = await ctx().store.requests.setMessages(
        request.id,
        { root: { channel: 'C0OTHER', ts: '1.2' }, approval },
        T0 + 2,
      );
      expect(second).toStrictEqual({
        ...expectedRecord(request, T0 + 2),
        rootMessage: root,
        approvalMessage: approval,
      });
      const third = await ctx().store.requests.setMessages(request.id, { root: { channel: 'C0X', ts: '3.4' } }, T0 + 3);
      expect(third).toStrictEqual(second);
    });

    it('returns undefined when setting messages on an unknown request', async () => {
      expect(
        await ctx().store.requests.setMessages(newRequestId(), { root: { channel: 'C1', ts: '1.1' } }, T0),
      ).toBeUndefined();
    });

    it('marks the reminder sent exactly once across connections and stops listing it as due', async () => {
      const request = pendingRequest();
      await createRequest(ctx().store, request);
      const stores = await ctx().both();
      const results = await concurrently(stores, 10, (s) => s.requests.markReminded(request.id, T0 + 5 * HOUR));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await ctx().store.requests.get(request.id))?.approval?.remindedAt).toBe(T0 + 5 * HOUR);
      expect(await ctx().store.queries.listDueReminders(T0 + 6 * HOUR, 10)).toEqual([]);
    });

    it('does not mark a reminder for an unknown or already decided request', async () => {
      const request = pendingRequest();
      await createRequest(ctx().store, request);
      await ctx().store.requests.transition(request.id, step('pending_approval', 'denied'), {}, T0 + 1);
      expect(await ctx().store.requests.markReminded(request.id, T0 + 5 * HOUR)).toBe(false);
      expect(await ctx().store.requests.markReminded(newRequestId(), T0 + 5 * HOUR)).toBe(false);
    });
  });
}
