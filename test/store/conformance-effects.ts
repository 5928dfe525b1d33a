import type { AuditEvent } from '../../src/domain/backup-request';
import type { RequestId } from '../../src/domain/ids';
import { step } from '../../src/domain/request-state';
import type { StoreContext } from './conformance';
import { allowedRequest, approvalInfo, concurrently, MINUTE, pendingRequest, T0, TEAM } from './fixtures';

const event = (requestId: RequestId, kind: 'received' | 'approved' | 'reminded'): AuditEvent => ({
  requestId,
  teamId: TEAM,
  at: T0,
  actor: 'U0BOB0001',
  kind,
  detail: { n: 1 },
});

export function describeEffectsConformance(ctx: () => StoreContext): void {
  describe('effects written with a state change', () => {
    it('writes a new request, its audit entry and its first message together', async () => {
      const { store } = ctx();
      const r = allowedRequest();
      const created = await store.requests.create(r, { key: `k-${r.id}`, windowMs: MINUTE }, T0, {
        audit: [event(r.id, 'received')],
        messages: [{ kind: 'root.post' }],
      });
      expect(created.created).toBe(true);
      expect((await store.audit.list(r.id)).map((e) => e.kind)).toEqual(['received']);
      expect((await store.outbox.listOpen(r.id)).map((m) => m.intent.kind)).toEqual(['root.post']);
      // A deduplicated second create writes nothing.
      const again = await store.requests.create(
        { ...r, id: allowedRequest().id },
        { key: `k-${r.id}`, windowMs: MINUTE },
        T0 + 1,
        {
          audit: [event(r.id, 'received')],
          messages: [{ kind: 'root.post' }],
        },
      );
      expect(again.created).toBe(false);
      expect(await store.audit.list(r.id)).toHaveLength(1);
      expect(await store.outbox.listOpen(r.id)).toHaveLength(1);
    });

    it('writes a transition’s effects only for the one caller that wins it', async () => {
      const [a, b] = await ctx().both();
      const r = pendingRequest();
      await a.requests.create(r, { key: `k-${r.id}`, windowMs: MINUTE }, T0);
      const results = await concurrently([a, b], 20, (store) =>
        store.requests.transition(r.id, step('pending_approval', 'approved'), {}, T0 + 1, {
          audit: [event(r.id, 'approved')],
          messages: [{ kind: 'card.update' }, { kind: 'root.update' }],
        }),
      );
      expect(results.filter((x) => x !== undefined)).toHaveLength(1);
      expect((await a.audit.list(r.id)).map((e) => e.kind)).toEqual(['approved']);
      expect((await a.outbox.listOpen(r.id)).map((m) => m.intent.kind)).toEqual(['card.update', 'root.update']);
    });

    it('writes nothing when the compare-and-set loses', async () => {
      const { store } = ctx();
      const r = allowedRequest();
      await store.requests.create(r, { key: `k-${r.id}`, windowMs: MINUTE }, T0);
      const lost = await store.requests.transition(r.id, step('pending_approval', 'approved'), {}, T0 + 1, {
        audit: [event(r.id, 'approved')],
        messages: [{ kind: 'card.update' }],
      });
      expect(lost).toBeUndefined();
      expect(await store.audit.list(r.id)).toEqual([]);
      expect(await store.outbox.listOpen(r.id)).toEqual([]);
    });

    it('queues the reminder with the mark, once', async () => {
      const [a, b] = await ctx().both();
      const r = pendingRequest({ approval: approvalInfo({ remindAt: T0 }) });
      await a.requests.create(r, { key: `k-${r.id}`, windowMs: MINUTE }, T0);
      const won = await concurrently([a, b], 10, (store) =>
        store.requests.markReminded(r.id, T0 + 1, {
          audit: [event(r.id, 'reminded')],
          messages: [{ kind: 'card.remind' }],
        }),
      );
      expect(won.filter(Boolean)).toHaveLength(1);
      expect((await a.outbox.listOpen(r.id)).map((m) => m.intent.kind)).toEqual(['card.remind']);
      expect((await b.audit.list(r.id)).map((e) => e.kind)).toEqual(['reminded']);
    });
  });
}
