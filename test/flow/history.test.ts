import type { BackupRequest } from '../../src/domain/backup-request';
import type { RequestId } from '../../src/domain/ids';
import type { AuditExport } from '../../src/flow/history';
import { exportRequests, requestHistory } from '../../src/flow/history';
import type { FlowFixture } from '../support/flow-fixture';
import { actor, recorded, typeCommand, useFlowFixture, waitingForApproval } from '../support/flow-fixture';
import { ALICE, BOB, DAVE, ERIN, OTHER_TEAM } from '../support/flow-world';
import { nthRequestId } from '../support/sequential-ids';
import { HOUR } from '../support/test-clock';

const DAY = 24 * HOUR;

async function allowedRequest(f: FlowFixture, userId = ALICE): Promise<BackupRequest> {
  const request = recorded(await typeCommand(f, userId, 'daily-7d db-data-1'));
  await f.deps.work.idle();
  return request;
}

/** The same request recorded in another workspace (where the flows would never let it in). */
async function foreignCopy(f: FlowFixture, request: BackupRequest): Promise<RequestId> {
  const { updatedAt: _u, outcome: _o, rootMessage: _r, approvalMessage: _a, ...rest } = request;
  const id = nthRequestId(999);
  await f.store.requests.create({ ...rest, id, teamId: OTHER_TEAM, state: 'allowed' }, { key: 'x', windowMs: 1 }, 0);
  return id;
}

describe('requestHistory', () => {
  const fixture = useFlowFixture();

  it('shows the requester the record and its audit trail', async () => {
    const f = fixture();
    const request = await allowedRequest(f);
    const result = await requestHistory(f.deps, actor(ALICE), request.id);
    expect(result).toMatchObject({ ok: true, request: { id: request.id, state: 'succeeded' } });
    expect(result.ok && result.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['received', 'finished']));
  });

  it('shows the request’s own approvers, a rule’s named approver too', async () => {
    const f = fixture();
    const critical = await waitingForApproval(f, DAVE, 'critical-hourly db-data-1 --reason INC-1');
    expect((await requestHistory(f.deps, actor(ERIN), critical.id)).ok).toBe(true);
  });

  it('shows a global approver any request of the workspace, one that needed no approval too', async () => {
    const f = fixture();
    const request = await allowedRequest(f);
    expect((await requestHistory(f.deps, actor(BOB), request.id)).ok).toBe(true);
  });

  it('refuses anyone else: the record may hold a reason from a private channel', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    expect(await requestHistory(f.deps, actor(ALICE), request.id)).toEqual({ ok: false, why: 'not_allowed' });
    expect(await requestHistory(f.deps, actor(ERIN), request.id)).toEqual({ ok: false, why: 'not_allowed' });
  });

  it('refuses when Slack cannot tell whether someone is an approver', async () => {
    const f = fixture();
    const request = await allowedRequest(f);
    f.people.unknown.add('groups');
    expect(await requestHistory(f.deps, actor(BOB), request.id)).toEqual({ ok: false, why: 'not_allowed' });
  });

  it('answers a request of another workspace exactly as an unknown one, even to its requester id', async () => {
    const f = fixture();
    const foreign = await foreignCopy(f, await allowedRequest(f));
    expect(await requestHistory(f.deps, actor(ALICE), foreign)).toEqual({ ok: false, why: 'unknown_request' });
    expect(await requestHistory(f.deps, actor(ALICE, OTHER_TEAM), nthRequestId(1))).toEqual({
      ok: false,
      why: 'unknown_request',
    });
    expect(await requestHistory(f.deps, actor(ALICE), nthRequestId(500))).toEqual({
      ok: false,
      why: 'unknown_request',
    });
  });
});

/** The export for a person of the served workspace (any refusal fails the test). */
async function exported(f: FlowFixture, userId: string, days: number): Promise<AuditExport> {
  const result = await exportRequests(f.deps, actor(userId), days);
  if (!result.ok) throw new Error(`export refused: ${result.why}`);
  return result;
}

describe('exportRequests', () => {
  const fixture = useFlowFixture();

  it('gives a global approver everyone’s requests of the workspace', async () => {
    const f = fixture();
    const mine = await allowedRequest(f, ALICE);
    const theirs = await waitingForApproval(f, DAVE);
    await foreignCopy(f, mine);
    const result = await exported(f, BOB, 7);
    expect(result).toMatchObject({ scope: 'everyone', days: 7, truncated: false });
    expect(result.requests.map((r) => r.id).sort()).toEqual([mine.id, theirs.id].sort());
  });

  it('gives anyone else only their own', async () => {
    const f = fixture();
    await allowedRequest(f, ALICE);
    const theirs = await waitingForApproval(f, DAVE);
    const result = await exported(f, DAVE, 7);
    expect(result.scope).toBe('yours');
    expect(result.requests.map((r) => r.id)).toEqual([theirs.id]);
  });

  it('gives only the requests of the last `days` days', async () => {
    const f = fixture();
    await allowedRequest(f);
    f.clock.advance(8 * DAY);
    expect((await exported(f, ALICE, 7)).requests).toEqual([]);
    expect((await exported(f, ALICE, 9)).requests).toHaveLength(1);
  });

  it('gives someone Slack cannot place only their own (fails closed)', async () => {
    const f = fixture();
    await allowedRequest(f, ALICE);
    f.people.unknown.add('groups');
    const result = await exported(f, BOB, 7);
    expect(result).toMatchObject({ scope: 'yours', requests: [] });
  });
});
