import type { RequestId } from '../../src/domain/ids';
import { cancel, checkDecision, decide } from '../../src/flow/approvals';
import { suggestPolicies, suggestServers, suggestVolumes } from '../../src/flow/form-suggestions';
import { exportRequests, requestHistory } from '../../src/flow/history';
import { homeContent } from '../../src/flow/home';
import { openForm, previewForm, submitForm } from '../../src/flow/request-form';
import { Workspaces } from '../../src/flow/workspaces';
import type { FlowFixture } from '../support/flow-fixture';
import { actor, auditKinds, recorded, typeCommand, useFlowFixture, waitingForApproval } from '../support/flow-fixture';
import {
  ALICE,
  BOB,
  DAILY_7D,
  DAVE,
  DB_DATA_1,
  FLOW_CONFIG_YAML,
  INCIDENT,
  OTHER_TEAM,
  TEAM,
} from '../support/flow-world';
import { selection } from '../support/form-draft';
import { nthRequestId } from '../support/sequential-ids';
import { HOUR, T0 } from '../support/test-clock';

/** The flow tests' rules file without `slack.allowed_team_ids`: the token's own workspace only. */
const NO_TEAM_LIST = FLOW_CONFIG_YAML.replace(/slack:\n\s+allowed_team_ids: \[\w+\]\n/, '');

const tokenTeam = (teamId: string) => () => Promise.resolve(teamId);

describe('Workspaces', () => {
  it('serves the listed workspaces only, and never asks for the token’s', async () => {
    const workspaces = new Workspaces([TEAM]);
    const lookUp = jest.fn(tokenTeam(OTHER_TEAM));
    await workspaces.learnTokenTeam(lookUp);
    expect(lookUp).not.toHaveBeenCalled();
    expect([workspaces.allows(TEAM), workspaces.allows(OTHER_TEAM), workspaces.allows('')]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('without a list, serves no workspace until it has learnt the token’s, then that one only', async () => {
    const workspaces = new Workspaces(undefined);
    expect(workspaces.allows(TEAM)).toBe(false);
    await workspaces.learnTokenTeam(tokenTeam(TEAM));
    expect([workspaces.allows(TEAM), workspaces.allows(OTHER_TEAM)]).toEqual([true, false]);
  });
});

describe('without slack.allowed_team_ids, only the bot token’s workspace is served, at every entry point', () => {
  const fixture = useFlowFixture({ yaml: NO_TEAM_LIST });
  let f: FlowFixture;
  beforeEach(async () => {
    f = fixture();
    await f.deps.workspaces.learnTokenTeam(tokenTeam(TEAM));
  });

  it('drops the list from the rules file (the replacement hits)', () => {
    expect(NO_TEAM_LIST).not.toContain('allowed_team_ids');
    expect(f.config.access.allowedTeamIds).toBeUndefined();
  });

  it('serves the token’s own workspace', async () => {
    expect((await typeCommand(f, ALICE, 'daily-7d db-data-1')).kind).toBe('accepted');
  });

  it('denies a typed request from another workspace before any look-up', async () => {
    f.people.calls.length = 0;
    const outcome = await typeCommand(f, ALICE, 'daily-7d db-data-1', { teamId: OTHER_TEAM });
    expect(outcome).toMatchObject({ kind: 'denied', decision: { decidedBy: 'slack.allowed_team_ids' } });
    expect(f.people.calls).toEqual([]);
  });

  it('answers status and audit from another workspace without reading its requests or sending a file', async () => {
    const other = actor(ALICE, OTHER_TEAM);
    expect(await requestHistory(f.deps, other, nthRequestId(1))).toEqual({ ok: false, why: 'unknown_request' });
    expect(await exportRequests(f.deps, other, 7)).toEqual({ ok: false, why: 'not_allowed' });
  });

  it('shows another workspace an App Home without requests', async () => {
    expect(await homeContent(f.deps, actor(BOB, OTHER_TEAM))).toEqual({ ok: false, why: 'not_allowed' });
  });

  it('does not open the form for another workspace', async () => {
    expect(await openForm(f.deps, actor(ALICE, OTHER_TEAM), INCIDENT)).toEqual({ ok: false, why: 'not_allowed' });
  });

  it('previews, submits and suggests nothing for a form of another workspace', async () => {
    const draftId = nthRequestId(900);
    await f.store.drafts.create({
      id: draftId,
      teamId: OTHER_TEAM,
      userId: ALICE,
      channelId: INCIDENT,
      createdAt: T0,
      expiresAt: T0 + HOUR,
    });
    const other = actor(ALICE, OTHER_TEAM);
    const picked = selection({ policyId: DAILY_7D, volumeIds: [DB_DATA_1] });
    expect(await previewForm(f.deps, other, draftId, picked)).toBeUndefined();
    expect(await submitForm(f.deps, other, draftId, picked)).toBeUndefined();
    const q = { actor: other, draftId, projectName: 'prod', query: '' };
    expect(await suggestPolicies(f.deps, q)).toEqual([]);
    expect(await suggestServers(f.deps, q)).toEqual([]);
    expect((await suggestVolumes(f.deps, q)).volumes).toEqual([]);
    expect(f.cloud.calls).toEqual([]);
  });
});

describe('a request of another workspace is answered as an unknown one', () => {
  const fixture = useFlowFixture();
  const unknownId = 'r-zzzzzzzz' as RequestId;

  it('refuses approve, deny and cancel from another workspace exactly as for an unknown id', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    const other = actor(BOB, OTHER_TEAM);
    const unknown = await checkDecision(f.deps, unknownId, actor(BOB), 'approve');
    expect(unknown).toEqual({ ok: false, refusal: { why: 'unknown_request' } });
    expect(await checkDecision(f.deps, request.id, other, 'approve')).toEqual(unknown);
    expect(await decide(f.deps, request.id, other, 'approve', undefined)).toEqual(unknown);
    expect(await cancel(f.deps, request.id, actor(DAVE, OTHER_TEAM))).toEqual(unknown);
  });

  it('audits the refusal in the refuser’s workspace, out of sight of the request’s own history', async () => {
    const f = fixture();
    const request = await waitingForApproval(f);
    await checkDecision(f.deps, request.id, actor(BOB, OTHER_TEAM), 'approve');
    const refused = (await f.store.audit.list(request.id)).filter((e) => e.kind === 'refused');
    expect(refused).toMatchObject([{ teamId: OTHER_TEAM, actor: BOB, detail: { action: 'approve' } }]);
    const history = await requestHistory(f.deps, actor(DAVE), request.id);
    expect(history.ok && history.events.map((e) => e.kind)).not.toContain('refused');
    expect(await auditKinds(f, request.id)).toContain('refused');
  });

  it('does not list or export the requests of another workspace', async () => {
    const f = fixture();
    recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1'));
    expect(await exportRequests(f.deps, actor(ALICE, OTHER_TEAM), 7)).toEqual({ ok: false, why: 'not_allowed' });
  });
});
