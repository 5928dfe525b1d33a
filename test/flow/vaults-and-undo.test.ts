import type { VolumeId } from '../../src/domain/ids';
import { undo } from '../../src/flow/undo';
import type { FlowFixture } from '../support/flow-fixture';
import { actor, auditKinds, recorded, stored, typeBackup, useFlowFixture } from '../support/flow-fixture';
import {
  ALICE,
  BOB,
  CBR_DISK_A,
  CBR_DISK_B,
  CBR_WEEKLY_DISK,
  DAILY_7D,
  DAVE,
  DB_DATA_1,
  ERIN,
  FLOW_CONFIG_YAML,
  VAULT_DAILY,
  VAULT_WEEKLY,
  VAULTED,
} from '../support/flow-world';

const inVault = (f: FlowFixture, id: string) => f.cloud.vaultOf(id as VolumeId);

/** Runs a typed command to its end: recorded, run, messages delivered. */
async function finished(f: FlowFixture, userId: string, text: string) {
  const request = recorded(await typeBackup(f, userId, text));
  await f.deps.work.idle();
  return stored(f, request.id);
}

describe('a CBR project: volumes go into vaults', () => {
  const fixture = useFlowFixture();

  it('adds volumes to a vault and records the target as a vault', async () => {
    const f = fixture();
    const done = await finished(f, ALICE, 'associate vault-daily cbr-a cbr-b --project vaulted');
    expect(done).toMatchObject({
      state: 'succeeded',
      action: 'associate',
      target: { kind: 'vault', name: 'vault-daily' },
    });
    expect(done.project.service).toBe('cbr');
    expect(inVault(f, CBR_DISK_A)).toBe(VAULT_DAILY);
    expect(inVault(f, CBR_DISK_B)).toBe(VAULT_DAILY);
  });

  it('leaves a volume that is in another vault alone without --move, and says how to move it', async () => {
    const f = fixture();
    const outcome = await typeBackup(f, ALICE, 'associate vault-daily web-logs cbr-a --project vaulted');
    expect(outcome.kind).toBe('accepted');
    if (outcome.kind !== 'accepted') return;
    expect(outcome.request.volumes.map((v) => v.name)).toEqual(['cbr-a']);
    expect(outcome.notes).toContain(
      '`web-logs` is in vault `vault-weekly`; add --move to move it (its backups move with it).',
    );
    await f.deps.work.idle();
    expect(inVault(f, CBR_WEEKLY_DISK)).toBe(VAULT_WEEKLY);
    expect(f.cloud.count('move')).toBe(0);
  });

  it('refuses a request whose every volume is in another vault, saying which', async () => {
    const outcome = await typeBackup(fixture(), ALICE, 'associate vault-daily web-logs --project vaulted');
    expect(outcome).toEqual({
      kind: 'invalid',
      problems: [{ field: 'volumes', text: expect.stringContaining('`web-logs` is in vault `vault-weekly`') }],
    });
  });

  it('moves with --move when the rules allow taking it out of the source too, and the record says from where', async () => {
    const f = fixture();
    const done = await finished(f, ALICE, 'associate vault-daily web-logs --move --project vaulted');
    expect(done.state).toBe('succeeded');
    expect(done.moves).toEqual([{ volumeId: CBR_WEEKLY_DISK, vault: { id: VAULT_WEEKLY, name: 'vault-weekly' } }]);
    expect(done.outcome?.added).toEqual([
      expect.objectContaining({ volumeId: CBR_WEEKLY_DISK, movedFrom: VAULT_WEEKLY }),
    ]);
    expect(f.cloud.changeCalls).toEqual([
      { method: 'move', from: VAULT_WEEKLY, to: VAULT_DAILY, volumeIds: [CBR_WEEKLY_DISK] },
    ]);
    expect(inVault(f, CBR_WEEKLY_DISK)).toBe(VAULT_DAILY);
  });

  it('needs the source vault allowed for disassociate: the strictest verdict decides a move', async () => {
    const f = fixture();
    // DAVE may add anywhere only with approval, and taking out of vault-weekly needs approval too.
    const outcome = await typeBackup(f, DAVE, 'associate vault-daily web-logs --move --project vaulted');
    expect(outcome).toMatchObject({ kind: 'accepted', request: { state: 'pending_approval' } });
  });

  it('says in the preview when the vault has too little room', async () => {
    const outcome = await typeBackup(fixture(), ALICE, 'associate vault-small cbr-a cbr-b --project vaulted --dry-run');
    expect(outcome.kind).toBe('dry_run');
    if (outcome.kind !== 'dry_run') return;
    expect(outcome.checked.notes).toContain(
      'Vault `vault-small` has 100 GB free and these volumes need 200 GB: CBR will refuse those that do not fit. Expand the vault first, or pick another.',
    );
  });

  it('says --move changes nothing on a VBS project, and goes on', async () => {
    const outcome = await typeBackup(fixture(), ALICE, 'associate daily-7d db-data-1 --move --dry-run');
    expect(outcome.kind === 'dry_run' && outcome.checked.notes).toContain(
      '--move is for CBR vaults: on VBS, adding a volume moves it from another policy anyway.',
    );
  });

  it('names vaults, not policies, in its errors', async () => {
    const outcome = await typeBackup(fixture(), ALICE, 'associate vault-dialy cbr-a --project vaulted');
    expect(outcome).toMatchObject({
      kind: 'invalid',
      problems: [
        {
          field: 'policy',
          text: expect.stringMatching(/^There is no vault named `vault-dialy`\. Did you mean `vault-daily`\?/),
        },
      ],
    });
  });
});

