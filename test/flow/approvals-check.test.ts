import type { RequestId } from '../../src/domain/ids';
import { checkDecision } from '../../src/flow/approvals';
import { approverStatus } from '../../src/flow/approvers';
import type { FlowFixture } from '../support/flow-fixture';
import { actor, recorded, stored, typeCommand, useFlowFixture, waitingForApproval } from '../support/flow-fixture';
import { ALICE, BOB, BOT_USER, DAVE, DELETED_USER, ERIN, GUEST, OTHER_TEAM, STRANGER } from '../support/flow-world';
import { HOUR } from '../support/test-clock';

const GROUP_APPROVERS = { users: [], usergroups: ['backup-admins'] };

describe('approverStatus', () => {
  const fixture = useFlowFixture();

  it('says yes to a named approver without asking Slack', async () => {
    const f = fixture();
    expect(await approverStatus(f.people, { users: [ERIN], usergroups: ['backup-admins'] }, ERIN)).toBe('yes');
    expect(f.people.calls).toEqual([]);
  });

  it('says no when no group approves and the user is not named', async () => {
    const f = fixture();
    expect(await approverStatus(f.people, { users: [ERIN], usergroups: [] }, BOB)).toBe('no');
  });

  it('says yes to a member of an approving group, looked up afresh unless a cached answer is asked for', async () => {
    const f = fixture();
    expect(await approverStatus(f.people, GROUP_APPROVERS, BOB)).toBe('yes');
    expect(await approverStatus(f.people, GROUP_APPROVERS, BOB, { fresh: false })).toBe('yes');
    expect(f.people.calls.filter((c) => c.method === 'groupsOf')).toEqual([
      { method: 'groupsOf', userId: BOB, fresh: true },
      { method: 'groupsOf', userId: BOB, fresh: false },
    ]);
  });

  it.each([
    ['a guest', GUEST],
    ['a bot', BOT_USER],
    ['a deleted user', DELETED_USER],
  ])('says no to %s in an approving group', async (_what, userId) => {
    const f = fixture();
    f.people.addToGroup('backup-admins', userId);
    expect(await approverStatus(f.people, GROUP_APPROVERS, userId)).toBe('no');
  });

  it('says unknown, not no, when Slack cannot tell who the user is or which groups they are in', async () => {
    const f = fixture();
    expect(await approverStatus(f.people, GROUP_APPROVERS, STRANGER)).toBe('unknown');
    f.people.unknown.add('groups');
    expect(await approverStatus(f.people, GROUP_APPROVERS, BOB)).toBe('unknown');
  });
});

describe('checkDecision', () => {
  const fixture = useFlowFixture();
  const refusalOf = async (f: FlowFixture, id: RequestId, userId: string, teamId?: string) => {
    const result = await checkDecision(f.deps, id, actor(userId, teamId), 'approve');
    return result.ok ? 'ok' : result.refusal.why;
  };

  it('lets a member of the approving group decide a pending request', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    const result = await checkDecision(f.deps, request.id, actor(BOB), 'approve');
    expect(result).toMatchObject({ ok: true, request: { id: request.id }, approval: { approvers: GROUP_APPROVERS } });
  });

  it('refuses the requester, even one who is an approver', async () => {
    const f = fixture();
    const request = await waitingForApproval(f, BOB);
    expect(await refusalOf(f, request.id, BOB)).toBe('own_request');
  });

  it('refuses someone who is not an approver', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    expect(await refusalOf(f, request.id, ALICE)).toBe('not_an_approver');
  });

  it('uses the deciding rule’s approvers instead of the global ones', async () => {
    const f = fixture();
    const request = await waitingForApproval(f, DAVE, 'critical-hourly db-data-1 --reason INC-1');
    expect(await refusalOf(f, request.id, BOB)).toBe('not_an_approver');
    expect(await refusalOf(f, request.id, ERIN)).toBe('ok');
  });

  it('refuses when Slack cannot tell whether the user is in the group (fails closed)', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    f.people.unknown.add('groups');
    expect(await refusalOf(f, request.id, BOB)).toBe('approver_unknown');
  });

  it('answers a request of another workspace exactly as an unknown id: it reveals nothing', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    expect(await refusalOf(f, request.id, BOB, OTHER_TEAM)).toBe('unknown_request');
    expect(await refusalOf(f, 'r-zzzzzzzz' as RequestId, BOB)).toBe('unknown_request');
  });

  it('refuses a request that is not waiting for approval', async () => {
    const f = fixture();
    const allowed = recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1'));
    await f.deps.work.idle();
    expect(await refusalOf(f, allowed.id, BOB)).toBe('no_longer_pending');
  });

  it('expires a request past its deadline when someone tries to decide it', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    f.clock.advance(4 * HOUR);
    const result = await checkDecision(f.deps, request.id, actor(BOB), 'approve');
    expect(result).toMatchObject({ ok: false, refusal: { why: 'expired', request: { state: 'expired' } } });
    expect((await stored(f, request.id)).state).toBe('expired');
    expect(f.deliverer.kinds(request.id).slice(3)).toEqual(['card.update', 'thread.note:expired', 'root.update']);
  });

  it('audits and logs each refusal, with the action and why', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    await checkDecision(f.deps, request.id, actor(ALICE), 'deny');
    const refused = (await f.store.audit.list(request.id)).filter((e) => e.kind === 'refused');
    expect(refused).toEqual([
      expect.objectContaining({ actor: ALICE, detail: { action: 'deny', why: 'not_an_approver' } }),
    ]);
    expect(f.logger.lines.some((l) => l.includes('refused a request action') && l.includes(ALICE))).toBe(true);
  });

  it('changes nothing when it lets the approver through', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    await checkDecision(f.deps, request.id, actor(BOB), 'approve');
    expect(await stored(f, request.id)).toEqual(request);
  });
});
