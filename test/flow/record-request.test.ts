import type { CheckedRequest } from '../../src/flow/check-request';
import { checkRequest } from '../../src/flow/check-request';
import {
  approversFor,
  carryOn,
  DOUBLE_SUBMIT_WINDOW_MS,
  REASON_STORE_MAX,
  recordRequest,
} from '../../src/flow/record-request';
import type { FlowFixture } from '../support/flow-fixture';
import { actor, associate, channel, stored, useFlowFixture, waitingForApproval } from '../support/flow-fixture';
import { ALICE, DAVE, PROD, TEAM } from '../support/flow-world';

async function checked(f: FlowFixture, args = 'daily-7d db-data-1', userId = ALICE): Promise<CheckedRequest> {
  const outcome = await checkRequest(f.deps, actor(userId), channel(), associate(args), { unusableVolumes: 'error' });
  if (outcome.kind !== 'checked') throw new Error(`expected checked, got ${outcome.kind}`);
  return outcome.checked;
}

function record(f: FlowFixture, c: CheckedRequest, options: { reason?: string; key?: string; userId?: string } = {}) {
  return recordRequest(f.deps, actor(options.userId ?? ALICE), channel(), c, {
    id: f.deps.newRequestId(),
    reason: options.reason,
    dedupeKey: options.key ?? 'key-1',
  });
}

describe('recordRequest', () => {
  const fixture = useFlowFixture();

  it('records the request, its audit entries and its first message together', async () => {
    const f = fixture();
    const outcome = await record(f, await checked(f), { reason: 'INC-1' });
    if (outcome.kind !== 'accepted') throw new Error(outcome.kind);
    const events = await f.store.audit.list(outcome.request.id);
    expect(events.slice(0, 2)).toEqual([
      expect.objectContaining({ kind: 'received', actor: ALICE, detail: expect.objectContaining({ reason: 'INC-1' }) }),
      expect.objectContaining({ kind: 'decided', actor: 'bot', detail: expect.objectContaining({ verdict: 'allow' }) }),
    ]);
    await f.deps.work.idle();
    expect(f.deliverer.kinds(outcome.request.id)[0]).toBe('root.post');
  });

  it('returns the first request for a second record with the same key inside the window, and carries it on once', async () => {
    const f = fixture();
    const c = await checked(f);
    const first = await record(f, c);
    f.clock.advance(DOUBLE_SUBMIT_WINDOW_MS - 1);
    const second = await record(f, c);
    expect(second).toEqual({
      kind: 'duplicate',
      existing: expect.objectContaining({ id: first.kind === 'accepted' && first.request.id }),
    });
    await f.deps.work.idle();
    expect(f.cloud.count('associate')).toBe(1);
    expect(f.deliverer.kinds().filter((k) => k === 'root.post')).toHaveLength(1);
  });

  it('records a second request with another key inside the window', async () => {
    const f = fixture();
    const c = await checked(f);
    await record(f, c, { key: 'a' });
    expect((await record(f, c, { key: 'b' })).kind).toBe('accepted');
  });

  it('keeps at most REASON_STORE_MAX characters of a reason, never splitting one', async () => {
    const f = fixture();
    const outcome = await record(f, await checked(f), { reason: '😀'.repeat(REASON_STORE_MAX + 5) });
    const reason = outcome.kind === 'accepted' ? outcome.request.reason : undefined;
    expect(Array.from(reason!)).toHaveLength(REASON_STORE_MAX);
    expect(reason!.endsWith('😀')).toBe(true);
  });

  it('stores a blank reason as none', async () => {
    const f = fixture();
    const outcome = await record(f, await checked(f), { reason: '  \n ' });
    expect(outcome.kind === 'accepted' && outcome.request.reason).toBeUndefined();
  });

  it('gives the deciding rule’s approvers, else the global ones, and none for an allowed request', async () => {
    const f = fixture();
    const global = await checked(f, 'daily-7d db-data-1', DAVE);
    const critical = await checked(f, 'critical-hourly db-data-1 --reason x', DAVE);
    const allowed = await checked(f, 'daily-7d db-data-1', ALICE);
    expect(approversFor(f.config, global.decision)).toEqual({ usergroups: ['backup-admins'], users: [] });
    expect(approversFor(f.config, critical.decision)).toEqual({ usergroups: [], users: ['U0ERIN0001'] });
    expect(approversFor(f.config, allowed.decision)).toBeUndefined();
  });
});

describe('recordRequest without an approvals block', () => {
  const yaml = `
slack: { allowed_team_ids: [${TEAM}] }
cloud: { region: eu-de, sandbox: true }
projects: [{ name: prod, id: ${PROD} }]
rules: [{ name: sre-oncall, usergroups: [sre-oncall], decision: allow }]
`;
  const fixture = useFlowFixture({ yaml });

  it('denies, rather than records, a decision that needs approvers nobody configured (fails closed)', async () => {
    const f = fixture();
    const c = await checked(f);
    const needsApproval = { ...c, decision: { verdict: 'require_approval' as const, decidedBy: 'x', reason: 'r' } };
    const outcome = await record(f, needsApproval);
    expect(outcome).toMatchObject({
      kind: 'denied',
      decision: { verdict: 'deny', reason: expect.stringContaining('no approvers') },
    });
    expect(await f.store.queries.listRequests({ teamId: actor(ALICE).teamId, since: 0, limit: 10 })).toEqual([]);
  });
});

describe('carryOn', () => {
  const fixture = useFlowFixture();

  it('runs an approved request after delivering what it owes', async () => {
    const f = fixture();
    const pending = await waitingForApproval(f);
    const approved = await f.store.requests.transition(
      pending.id,
      { from: 'pending_approval', to: 'approved' },
      {},
      f.clock.now(),
      {
        messages: [{ kind: 'root.update' }],
      },
    );
    carryOn(f.deps, approved!);
    await f.deps.work.idle();
    expect((await stored(f, pending.id)).state).toBe('succeeded');
    expect(f.deliverer.kinds(pending.id).slice(3, 5)).toEqual(['root.update', 'thread.summary']);
  });

  it('only delivers the messages of a request that is not to run', async () => {
    const f = fixture();
    const pending = await waitingForApproval(f);
    const cancelled = await f.store.requests.transition(
      pending.id,
      { from: 'pending_approval', to: 'cancelled' },
      {},
      f.clock.now(),
      {
        messages: [{ kind: 'root.update' }],
      },
    );
    carryOn(f.deps, cancelled!);
    await f.deps.work.idle();
    expect(f.deliverer.kinds(pending.id).at(-1)).toBe('root.update');
    expect(f.cloud.count('associate')).toBe(0);
  });
});