describe('/backup disassociate', () => {
  const fixture = useFlowFixture();

  it('is decided by rules that name it: a rule without actions covers associate only', async () => {
    const f = fixture();
    // sre-oncall (no actions) allows ALICE to associate; only sre-take-out lets her take out.
    const done = await finished(f, ALICE, 'disassociate vault-weekly web-logs --project vaulted');
    expect(done).toMatchObject({ state: 'succeeded', action: 'disassociate', decision: { decidedBy: 'sre-take-out' } });
    expect(inVault(f, CBR_WEEKLY_DISK)).toBeUndefined();
    const rebuilt = f.rebuild(OLD_RULES);
    const outcome = await typeBackup({ ...f, deps: rebuilt }, ALICE, 'disassociate daily-7d db-data-1');
    expect(outcome).toMatchObject({ kind: 'denied', decision: { decidedBy: 'no matching rule (deny)' } });
    if (outcome.kind === 'denied')
      expect(outcome.decision.reason).toContain('it covers associate only, not disassociate');
  });

  it('takes out of a VBS policy whatever the status of the disk', async () => {
    const f = fixture();
    const done = await finished(f, ALICE, 'disassociate daily-7d db-data-1 broken-disk');
    expect(done.state).toBe('succeeded');
    expect(f.cloud.changeCalls).toEqual([
      { method: 'disassociate', from: DAILY_7D, volumeIds: [DB_DATA_1, expect.any(String)] },
    ]);
  });

  it('leaves out a volume that is not in the vault, and refuses when none is', async () => {
    const outcome = await typeBackup(fixture(), ALICE, 'disassociate vault-daily cbr-a --project vaulted');
    expect(outcome).toEqual({
      kind: 'invalid',
      problems: [{ field: 'volumes', text: '`cbr-a` is not in vault `vault-daily`; nothing to take out.' }],
    });
  });

  it('goes to approval under a rule that covers both actions', async () => {
    const f = fixture();
    const outcome = await typeBackup(f, DAVE, 'disassociate vault-weekly web-logs --project vaulted');
    expect(outcome).toMatchObject({
      kind: 'accepted',
      request: { state: 'pending_approval', decision: { decidedBy: 'others-take-out' } },
    });
  });
});

