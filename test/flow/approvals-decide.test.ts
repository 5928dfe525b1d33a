import { checkDecision, decide } from '../../src/flow/approvals';
import { actor, auditKinds, stored, useFlowFixture, waitingForApproval } from '../support/flow-fixture';
import { ALICE, BOB, DAVE, ERIN } from '../support/flow-world';
import { HOUR, MINUTE, T0 } from '../support/test-clock';

describe('decide', () => {
  const fixture = useFlowFixture();

  it('records an approval and runs the request: the card, the thread and the root say so, then the summary', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    f.clock.advance(5 * MINUTE);
    const result = await decide(f.deps, request.id, actor(BOB), 'approve', '  looks fine ');
    expect(result).toMatchObject({
      ok: true,
      request: { state: 'approved', approval: { decidedBy: BOB, decidedAt: T0 + 5 * MINUTE, comment: 'looks fine' } },
    });
    await f.deps.work.idle();
    expect(f.deliverer.kinds(request.id)).toEqual([
      'root.post',
      'thread.note:waiting',
      'card.post',
      'card.update',
      'thread.note:decision',
      'root.update',
      'thread.summary',
      'root.update',
      'card.update',
    ]);
    expect((await stored(f, request.id)).state).toBe('succeeded');
    expect(f.cloud.count('associate')).toBe(1);
    expect(await auditKinds(f, request.id)).toEqual(expect.arrayContaining(['approved', 'started', 'finished']));
  });

  it('records a denial with its comment and does not run the request', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    const result = await decide(f.deps, request.id, actor(BOB), 'deny', 'wrong policy');
    expect(result).toMatchObject({ ok: true, request: { state: 'denied', approval: { comment: 'wrong policy' } } });
    await f.deps.work.idle();
    expect(f.deliverer.kinds(request.id).slice(3)).toEqual(['card.update', 'thread.note:decision', 'root.update']);
    expect(f.cloud.count('associate')).toBe(0);
  });

  it.each([undefined, '', '   ', '\u200b\u200b', '\u202e'])(
    'refuses a denial without a visible comment (%j) and changes nothing',
    async (comment) => {
      const f = fixture();
      const request = await waitingForApproval(f);
      const result = await decide(f.deps, request.id, actor(BOB), 'deny', comment);
      expect(result).toEqual({ ok: false, refusal: { why: 'comment_required' } });
      expect((await stored(f, request.id)).state).toBe('pending_approval');
    },
  );

  it('refuses the requester’s own approval', async () => {
    const f = fixture();
    const request = await waitingForApproval(f, BOB);
    expect(await decide(f.deps, request.id, actor(BOB), 'approve', undefined)).toEqual({
      ok: false,
      refusal: { why: 'own_request' },
    });
    expect((await stored(f, request.id)).state).toBe('pending_approval');
  });

  it('refuses someone who is not an approver', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    const result = await decide(f.deps, request.id, actor(ALICE), 'approve', undefined);
    expect(result).toEqual({ ok: false, refusal: { why: 'not_an_approver' } });
    await f.deps.work.idle();
    expect(f.cloud.count('associate')).toBe(0);
  });

  it('re-checks the group afresh at submit: someone who left it since the modal opened is refused', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    expect((await checkDecision(f.deps, request.id, actor(BOB), 'approve')).ok).toBe(true);
    f.people.removeFromGroup('backup-admins', BOB);
    const result = await decide(f.deps, request.id, actor(BOB), 'approve', undefined);
    expect(result).toEqual({ ok: false, refusal: { why: 'not_an_approver' } });
    expect(f.people.calls.filter((c) => c.method === 'groupsOf').at(-1)).toMatchObject({ fresh: true });
  });

  it('refuses when Slack cannot list the group at submit (fails closed)', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    f.people.unknown.add('groups');
    expect(await decide(f.deps, request.id, actor(BOB), 'approve', undefined)).toEqual({
      ok: false,
      refusal: { why: 'approver_unknown' },
    });
  });

  it('lets exactly one of two approvers’ concurrent approvals win, and calls the cloud once', async () => {
    const f = fixture();
    f.people.addToGroup('backup-admins', ERIN);
    const request = await waitingForApproval(f);
    const results = await Promise.all([
      decide(f.deps, request.id, actor(BOB), 'approve', undefined),
      decide(f.deps, request.id, actor(ERIN), 'approve', undefined),
    ]);
    const winners = results.filter((r) => r.ok);
    const losers = results.filter((r) => !r.ok);
    expect(winners).toHaveLength(1);
    expect(losers).toEqual([{ ok: false, refusal: { why: 'no_longer_pending', request: expect.anything() } }]);
    await f.deps.work.idle();
    expect(f.cloud.count('associate')).toBe(1);
    expect((await auditKinds(f, request.id)).filter((k) => k === 'approved')).toHaveLength(1);
  });

  it('runs a request once however often the approver clicks', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    const results = await Promise.all(
      [1, 2, 3].map(() => decide(f.deps, request.id, actor(BOB), 'approve', undefined)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    await f.deps.work.idle();
    expect(f.cloud.count('associate')).toBe(1);
  });

  it('refuses a decision on a request that is already decided, saying how it ended', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    await decide(f.deps, request.id, actor(BOB), 'deny', 'no');
    const again = await decide(f.deps, request.id, actor(BOB), 'approve', undefined);
    expect(again).toMatchObject({ ok: false, refusal: { why: 'no_longer_pending', request: { state: 'denied' } } });
  });

  it('refuses and expires a request whose deadline passed, without running it', async () => {
    const f = fixture();
    const request = await waitingForApproval(f, DAVE, 'critical-hourly db-data-1 --reason INC-1');
    f.clock.advance(HOUR);
    const result = await decide(f.deps, request.id, actor(ERIN), 'approve', undefined);
    expect(result).toMatchObject({ ok: false, refusal: { why: 'expired' } });
    await f.deps.work.idle();
    expect((await stored(f, request.id)).state).toBe('expired');
    expect(f.cloud.count('associate')).toBe(0);
  });

  it('refuses a decision whose approver checks ran past the deadline (Slack was slow), and expires the request', async () => {
    const f = fixture();
    // DAVE's request goes to @backup-admins (BOB), with 4 hours to decide.
    const request = await waitingForApproval(f);
    f.clock.advance(request.approval!.expiresAt - f.clock.now() - MINUTE);
    // The fresh look-up of the approver's groups takes the last minute and more.
    const groupsOf = f.people.groupsOf.bind(f.people);
    jest.spyOn(f.people, 'groupsOf').mockImplementation((...args) => {
      f.clock.advance(2 * MINUTE);
      return groupsOf(...args);
    });
    const result = await decide(f.deps, request.id, actor(BOB), 'approve', undefined);
    expect(result).toMatchObject({ ok: false, refusal: { why: 'expired' } });
    await f.deps.work.idle();
    expect((await stored(f, request.id)).state).toBe('expired');
    expect(f.cloud.count('associate')).toBe(0);
  });

  it('lets a decision through one moment before the deadline', async () => {
    const f = fixture();
    const request = await waitingForApproval(f, DAVE, 'critical-hourly db-data-1 --reason INC-1');
    f.clock.advance(HOUR - 1);
    expect((await decide(f.deps, request.id, actor(ERIN), 'approve', undefined)).ok).toBe(true);
  });
});
