import type { AuditEvent } from '../../src/domain/backup-request';
import type { RequestId } from '../../src/domain/ids';
import type { MessageIntent } from '../../src/domain/message-intent';
import type { OutboxMessage, RequestStore } from '../../src/store/request-store';
import type { StoreContext } from './conformance';
import { allowedRequest, createRequest, MINUTE, newRequestId, T0, TEAM } from './fixtures';

const LEASE = MINUTE;
const SOME_INTENTS: readonly MessageIntent[] = [
  { kind: 'root.post' },
  { kind: 'thread.note', note: 'waiting' },
  { kind: 'card.post' },
  { kind: 'thread.summary' },
];

async function requestWithMessages(
  store: RequestStore,
  count: number,
  now = T0,
): Promise<[RequestId, OutboxMessage[]]> {
  const request = allowedRequest();
  await createRequest(store, request);
  const intents = Array.from({ length: count }, (_, i) => SOME_INTENTS[i % SOME_INTENTS.length]!);
  return [request.id, await store.outbox.enqueue(request.id, intents, now)];
}

const idsOf = (messages: ReadonlyArray<{ readonly id: number }>): number[] => messages.map((m) => m.id);

export function describeOutboxConformance(ctx: () => StoreContext): void {
  describe('outbox', () => {
    it('enqueues messages with ids in order, due now, and lists them as open', async () => {
      const { store } = ctx();
      const request = allowedRequest();
      await createRequest(store, request);
      const queued = await store.outbox.enqueue(
        request.id,
        [{ kind: 'thread.note', note: 'waiting' }, { kind: 'root.post' }],
        T0,
      );
      const [first, second] = queued;
      expect(first).toStrictEqual({
        id: first!.id,
        requestId: request.id,
        intent: { kind: 'thread.note', note: 'waiting' },
        attempts: 0,
        claims: 0,
        nextAttemptAt: T0,
        createdAt: T0,
        lastError: undefined,
      });
      expect(second!.id).toBeGreaterThan(first!.id);
      expect(await store.outbox.listOpen(request.id)).toStrictEqual(queued);
      expect(await store.outbox.enqueue(request.id, [], T0)).toEqual([]);
    });

    it('refuses messages for an unknown request', async () => {
      await expect(ctx().store.outbox.enqueue(newRequestId(), [{ kind: 'root.post' }], T0)).rejects.toThrow();
    });

    it('claims only the oldest open message of each request', async () => {
      const { store } = ctx();
      const [, a] = await requestWithMessages(store, 2);
      const [, b] = await requestWithMessages(store, 1);
      const claimed = await store.outbox.claimDue('w1', T0, LEASE, 10);
      expect(idsOf(claimed).sort((x, y) => x - y)).toEqual([a[0]!.id, b[0]!.id]);
      expect(claimed.map((m) => m.attempts)).toEqual([0, 0]);
      expect(await store.outbox.claimDue('w2', T0, LEASE, 10)).toEqual([]);
    });

    it('does not claim the second message of a request while the first is open, and does once it is done', async () => {
      const { store } = ctx();
      const [, [m1, m2]] = await requestWithMessages(store, 2);
      expect(await store.outbox.claim(m2!.id, 'w1', T0, LEASE)).toBeUndefined();
      await store.outbox.claim(m1!.id, 'w1', T0, LEASE);
      await store.outbox.complete(m1!.id, 'w1', T0 + 1);
      expect(idsOf(await store.outbox.claimDue('w2', T0 + 2, LEASE, 10))).toEqual([m2!.id]);
    });

    it("keeps a delivered message's post and audit entry with its completion, or none of them", async () => {
      const { store } = ctx();
      const [requestId, [m1, m2]] = await requestWithMessages(store, 2);
      const root = { channel: 'C0ROOT', ts: '1700000000.000100' };
      const posted = (at: number): AuditEvent => ({
        requestId,
        teamId: TEAM,
        at,
        actor: 'bot',
        kind: 'message_posted',
        detail: { kind: 'root.post' },
      });
      await store.outbox.claim(m1!.id, 'w1', T0, LEASE);
      await store.outbox.complete(m1!.id, 'w1', T0 + 1, { posted: { requestId, root }, audit: [posted(T0 + 1)] });
      expect((await store.requests.get(requestId))?.rootMessage).toEqual(root);
      expect((await store.audit.list(requestId)).filter((e) => e.kind === 'message_posted')).toHaveLength(1);
      expect(idsOf(await store.outbox.listOpen(requestId))).toEqual([m2!.id]);

      // An entry the store cannot write takes the completion and the ref down with it.
      await store.outbox.claim(m2!.id, 'w1', T0 + 2, LEASE);
      const unwritable = { ...posted(T0 + 3), teamId: null } as unknown as AuditEvent;
      const card = { channel: 'C0CARD', ts: '1700000000.000200' };
      await expect(
        store.outbox.complete(m2!.id, 'w1', T0 + 3, { posted: { requestId, approval: card }, audit: [unwritable] }),
      ).rejects.toThrow();
      expect((await store.requests.get(requestId))?.approvalMessage).toBeUndefined();
      expect(idsOf(await store.outbox.listOpen(requestId))).toEqual([m2!.id]);
      expect((await store.audit.list(requestId)).filter((e) => e.kind === 'message_posted')).toHaveLength(1);
    });

    it('closes the root edits a delivery covered with it, and audits it: only open edits of that request, and only while the claim is its own', async () => {
      const { store } = ctx();
      const request = allowedRequest();
      await createRequest(store, request);
      const [post, summary, edit, laterEdit] = await store.outbox.enqueue(
        request.id,
        [{ kind: 'root.post' }, { kind: 'thread.summary' }, { kind: 'root.update' }, { kind: 'root.update' }],
        T0,
      );
      const [otherId, [otherPost]] = await requestWithMessages(store, 1);
      const [otherEdit] = await store.outbox.enqueue(otherId, [{ kind: 'root.update' }], T0);
      const audit: AuditEvent[] = [
        {
          requestId: request.id,
          teamId: TEAM,
          at: T0,
          actor: 'bot',
          kind: 'message_posted',
          detail: { kind: 'root.post', coveredEdits: 1 },
        },
      ];
      const covering = (covered: readonly number[]) => ({ covered, audit });
      const posted = async () => (await store.audit.list(request.id)).filter((e) => e.kind === 'message_posted');

      // A claim that ran out covers nothing and audits nothing, and the message stays open too.
      await store.outbox.claim(post!.id, 'w1', T0, LEASE);
      await store.outbox.claim(post!.id, 'w2', T0 + LEASE, LEASE);
      await store.outbox.complete(post!.id, 'w1', T0 + LEASE + 1, covering([edit!.id]));
      expect(idsOf(await store.outbox.listOpen(request.id))).toEqual(idsOf([post!, summary!, edit!, laterEdit!]));
      expect(await posted()).toEqual([]);

      // A completion the store cannot write closes no edit either.
      const unwritable = [{ ...audit[0]!, teamId: null } as unknown as AuditEvent];
      await expect(
        store.outbox.complete(post!.id, 'w2', T0 + LEASE + 2, { covered: [edit!.id], audit: unwritable }),
      ).rejects.toThrow();
      expect(idsOf(await store.outbox.listOpen(request.id))).toEqual(idsOf([post!, summary!, edit!, laterEdit!]));

      // Its owner's completion closes the edits named, not a message of another kind or another request.
      await store.outbox.complete(
        post!.id,
        'w2',
        T0 + LEASE + 2,
        covering([edit!.id, summary!.id, otherEdit!.id, otherPost!.id]),
      );
      expect(idsOf(await store.outbox.listOpen(request.id))).toEqual(idsOf([summary!, laterEdit!]));
      expect(idsOf(await store.outbox.listOpen(otherId))).toEqual(idsOf([otherPost!, otherEdit!]));
      expect((await posted()).map((e) => e.detail)).toEqual([{ kind: 'root.post', coveredEdits: 1 }]);
    });

    it('claims the next message in the completion’s transaction when asked, and lists what is open', async () => {
      const { store } = ctx();
      const [requestId, [m1, m2, m3]] = await requestWithMessages(store, 3);
      const [otherId, [other]] = await requestWithMessages(store, 1);
      await store.outbox.claim(m1!.id, 'w1', T0, LEASE);
      expect(await store.outbox.complete(m1!.id, 'w1', T0 + 1, {}, { owner: 'w1#2', leaseMs: LEASE })).toStrictEqual({
        open: [m2, m3],
        claimed: { ...m2, claims: 1, takenOver: false },
      });
      // It is w1#2's now: no one else claims it, and only w1#2 completes it.
      expect(await store.outbox.claim(m2!.id, 'w2', T0 + 2, LEASE)).toBeUndefined();
      expect(await store.outbox.claimDue('w2', T0 + 2, LEASE, 10)).toStrictEqual([
        { ...other, claims: 1, takenOver: false },
      ]);
      await store.outbox.complete(m2!.id, 'w1', T0 + 3);
      expect(idsOf(await store.outbox.listOpen(requestId))).toEqual([m2!.id, m3!.id]);
      // Its claim runs out like any other: a lease taken over.
      expect((await store.outbox.claim(m2!.id, 'w3', T0 + 1 + LEASE, LEASE))?.takenOver).toBe(true);
      // The last message: nothing left to claim, and another request's messages are not this one's.
      await store.outbox.complete(m2!.id, 'w3', T0 + 2 + LEASE);
      await store.outbox.claim(m3!.id, 'w3', T0 + 2 + LEASE, LEASE);
      expect(
        await store.outbox.complete(m3!.id, 'w3', T0 + 3 + LEASE, {}, { owner: 'w3#2', leaseMs: LEASE }),
      ).toStrictEqual({ open: [], claimed: undefined });
      expect(idsOf(await store.outbox.listOpen(otherId))).toEqual([other!.id]);
    });

    it('claims no next message that is not due, nor after a completion that did not hold', async () => {
      const { store } = ctx();
      const [requestId, [m1]] = await requestWithMessages(store, 1);
      const [later] = await store.outbox.enqueue(requestId, [{ kind: 'root.update' }], T0 + 10);
      await store.outbox.claim(m1!.id, 'w1', T0, LEASE);
      expect(await store.outbox.complete(m1!.id, 'w1', T0 + 1, {}, { owner: 'w1#2', leaseMs: LEASE })).toStrictEqual({
        open: [later],
        claimed: undefined,
      });
      expect(idsOf(await store.outbox.claimDue('w2', T0 + 10, LEASE, 10))).toEqual([later!.id]);

      // w2's claim runs out and w3 takes the message over: w2's completion neither holds nor claims.
      const [, [n1, n2]] = await requestWithMessages(store, 2);
      await store.outbox.claim(n1!.id, 'w2', T0, LEASE);
      await store.outbox.claim(n1!.id, 'w3', T0 + LEASE, LEASE);
      expect(
        await store.outbox.complete(n1!.id, 'w2', T0 + LEASE + 1, {}, { owner: 'w2#2', leaseMs: LEASE }),
      ).toBeUndefined();
      expect(idsOf(await store.outbox.listOpen(n1!.requestId))).toEqual([n1!.id, n2!.id]);
      // Without `next`, a completion claims nothing.
      expect(await store.outbox.complete(n1!.id, 'w3', T0 + LEASE + 2)).toBeUndefined();
      expect(idsOf(await store.outbox.claimDue('w4', T0 + LEASE + 2, LEASE, 10))).toEqual([n2!.id]);
    });

    it('keeps a claimed message from other owners until its claim runs out', async () => {
      const { store } = ctx();
      const [, [m1]] = await requestWithMessages(store, 1);
      expect(await store.outbox.claim(m1!.id, 'w1', T0, LEASE)).toStrictEqual({ ...m1, claims: 1, takenOver: false });
      expect(await store.outbox.claim(m1!.id, 'w2', T0 + LEASE - 1, LEASE)).toBeUndefined();
      expect(await store.outbox.claimDue('w2', T0 + LEASE - 1, LEASE, 10)).toEqual([]);
      const [taken] = await store.outbox.claimDue('w2', T0 + LEASE, LEASE, 10);
      expect(taken).toStrictEqual({ ...m1, claims: 2, takenOver: true });
      await store.outbox.complete(m1!.id, 'w1', T0 + LEASE + 1);
      expect(idsOf(await store.outbox.listOpen(m1!.requestId))).toEqual([m1!.id]);
    });

    it('takes over with claim() too, but not a message whose failed attempt released it', async () => {
      const { store } = ctx();
      const [, [m1]] = await requestWithMessages(store, 1);
      await store.outbox.claim(m1!.id, 'w1', T0, LEASE);
      expect((await store.outbox.claim(m1!.id, 'w2', T0 + LEASE, LEASE))?.takenOver).toBe(true);
      await store.outbox.fail(m1!.id, 'w2', 'slack down', T0 + LEASE + 1, T0 + LEASE);
      expect((await store.outbox.claim(m1!.id, 'w3', T0 + LEASE + 1, LEASE))?.takenOver).toBe(false);
    });

    it('counts the open messages of every request and says when the oldest was queued', async () => {
      const { store } = ctx();
      expect(await store.outbox.backlog()).toEqual({ open: 0, oldestCreatedAt: undefined });
      const [, [m1]] = await requestWithMessages(store, 2, T0 + 5);
      await requestWithMessages(store, 1, T0 + 9);
      expect(await store.outbox.backlog()).toEqual({ open: 3, oldestCreatedAt: T0 + 5 });
      await store.outbox.claim(m1!.id, 'w1', T0 + 10, LEASE);
      await store.outbox.complete(m1!.id, 'w1', T0 + 11);
      expect(await store.outbox.backlog()).toEqual({ open: 2, oldestCreatedAt: T0 + 5 });
    });

    it('does not claim a message before it is due', async () => {
      const { store } = ctx();
      const [, [m1]] = await requestWithMessages(store, 1, T0 + 10);
      expect(await store.outbox.claimDue('w1', T0 + 9, LEASE, 10)).toEqual([]);
      expect(await store.outbox.claim(m1!.id, 'w1', T0 + 9, LEASE)).toBeUndefined();
      expect(idsOf(await store.outbox.claimDue('w1', T0 + 10, LEASE, 10))).toEqual([m1!.id]);
    });

    it('completes a message only for its owner', async () => {
      const { store } = ctx();
      const [id, [m1]] = await requestWithMessages(store, 1);
      await store.outbox.claim(m1!.id, 'w1', T0, LEASE);
      await store.outbox.complete(m1!.id, 'w2', T0 + 1);
      expect(idsOf(await store.outbox.listOpen(id))).toEqual([m1!.id]);
      await store.outbox.complete(m1!.id, 'w1', T0 + 1);
      expect(await store.outbox.listOpen(id)).toEqual([]);
      expect(await store.outbox.claimDue('w3', T0 + 10 * LEASE, LEASE, 10)).toEqual([]);
    });

    it('retries a failed message at the given time, recording the error and counting failed attempts', async () => {
      const { store } = ctx();
      const [id, [m1]] = await requestWithMessages(store, 1);
      await store.outbox.claim(m1!.id, 'w1', T0, LEASE);
      expect(await store.outbox.fail(m1!.id, 'w2', 'not mine', T0 + 5, T0 + 1)).toBe(false);
      expect((await store.outbox.listOpen(id))[0]?.lastError).toBeUndefined();
      expect(await store.outbox.fail(m1!.id, 'w1', 'ratelimited', T0 + 30_000, T0 + 1)).toBe(true);
      expect(await store.outbox.listOpen(id)).toStrictEqual([
        { ...m1, attempts: 1, claims: 1, nextAttemptAt: T0 + 30_000, lastError: 'ratelimited' },
      ]);
      expect(await store.outbox.claimDue('w2', T0 + 29_999, LEASE, 10)).toEqual([]);
      const [again] = await store.outbox.claimDue('w2', T0 + 30_000, LEASE, 10);
      expect(again).toMatchObject({ id: m1!.id, attempts: 1, lastError: 'ratelimited' });
      await store.outbox.fail(m1!.id, 'w2', 'timeout', T0 + 60_000, T0 + 30_001);
      expect(await store.outbox.listOpen(id)).toMatchObject([
        { attempts: 2, lastError: 'timeout', nextAttemptAt: T0 + 60_000 },
      ]);
    });

    it('gives a message up when it fails without a next attempt, and then releases the next one', async () => {
      const { store } = ctx();
      const [id, [m1, m2]] = await requestWithMessages(store, 2);
      await store.outbox.claim(m1!.id, 'w1', T0, LEASE);
      expect(await store.outbox.fail(m1!.id, 'w1', 'channel_not_found', undefined, T0 + 1)).toBe(true);
      expect(idsOf(await store.outbox.listOpen(id))).toEqual([m2!.id]);
      expect(await store.outbox.fail(m1!.id, 'w1', 'channel_not_found', undefined, T0 + 2)).toBe(false);
      expect(await store.outbox.claim(m1!.id, 'w1', T0 + 10 * LEASE, LEASE)).toBeUndefined();
      expect(await store.outbox.claim(m2!.id, 'w2', T0 + 2, LEASE)).toStrictEqual({
        ...m2,
        claims: 1,
        takenOver: false,
      });
    });

    it('claims at most `limit` messages, earliest due first', async () => {
      const { store } = ctx();
      const [, [late]] = await requestWithMessages(store, 1, T0 + 2);
      const [, [early]] = await requestWithMessages(store, 1, T0);
      await requestWithMessages(store, 1, T0 + 3);
      expect(idsOf(await store.outbox.claimDue('w1', T0 + 5, LEASE, 2))).toEqual([early!.id, late!.id]);
    });

    it('never hands one message to two of many concurrent claimers', async () => {
      const stores = await ctx().both();
      const heads: number[] = [];
      for (let i = 0; i < 10; i += 1) heads.push((await requestWithMessages(ctx().store, 2))[1][0]!.id);
      const batches = await Promise.all(
        Array.from({ length: 16 }, (_, i) => stores[i % 2]!.outbox.claimDue(`w${i}`, T0, LEASE, 10)),
      );
      const claimed = batches.flatMap(idsOf).sort((x, y) => x - y);
      expect(claimed).toEqual(heads);
    });

    it('counts every claim of a message, so a deliverer knows when an earlier one may have reached Slack', async () => {
      const { store } = ctx();
      const [, [m]] = await requestWithMessages(store, 1);
      expect((await store.outbox.claim(m!.id, 'w1', T0, LEASE))?.claims).toBe(1);
      // The first claimer dies: its claim runs out and another takes the message over.
      expect((await store.outbox.claim(m!.id, 'w2', T0 + LEASE, LEASE))?.claims).toBe(2);
      await store.outbox.fail(m!.id, 'w2', 'timeout', T0 + LEASE + 1, T0 + LEASE);
      const [third] = await store.outbox.claimDue('w3', T0 + LEASE + 1, LEASE, 10);
      expect(third).toMatchObject({ id: m!.id, claims: 3, attempts: 1 });
    });

    it('renews a claim only for its owner while the message is open', async () => {
      const { store } = ctx();
      const [, [m]] = await requestWithMessages(store, 1);
      await store.outbox.claim(m!.id, 'w1', T0, LEASE);
      expect(await store.outbox.renewClaim(m!.id, 'w2', T0 + 2 * LEASE)).toBe(false);
      expect(await store.outbox.renewClaim(m!.id, 'w1', T0 + 2 * LEASE)).toBe(true);
      // Renewed: another claimer cannot take it when the first lease would have run out.
      expect(await store.outbox.claim(m!.id, 'w2', T0 + LEASE + 1, LEASE)).toBeUndefined();
      await store.outbox.complete(m!.id, 'w1', T0 + LEASE + 2);
      expect(await store.outbox.renewClaim(m!.id, 'w1', T0 + 3 * LEASE)).toBe(false);
    });

    it('gives a claim back only for its owner: claimable at once, not taken over, not counted', async () => {
      const { store } = ctx();
      const [, [m]] = await requestWithMessages(store, 2);
      await store.outbox.claim(m!.id, 'w1', T0, LEASE);
      expect(await store.outbox.releaseClaim(m!.id, 'w2')).toBe(false);
      expect(await store.outbox.claim(m!.id, 'w2', T0 + 1, LEASE)).toBeUndefined();
      expect(await store.outbox.releaseClaim(m!.id, 'w1')).toBe(true);
      expect(await store.outbox.releaseClaim(m!.id, 'w1')).toBe(false);
      // Well within w1's lease, and the same message, still the request's head.
      const [again] = await store.outbox.claimDue('w2', T0 + 1, LEASE, 10);
      expect(again).toMatchObject({ id: m!.id, claims: 1, attempts: 0 });
      expect(again?.takenOver).not.toBe(true);
      await store.outbox.complete(m!.id, 'w2', T0 + 2);
      expect(await store.outbox.releaseClaim(m!.id, 'w2')).toBe(false);
    });

    it('gives back a retried message as no takeover: nobody else can be posting it', async () => {
      const { store } = ctx();
      const [, [m]] = await requestWithMessages(store, 1);
      await store.outbox.claim(m!.id, 'w1', T0, LEASE);
      expect(await store.outbox.fail(m!.id, 'w1', 'slack down', T0 + 1, T0)).toBe(true);
      const retry = await store.outbox.claim(m!.id, 'w2', T0 + 2, LEASE);
      expect(retry).toMatchObject({ claims: 2 });
      expect(retry?.takenOver).not.toBe(true);
      expect(await store.outbox.releaseClaim(m!.id, 'w2', retry?.takenOver)).toBe(true);
      const next = await store.outbox.claim(m!.id, 'w3', T0 + 3, LEASE);
      expect(next).toMatchObject({ claims: 2 });
      expect(next?.takenOver).not.toBe(true);
    });

    it('keeps the count of a claim taken over when its taker gives it back', async () => {
      const { store } = ctx();
      const [, [m]] = await requestWithMessages(store, 1);
      await store.outbox.claim(m!.id, 'w1', T0, LEASE);
      const taken = await store.outbox.claim(m!.id, 'w2', T0 + LEASE, LEASE);
      expect(taken).toMatchObject({ claims: 2, takenOver: true });
      expect(await store.outbox.releaseClaim(m!.id, 'w2', taken?.takenOver)).toBe(true);
      expect(await store.outbox.releaseClaim(m!.id, 'w2', taken?.takenOver)).toBe(false);
      // w1 may have posted it before dying, or may still be posting it: the next holder still looks
      // first, and takes it as a takeover.
      expect(await store.outbox.claim(m!.id, 'w3', T0 + LEASE, LEASE)).toMatchObject({ claims: 2, takenOver: true });
    });
  });
}