describe('Undo', () => {
  const fixture = useFlowFixture();

  it('takes out exactly what the request added, as a request of its own in the same thread', async () => {
    const f = fixture();
    f.cloud.vaultVolumes(VAULT_DAILY).add(CBR_DISK_B as VolumeId);
    const original = await finished(f, ALICE, 'associate vault-daily cbr-a cbr-b --project vaulted');
    // cbr-b was there already: the request did not add it, so the undo leaves it.
    expect(original.outcome?.added.find((a) => a.volumeId === CBR_DISK_B)?.already).toBe(true);
    const result = await undo(f.deps, actor(ALICE), original.id);
    expect(result).toMatchObject({ ok: true, outcome: { kind: 'accepted' } });
    await f.deps.work.idle();
    if (!result.ok || result.outcome.kind !== 'accepted') return;
    const undone = await stored(f, result.outcome.request.id);
    expect(undone).toMatchObject({
      state: 'succeeded',
      action: 'disassociate',
      undoOf: original.id,
      thread: original.rootMessage,
      volumes: [expect.objectContaining({ id: CBR_DISK_A })],
    });
    expect(inVault(f, CBR_DISK_A)).toBeUndefined();
    expect(inVault(f, CBR_DISK_B)).toBe(VAULT_DAILY);
    expect(await auditKinds(f, undone.id)).toEqual(
      expect.arrayContaining(['received', 'decided', 'started', 'finished']),
    );
  });

  it('keeps in the trail, before each CBR call, the volumes it sends (a crash during the call leaves them named)', async () => {
    const f = fixture();
    f.cloud.vaultVolumes(VAULT_DAILY).add(CBR_DISK_B as VolumeId);
    const cbr = await finished(f, ALICE, 'associate vault-daily cbr-a cbr-b --project vaulted');
    const trail = await f.store.audit.list(cbr.id);
    const kinds = trail.map((e) => e.kind);
    expect(kinds.indexOf('cloud_call_sent')).toBeLessThan(kinds.indexOf('cloud_call'));
    expect(trail.find((e) => e.kind === 'cloud_call_sent')?.detail).toEqual({
      call: 'associate',
      chunk: 0,
      sent: [CBR_DISK_A],
      // The run that sent it: a resumed run leaves its own entries out.
      run: expect.stringMatching(/#\d+$/),
    });
    const vbs = await finished(f, ALICE, 'associate daily-7d db-data-1');
    expect(await auditKinds(f, vbs.id)).not.toContain('cloud_call_sent');
  });

  it('sends nothing when it cannot first keep which volumes a CBR call sends, and a resumed run adds them as its own', async () => {
    const f = fixture();
    const append = f.store.audit.append.bind(f.store.audit);
    let refused = 0;
    f.store.audit.append = (event) =>
      event.kind === 'cloud_call_sent' && refused++ === 0 ? Promise.reject(new Error('database down')) : append(event);
    const request = recorded(await typeBackup(f, ALICE, 'associate vault-daily cbr-a --project vaulted'));
    await f.deps.work.idle();
    expect(inVault(f, CBR_DISK_A)).toBeUndefined();
    // Given back, not finished: nothing is said to have failed.
    expect((await stored(f, request.id)).state).toBe('running');
    expect(await f.deps.executor.resumeStale()).toBe(1);
    await f.deps.work.idle();
    const done = await stored(f, request.id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.added).toEqual([expect.objectContaining({ volumeId: CBR_DISK_A })]);
    expect(done.outcome?.added[0]?.already).toBeUndefined();
    expect(inVault(f, CBR_DISK_A)).toBe(VAULT_DAILY);
  });

  it('moves a volume the request moved back to the vault it came from', async () => {
    const f = fixture();
    const original = await finished(f, ALICE, 'associate vault-daily web-logs --move --project vaulted');
    expect(inVault(f, CBR_WEEKLY_DISK)).toBe(VAULT_DAILY);
    const result = await undo(f.deps, actor(ALICE), original.id);
    await f.deps.work.idle();
    if (!result.ok || result.outcome.kind !== 'accepted') throw new Error('the undo was not accepted');
    const undone = await stored(f, result.outcome.request.id);
    expect(undone.moves).toEqual([{ volumeId: CBR_WEEKLY_DISK, vault: { id: VAULT_WEEKLY, name: 'vault-weekly' } }]);
    expect(f.cloud.changeCalls.at(-1)).toEqual({
      method: 'move',
      from: VAULT_DAILY,
      to: VAULT_WEEKLY,
      volumeIds: [CBR_WEEKLY_DISK],
    });
    expect(inVault(f, CBR_WEEKLY_DISK)).toBe(VAULT_WEEKLY);
  });

  it('is for the requester and its approvers only', async () => {
    const f = fixture();
    const original = await finished(f, ALICE, 'associate vault-daily cbr-a --project vaulted');
    expect(await undo(f.deps, actor(DAVE), original.id)).toEqual({ ok: false, why: 'not_allowed' });
    // BOB is in @backup-admins, the global approvers.
    expect(await undo(f.deps, actor(BOB), original.id)).toMatchObject({ ok: true });
    expect(await undo(f.deps, actor(ERIN), original.id)).toEqual({ ok: false, why: 'not_allowed' });
  });

  it('finds the first undo on a second click instead of asking twice', async () => {
    const f = fixture();
    const original = await finished(f, ALICE, 'associate daily-7d db-data-1');
    const first = await undo(f.deps, actor(ALICE), original.id);
    const second = await undo(f.deps, actor(ALICE), original.id);
    if (!first.ok || first.outcome.kind !== 'accepted') throw new Error('the first undo was not accepted');
    expect(second).toMatchObject({
      ok: true,
      outcome: { kind: 'duplicate', existing: { id: first.outcome.request.id } },
    });
  });

  it('asks again once an undo ended without taking the volumes out; a second click finds the new one', async () => {
    const f = fixture();
    const original = await finished(f, ALICE, 'associate daily-7d db-data-1');
    // The cloud refuses the first undo's call.
    jest.spyOn(f.cloud, 'disassociate').mockResolvedValueOnce({
      added: [],
      failed: [{ volumeId: DB_DATA_1 as VolumeId, code: 'AutoBackup.0206', message: 'bad state' }],
      chunks: [],
    });
    const first = await undo(f.deps, actor(ALICE), original.id);
    if (!first.ok || first.outcome.kind !== 'accepted') throw new Error('the first undo was not accepted');
    await f.deps.work.idle();
    expect((await stored(f, first.outcome.request.id)).state).toBe('failed');

    const second = await undo(f.deps, actor(ALICE), original.id);
    if (!second.ok || second.outcome.kind !== 'accepted') throw new Error('the second undo was not accepted');
    expect(second.outcome.request.id).not.toBe(first.outcome.request.id);
    expect(await undo(f.deps, actor(ALICE), original.id)).toMatchObject({
      ok: true,
      outcome: { kind: 'duplicate', existing: { id: second.outcome.request.id } },
    });
    await f.deps.work.idle();
    expect((await stored(f, second.outcome.request.id)).state).toBe('succeeded');
    // A succeeded undo stands for good.
    expect(await undo(f.deps, actor(ALICE), original.id)).toMatchObject({
      ok: true,
      outcome: { kind: 'duplicate', existing: { id: second.outcome.request.id, state: 'succeeded' } },
    });
  });

  it('asks again only for what an undo that partly failed left in, not for a volume added again since', async () => {
    const f = fixture();
    const original = await finished(f, ALICE, 'associate vault-daily cbr-a cbr-b --project vaulted');
    // The first undo takes cbr-b out and fails on cbr-a.
    jest.spyOn(f.cloud, 'disassociate').mockImplementationOnce(() => {
      f.cloud.vaultVolumes(VAULT_DAILY).delete(CBR_DISK_B as VolumeId);
      return Promise.resolve({
        added: [{ volumeId: CBR_DISK_B as VolumeId, availabilityZone: undefined, pod: undefined }],
        failed: [{ volumeId: CBR_DISK_A as VolumeId, code: 'BackupService.6135', message: 'busy' }],
        chunks: [],
      });
    });
    const first = await undo(f.deps, actor(ALICE), original.id);
    if (!first.ok || first.outcome.kind !== 'accepted') throw new Error('the first undo was not accepted');
    await f.deps.work.idle();
    expect((await stored(f, first.outcome.request.id)).state).toBe('partially_failed');
    // Someone adds cbr-b again, on purpose: it is that request's work now.
    const again = await finished(f, ALICE, 'associate vault-daily cbr-b --project vaulted');
    expect(again.state).toBe('succeeded');

    const second = await undo(f.deps, actor(ALICE), original.id);
    if (!second.ok || second.outcome.kind !== 'accepted') throw new Error('the second undo was not accepted');
    expect(second.outcome.request.volumes.map((v) => v.id)).toEqual([CBR_DISK_A]);
    await f.deps.work.idle();
    expect(inVault(f, CBR_DISK_A)).toBeUndefined();
    expect(inVault(f, CBR_DISK_B)).toBe(VAULT_DAILY);
    // Everything it added is out now, by one undo or the other.
    expect(await undo(f.deps, actor(ALICE), original.id)).toMatchObject({
      ok: true,
      outcome: { kind: 'duplicate', existing: { id: second.outcome.request.id, state: 'succeeded' } },
    });
  });

  it('leaves out a disk deleted since, and takes out the others; with every disk gone it says so', async () => {
    const f = fixture();
    const original = await finished(f, ALICE, 'associate vault-daily cbr-a cbr-b --project vaulted');
    const deleteDisk = (id: string) => {
      const project = f.cloud.project(VAULTED);
      project.volumes = project.volumes.filter((v) => v.id !== id);
      f.cloud.vaultVolumes(VAULT_DAILY).delete(id as VolumeId);
    };
    deleteDisk(CBR_DISK_B);
    const result = await undo(f.deps, actor(ALICE), original.id);
    if (!result.ok || result.outcome.kind !== 'accepted') throw new Error('the undo was not accepted');
    expect(result.outcome.request.volumes.map((v) => v.id)).toEqual([CBR_DISK_A]);
    expect(result.outcome.notes).toContain(
      `\`${CBR_DISK_B}\` no longer exists in this project (deleted since): nothing to take out.`,
    );
    await f.deps.work.idle();
    expect(inVault(f, CBR_DISK_A)).toBeUndefined();

    const other = await finished(f, ALICE, 'associate vault-daily cbr-a --project vaulted');
    deleteDisk(CBR_DISK_A);
    expect(await undo(f.deps, actor(ALICE), other.id)).toMatchObject({
      ok: true,
      outcome: { kind: 'invalid', problems: [{ field: 'volumes', text: expect.stringContaining('no longer exists') }] },
    });
  });

  it('has nothing to undo for a request that added nothing, a request not finished, or an undo', async () => {
    const f = fixture();
    f.cloud.failures.set(DB_DATA_1, { code: 'AutoBackup.0206', message: 'bad state' });
    const failed = await finished(f, ALICE, 'associate daily-7d db-data-1');
    expect(await undo(f.deps, actor(ALICE), failed.id)).toMatchObject({ ok: false, why: 'nothing_to_undo' });
    const pending = recorded(await typeBackup(f, DAVE, 'associate daily-7d web-root'));
    expect(await undo(f.deps, actor(DAVE), pending.id)).toEqual({
      ok: false,
      why: 'nothing_to_undo',
      text: 'Nothing to undo: the request has not finished.',
    });
  });

  it('knows nothing of a request of another workspace', async () => {
    const f = fixture();
    const original = await finished(f, ALICE, 'associate daily-7d db-data-1');
    expect(await undo(f.deps, actor(ALICE, 'T0OTHERTEAM'), original.id)).toMatchObject({ ok: false });
  });
});

/** The rules file of a bot from before undo: no rule names actions. */
const OLD_RULES = `
slack:
  allowed_team_ids: [T0FLOWTEAM]
cloud:
  region: eu-de
projects:
  - { name: prod, id: 0123456789abcdef0123456789abcdef, default: true }
rules:
  - { name: sre-oncall, usergroups: [sre-oncall], decision: allow }
`;

/** The flow rules, with taking volumes out of vault-weekly approved by ERIN alone, within 1 hour. */
const WEEKLY_OUT_BY_ERIN = FLOW_CONFIG_YAML.replace(
  '  - { name: sre-take-out, usergroups: [sre-oncall], actions: [disassociate], decision: allow }',
  [
    '  - name: weekly-out',
    '    policies: [vault-weekly]',
    '    actions: [disassociate]',
    '    decision: require_approval',
    `    approvers: { users: [${ERIN}] }`,
    '  - { name: sre-take-out, usergroups: [sre-oncall], actions: [disassociate], decision: allow }',
  ].join('\n'),
);

describe('a move that needs approval under two rules', () => {
  const fixture = useFlowFixture({ yaml: WEEKLY_OUT_BY_ERIN });

  it('is refused when the rules name different approvers: one approval cannot stand for both', async () => {
    const f = fixture();
    // Into vault-daily: others-need-approval (@backup-admins); out of vault-weekly: weekly-out (ERIN).
    const outcome = await typeBackup(f, DAVE, 'associate vault-daily web-logs --move --project vaulted');
    expect(outcome).toMatchObject({
      kind: 'denied',
      decision: {
        verdict: 'deny',
        reason: expect.stringContaining('rules others-need-approval and weekly-out, which name different approvers'),
      },
    });
    expect(await f.store.queries.listRequests({ teamId: 'T0FLOWTEAM', since: 0, limit: 10 })).toEqual([]);
  });

  it('is recorded under the rule with less time to decide when both name the same approvers', async () => {
    const sameApprovers = WEEKLY_OUT_BY_ERIN.replace(
      `    decision: require_approval\n    approvers: { users: [${ERIN}] }\n  - { name: sre-take-out`,
      '    decision: require_approval\n    ttl: 1h\n  - { name: sre-take-out',
    );
    expect(sameApprovers).not.toBe(WEEKLY_OUT_BY_ERIN);
    const f = fixture();
    const outcome = await typeBackup(
      { ...f, deps: f.rebuild(sameApprovers) },
      DAVE,
      'associate vault-daily web-logs --move --project vaulted',
    );
    expect(outcome).toMatchObject({ kind: 'accepted', request: { state: 'pending_approval' } });
    if (outcome.kind !== 'accepted') return;
    expect(outcome.request.decision.decidedBy).toBe('weekly-out');
    expect(outcome.request.approval!.expiresAt - outcome.request.createdAt).toBe(3_600_000);
  });
});
