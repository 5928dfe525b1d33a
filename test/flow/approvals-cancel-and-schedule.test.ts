import { cancel, decide, expireDue, remindDue } from '../../src/flow/approvals';
import { actor, auditKinds, stored, useFlowFixture, waitingForApproval } from '../support/flow-fixture';
import { BOB, DAVE, ERIN, OTHER_TEAM } from '../support/flow-world';
import { HOUR, MINUTE } from '../support/test-clock';

describe('cancel', () => {
  const fixture = useFlowFixture();

  it('lets the requester withdraw a pending request: the card, the thread and the root say so', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    const result = await cancel(f.deps, request.id, actor(DAVE));
    expect(result).toMatchObject({ ok: true, request: { state: 'cancelled', approval: { decidedBy: DAVE } } });
    await f.deps.work.idle();
    expect(f.deliverer.kinds(request.id).slice(3)).toEqual(['card.update', 'thread.note:cancelled', 'root.update']);
    expect(f.cloud.count('associate')).toBe(0);
    expect(await auditKinds(f, request.id)).toContain('cancelled');
  });

  it('refuses anyone but the requester, an approver too', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    expect(await cancel(f.deps, request.id, actor(BOB))).toEqual({ ok: false, refusal: { why: 'not_requester' } });
    expect((await stored(f, request.id)).state).toBe('pending_approval');
  });

  it('refuses the same user id from another workspace', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    expect(await cancel(f.deps, request.id, actor(DAVE, OTHER_TEAM))).toEqual({
      ok: false,
      refusal: { why: 'unknown_request' },
    });
  });

  it('refuses once the request was decided', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    await decide(f.deps, request.id, actor(BOB), 'approve', undefined);
    expect(await cancel(f.deps, request.id, actor(DAVE))).toMatchObject({
      ok: false,
      refusal: { why: 'no_longer_pending', request: { state: 'approved' } },
    });
  });
});

describe('expireDue', () => {
  const fixture = useFlowFixture();

  it('expires nothing before the deadline and each request once at it, with its messages', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    f.clock.advance(4 * HOUR - 1);
    expect(await expireDue(f.deps)).toBe(0);
    f.clock.advance(1);
    expect(await expireDue(f.deps)).toBe(1);
    expect(await expireDue(f.deps)).toBe(0);
    const expired = await stored(f, request.id);
    expect(expired.state).toBe('expired');
    expect(f.deliverer.kinds(request.id).slice(3)).toEqual(['card.update', 'thread.note:expired', 'root.update']);
    expect((await f.store.audit.list(request.id)).find((e) => e.kind === 'expired')?.actor).toBe('bot');
  });

  it('goes by each request’s own deadline (the rule’s ttl over the global one)', async () => {
    const f = fixture();
    const short = await waitingForApproval(f, DAVE, 'critical-hourly db-data-1 --reason INC-1');
    const long = await waitingForApproval(f, DAVE, 'daily-7d db-data-2');
    f.clock.advance(HOUR);
    expect(await expireDue(f.deps)).toBe(1);
    expect((await stored(f, short.id)).state).toBe('expired');
    expect((await stored(f, long.id)).state).toBe('pending_approval');
  });

  it('expires a request once when two schedulers run at the same moment', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    f.clock.advance(4 * HOUR);
    const counts = await Promise.all([expireDue(f.deps), expireDue(f.deps)]);
    expect(counts[0] + counts[1]).toBe(1);
    expect(f.deliverer.kinds(request.id).filter((k) => k === 'thread.note:expired')).toHaveLength(1);
  });

  it('leaves decided requests alone', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    await decide(f.deps, request.id, actor(BOB), 'deny', 'no');
    f.clock.advance(5 * HOUR);
    expect(await expireDue(f.deps)).toBe(0);
    expect((await stored(f, request.id)).state).toBe('denied');
  });
});

describe('remindDue', () => {
  const fixture = useFlowFixture();

  it('reminds the approvers once, when the reminder is due', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    f.clock.advance(30 * MINUTE - 1);
    expect(await remindDue(f.deps)).toBe(0);
    f.clock.advance(1);
    expect(await remindDue(f.deps)).toBe(1);
    f.clock.advance(HOUR);
    expect(await remindDue(f.deps)).toBe(0);
    expect(f.deliverer.kinds(request.id).filter((k) => k === 'card.remind')).toHaveLength(1);
    expect((await stored(f, request.id)).approval?.remindedAt).toBe(f.clock.now() - HOUR);
    expect(await auditKinds(f, request.id)).toContain('reminded');
  });

  it('reminds once when two schedulers run at the same moment', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    f.clock.advance(30 * MINUTE);
    const counts = await Promise.all([remindDue(f.deps), remindDue(f.deps)]);
    expect(counts[0] + counts[1]).toBe(1);
    expect(f.deliverer.kinds(request.id).filter((k) => k === 'card.remind')).toHaveLength(1);
  });

  it('does not remind about a request that was cancelled', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    await cancel(f.deps, request.id, actor(DAVE));
    f.clock.advance(HOUR);
    expect(await remindDue(f.deps)).toBe(0);
  });

  it('reminds about each waiting request', async () => {
    const f = fixture();
    await waitingForApproval(f, DAVE, 'daily-7d db-data-1');
    await waitingForApproval(f, ERIN, 'daily-7d db-data-2');
    f.clock.advance(30 * MINUTE);
    expect(await remindDue(f.deps)).toBe(2);
  });
});
