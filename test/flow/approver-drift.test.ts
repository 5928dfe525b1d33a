import { checkDecision, decide } from '../../src/flow/approvals';
import { homeContent } from '../../src/flow/home';
import { requestHistory } from '../../src/flow/history';
import { refusalText } from '../../src/slack/blocks/approval-text';
import { actor, stored, useFlowFixture, waitingForApproval } from '../support/flow-fixture';
import { BOB, DAVE, ERIN, FLOW_CONFIG_YAML } from '../support/flow-world';

/** The same rules file with the global approvers (`@backup-admins`, Bob's group) replaced by Erin alone. */
const WITHOUT_BACKUP_ADMINS = FLOW_CONFIG_YAML.replace(
  'approvers: { usergroups: [backup-admins] }',
  `approvers: { users: [${ERIN}] }`,
);
/** The same rules file with the `critical` rule's approver Erin replaced by Bob. */
const CRITICAL_BY_BOB = FLOW_CONFIG_YAML.replace(`approvers: { users: [${ERIN}] }`, `approvers: { users: [${BOB}] }`);

describe('an approver removed from the configuration loses the power over waiting requests', () => {
  const fixture = useFlowFixture();

  it('changes the rules files as the tests say (the replacements hit)', () => {
    expect(WITHOUT_BACKUP_ADMINS).not.toEqual(FLOW_CONFIG_YAML);
    expect(CRITICAL_BY_BOB).not.toEqual(FLOW_CONFIG_YAML);
  });

  it('refuses a global approver removed from approvals.approvers after a restart, and says why', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    const restarted = f.rebuild(WITHOUT_BACKUP_ADMINS);
    const result = await decide(restarted, request.id, actor(BOB), 'approve', undefined);
    expect(result).toEqual({ ok: false, refusal: { why: 'approver_revoked' } });
    expect(result.ok || refusalText(result.refusal)).toBe(
      'You are no longer an approver of this request: the bot’s configuration changed since it was asked for. Nothing was changed.',
    );
    expect((await stored(f, request.id)).state).toBe('pending_approval');
    const refused = (await f.store.audit.list(request.id)).filter((e) => e.kind === 'refused');
    expect(refused.map((e) => e.detail)).toEqual([{ action: 'approve', why: 'approver_revoked' }]);
  });

  it('refuses the click that would open the approval modal too', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    const result = await checkDecision(f.rebuild(WITHOUT_BACKUP_ADMINS), request.id, actor(BOB), 'deny');
    expect(result).toMatchObject({ ok: false, refusal: { why: 'approver_revoked' } });
  });

  it('refuses the approver of the deciding rule once the rule names someone else', async () => {
    const f = fixture();
    const request = await waitingForApproval(f, DAVE, 'critical-hourly db-data-1 --reason INC-1');
    const restarted = f.rebuild(CRITICAL_BY_BOB);
    expect(await decide(restarted, request.id, actor(ERIN), 'approve', undefined)).toMatchObject({
      ok: false,
      refusal: { why: 'approver_revoked' },
    });
  });

  it('does not let a newly named approver decide a request asked for before (both lists must name them)', async () => {
    const f = fixture();
    const request = await waitingForApproval(f, DAVE, 'critical-hourly db-data-1 --reason INC-1');
    expect(await decide(f.rebuild(CRITICAL_BY_BOB), request.id, actor(BOB), 'approve', undefined)).toMatchObject({
      ok: false,
      refusal: { why: 'not_an_approver' },
    });
  });

  it('still lets an approver the new configuration keeps decide', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    const result = await decide(f.rebuild(FLOW_CONFIG_YAML), request.id, actor(BOB), 'approve', undefined);
    expect(result).toMatchObject({ ok: true, request: { state: 'approved' } });
  });

  it('no longer lists the request in the removed approver’s App Home', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    const before = await homeContent(f.deps, actor(BOB));
    expect(before.ok && before.toDecide.map((r) => r.id)).toEqual([request.id]);
    const after = await homeContent(f.rebuild(WITHOUT_BACKUP_ADMINS), actor(BOB));
    expect(after.ok && after.toDecide).toEqual([]);
  });

  it('no longer shows the removed approver the request’s history', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    expect((await requestHistory(f.deps, actor(BOB), request.id)).ok).toBe(true);
    expect(await requestHistory(f.rebuild(WITHOUT_BACKUP_ADMINS), actor(BOB), request.id)).toEqual({
      ok: false,
      why: 'not_allowed',
    });
  });
});
