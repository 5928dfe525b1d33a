import type { VolumeId } from '../../src/domain/ids';
import {
  FIRST_LOOK_MS,
  GRACE_AFTER_NOW_MS,
  GRACE_AFTER_SCHEDULE_MS,
  LATE_LOOKS,
  LONGEST_WAIT_MS,
} from '../../src/domain/watch';
import { buildFirstBackupMissing, firstBackupPlan, protectionLine } from '../../src/slack/blocks/backup-notes';
import { volumeStatus } from '../../src/flow/volume-status';
import { BackupWatcher } from '../../src/flow/watch-backups';
import { OtcHttpError } from '../../src/otc/errors';
import type { VolumeBackup } from '../../src/otc/types';
import { createMemoryLogger } from '../../src/log/logger';
import type { FlowFixture } from '../support/flow-fixture';
import { actor, auditKinds, recorded, stored, typeBackup, useFlowFixture } from '../support/flow-fixture';
import { ALICE, CBR_WEEKLY_DISK, DAILY_7D, DB_DATA_1, DB_DATA_2, FLOW_CONFIG_YAML, GUEST } from '../support/flow-world';
import { MINUTE, T0 } from '../support/test-clock';

/** The flow world, with a rule that lets @sre-oncall back up now. */
const NOW_ALLOWED = FLOW_CONFIG_YAML.replace(
  '  - { name: sre-oncall, usergroups: [sre-oncall], decision: allow }',
  '  - { name: sre-oncall, usergroups: [sre-oncall], actions: [associate, backup_now], decision: allow }',
);

function backup(
  volumeId: string,
  status: VolumeBackup['status'],
  at: number,
  extra: Partial<VolumeBackup> = {},
): VolumeBackup {
  return {
    volumeId: volumeId as VolumeId,
    status,
    cloudStatus: status === 'succeeded' ? 'EXECUTE_SUCCESS' : 'EXECUTE_FAIL',
    name: `autobk_${volumeId.slice(0, 4)}`,
    id: `job-${volumeId.slice(0, 4)}`,
    createdAt: at,
    finishedAt: at + MINUTE,
    sizeGb: undefined,
    message: status === 'failed' ? 'snapshot failed' : undefined,
    ...extra,
  };
}

async function finished(f: FlowFixture, text: string, deps = f.deps) {
  const request = recorded(await typeBackup({ ...f, deps }, ALICE, text));
  await deps.work.idle();
  return stored(f, request.id);
}

describe('back up now (--now)', () => {
  const fixture = useFlowFixture({ yaml: NOW_ALLOWED });

  it('starts a backup of the target after the volumes are added, says so, audits it and watches', async () => {
    const f = fixture();
    const done = await finished(f, 'associate daily-7d db-data-1 --now');
    expect(done.backupNow).toBe(true);
    expect(f.cloud.backupNowCalls).toEqual([{ projectId: done.project.id, targetId: DAILY_7D }]);
    expect(done.outcome?.backupNow).toEqual({ started: true, at: expect.any(Number) });
    expect(await auditKinds(f, done.id)).toContain('backup_started');
    expect(done.watch).toMatchObject({ volumeIds: [DB_DATA_1], found: [], closed: undefined });
    expect(done.watch!.deadline - done.watch!.since).toBe(GRACE_AFTER_NOW_MS);
  });

  it('says at once which of its volumes the cloud left out of the backup, and why', async () => {
    const f = fixture();
    f.cloud.backupNowSkipped = [
      { volumeId: DB_DATA_2 as VolumeId, code: 'BackupService.7003', message: 'disk in status error' },
      // Another volume of the target: not this request's news.
      { volumeId: 'ffffffff-0000-4000-8000-000000000000' as VolumeId, code: 'BackupService.6125', message: 'busy' },
    ];
    const done = await finished(f, 'associate daily-7d db-data-1 db-data-2 --now');
    expect(done.outcome?.backupNow).toEqual({
      started: true,
      at: expect.any(Number),
      skipped: [{ volumeId: DB_DATA_2, code: 'BackupService.7003', message: 'disk in status error' }],
    });
    const plan = firstBackupPlan(done);
    expect(plan).toContain('Backup started now');
    expect(plan).toContain(
      'The cloud left this volume out of it: `db-data-2` (`BackupService.7003` disk in status error)',
    );
    const trail = await f.store.audit.list(done.id);
    expect(trail.find((e) => e.kind === 'backup_started')?.detail).toMatchObject({ skipped: [DB_DATA_2] });
  });

  it('keeps the volumes added and says why when the backup cannot be started', async () => {
    const f = fixture();
    f.cloud.backupNowError = new OtcHttpError({
      site: { method: 'POST', path: '/v2/{project_id}/backuppolicy/{policy_id}/action', attempts: 1 } as never,
      status: 400,
      otcCode: 'AutoBackup.0001',
      otcMessage: 'policy busy',
    });
    const done = await finished(f, 'associate daily-7d db-data-1 --now');
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.backupNow).toMatchObject({ started: false, code: 'AutoBackup.0001' });
  });

  it('needs a rule that allows backup_now: a rule without it covers the associate only', async () => {
    const f = fixture();
    const deps = f.rebuild(FLOW_CONFIG_YAML);
    const outcome = await typeBackup({ ...f, deps }, ALICE, 'associate daily-7d db-data-1 --now');
    // sre-oncall allows the associate, but nothing allows backup_now for ALICE alone: the strictest wins.
    expect(outcome.kind === 'accepted' ? outcome.request.state : outcome.kind).not.toBe('allowed');
  });

  it('needs a reason when the rule that allows backing up now asks for one, whichever rule decides', async () => {
    const f = fixture();
    const deps = f.rebuild(
      FLOW_CONFIG_YAML.replace(
        '  - { name: sre-oncall, usergroups: [sre-oncall], decision: allow }',
        [
          '  - { name: now-with-reason, usergroups: [sre-oncall], actions: [backup_now], decision: allow, require_reason: true }',
          '  - { name: sre-oncall, usergroups: [sre-oncall], decision: allow }',
        ].join('\n'),
      ),
    );
    const typed = (text: string) => typeBackup({ ...f, deps }, ALICE, text);
    // The associate alone: sre-oncall, no reason needed.
    expect((await typed('associate daily-7d db-data-1 --dry-run')).kind).toBe('dry_run');
    expect(await typed('associate daily-7d db-data-1 --now')).toEqual({
      kind: 'invalid',
      problems: [{ field: 'reason', text: expect.stringContaining('Rule `now-with-reason` needs a reason') }],
    });
    expect(await typed('associate daily-7d db-data-1 --now --reason "INC-4711"')).toMatchObject({
      kind: 'accepted',
      request: { state: 'allowed', reason: 'INC-4711' },
    });
  });
});

describe('watching the first backup', () => {
  const fixture = useFlowFixture({ yaml: NOW_ALLOWED });

  function watcher(f: FlowFixture, owner = 'test-replica') {
    return new BackupWatcher({
      watches: f.store.watches,
      runs: f.cloud,
      outbox: f.deps.outbox,
      clock: f.clock,
      logger: createMemoryLogger('debug'),
      owner,
      leaseMs: MINUTE,
      firstLookMs: FIRST_LOOK_MS,
    });
  }

  it('posts one line per volume as its first backup finishes, then edits the root message', async () => {
    const f = fixture();
    const done = await finished(f, 'associate daily-7d db-data-1 db-data-2 --now');
    f.cloud.backups.push(backup(DB_DATA_1, 'succeeded', f.clock.now() + 1000));
    f.clock.advance(MINUTE);
    expect(await f.deps.watcher.runDue()).toBe(1);
    let now = await stored(f, done.id);
    expect(now.watch?.found.map((x) => x.volumeId)).toEqual([DB_DATA_1]);
    expect(f.deliverer.kinds(done.id).filter((k) => k === 'thread.first_backup')).toHaveLength(1);

    f.cloud.backups.push(backup(DB_DATA_2, 'failed', f.clock.now()));
    f.clock.advance(10 * MINUTE);
    await f.deps.watcher.runDue();
    now = await stored(f, done.id);
    expect(now.watch).toMatchObject({ closed: 'all_done', nextCheckAt: undefined });
    expect(now.watch?.found.map((x) => [x.volumeId, x.status])).toEqual([
      [DB_DATA_1, 'succeeded'],
      [DB_DATA_2, 'failed'],
    ]);
    const kinds = f.deliverer.kinds(done.id);
    expect(kinds.filter((k) => k === 'thread.first_backup')).toHaveLength(2);
    expect(kinds.at(-1)).toBe('root.update');
    expect((await auditKinds(f, done.id)).filter((k) => k === 'first_backup')).toHaveLength(2);
    // Closed: nothing is due any more, whatever the time.
    f.clock.advance(24 * 60 * MINUTE);
    expect(await f.deps.watcher.runDue()).toBe(0);
  });

  it('ignores backups from before the request finished, and says so when the deadline passes without one', async () => {
    const f = fixture();
    const done = await finished(f, 'associate daily-7d db-data-1 --now');
    f.cloud.backups.push(backup(DB_DATA_1, 'succeeded', done.watch!.since - 1));
    f.clock.advance(GRACE_AFTER_NOW_MS + MINUTE);
    await f.deps.watcher.runDue();
    const after = await stored(f, done.id);
    expect(after.watch).toMatchObject({ closed: 'missed', found: [] });
    expect(f.deliverer.kinds(done.id)).toContain('thread.first_backup_missing');
    expect(await auditKinds(f, done.id)).toContain('first_backup_missed');
  });

  it('does not say the backup did not come when the cloud cannot be read at the deadline: it looks again', async () => {
    const f = fixture();
    const done = await finished(f, 'associate daily-7d db-data-1 --now');
    f.cloud.listBackupsError = new Error('network down');
    f.clock.advance(GRACE_AFTER_NOW_MS + MINUTE);
    await f.deps.watcher.runDue();
    let after = await stored(f, done.id);
    expect(after.watch).toMatchObject({ closed: undefined, failedLooks: 1 });
    expect(after.watch!.nextCheckAt).toBeGreaterThan(f.clock.now());
    expect(f.deliverer.kinds(done.id)).not.toContain('thread.first_backup_missing');
    expect(await auditKinds(f, done.id)).not.toContain('first_backup_missed');
    // The cloud reads again and shows the backup that came in time: found, not missed.
    f.cloud.listBackupsError = undefined;
    f.cloud.backups.push(backup(DB_DATA_1, 'succeeded', done.watch!.since + MINUTE));
    f.clock.advance(LONGEST_WAIT_MS);
    await f.deps.watcher.runDue();
    after = await stored(f, done.id);
    expect(after.watch).toMatchObject({ closed: 'all_done', found: [{ volumeId: DB_DATA_1 }] });
    expect(after.watch).not.toHaveProperty('failedLooks');
    expect(protectionLine(after)).toContain('Protected');
  });

  it(`closes as unreadable after ${LATE_LOOKS} failed looks in a row past the deadline, and says it cannot tell`, async () => {
    const f = fixture();
    const done = await finished(f, 'associate daily-7d db-data-1 --now');
    f.cloud.listBackupsError = new Error('network down');
    f.clock.advance(GRACE_AFTER_NOW_MS + MINUTE);
    for (let look = 1; look <= LATE_LOOKS; look += 1) {
      expect(await f.deps.watcher.runDue()).toBe(1);
      f.clock.advance(LONGEST_WAIT_MS);
    }
    const after = await stored(f, done.id);
    expect(after.watch).toMatchObject({ closed: 'unreadable', failedLooks: LATE_LOOKS, nextCheckAt: undefined });
    expect(f.deliverer.kinds(done.id).slice(-2)).toEqual(['thread.first_backup_missing', 'root.update']);
    const trail = await f.store.audit.list(done.id);
    expect(trail.find((e) => e.kind === 'first_backup_missed')?.detail).toEqual({ volumes: 1, unreadable: true });
    const note = JSON.stringify(buildFirstBackupMissing(after));
    expect(note).toContain('I could not read the backups of');
    expect(note).toContain('cannot tell whether');
    expect(note).not.toContain('did not back');
    expect(protectionLine(after)).toContain('1 unknown (the cloud could not be read)');
    // Closed: no more looks.
    f.clock.advance(24 * 60 * MINUTE);
    expect(await f.deps.watcher.runDue()).toBe(0);
  });

  it('waits for the next scheduled run without --now, and does not look before it', async () => {
    const f = fixture();
    // The fake policies run daily at 02:00 UTC; the test clock starts at T0.
    const done = await finished(f, 'associate daily-7d db-data-1');
    expect(done.watch?.nextRunAt).toBeGreaterThan(T0);
    expect(done.watch!.deadline).toBe(done.watch!.nextRunAt! + GRACE_AFTER_SCHEDULE_MS);
    expect(await f.deps.watcher.runDue()).toBe(0);
    expect(f.cloud.count('listBackups')).toBe(0);
  });

  it('is worked by one replica at a time', async () => {
    const f = fixture();
    await finished(f, 'associate daily-7d db-data-1 --now');
    f.clock.advance(MINUTE);
    const [a, b] = await Promise.all([watcher(f, 'replica-a').runDue(), watcher(f, 'replica-b').runDue()]);
    expect(a + b).toBe(1);
  });

  it('keeps watching when the cloud cannot be asked, and looks again later', async () => {
    const f = fixture();
    const done = await finished(f, 'associate daily-7d db-data-1 --now');
    f.cloud.listBackupsError = new Error('network down');
    f.clock.advance(MINUTE);
    await f.deps.watcher.runDue();
    const after = await stored(f, done.id);
    expect(after.watch).toMatchObject({ closed: undefined, checks: 1 });
    expect(after.watch!.nextCheckAt).toBeGreaterThan(f.clock.now());
    expect(f.deliverer.kinds(done.id)).not.toContain('thread.first_backup');
  });

  it('logs a failed listing under each request it was for', async () => {
    const f = fixture();
    const one = await finished(f, 'associate daily-7d db-data-1 --now');
    const two = await finished(f, 'associate daily-7d db-data-2 --now');
    f.cloud.listBackupsError = new Error('network down');
    f.clock.advance(MINUTE);
    const logger = createMemoryLogger('debug');
    const w = new BackupWatcher({
      watches: f.store.watches,
      runs: f.cloud,
      outbox: f.deps.outbox,
      clock: f.clock,
      logger,
      owner: 'test-replica',
      leaseMs: MINUTE,
      firstLookMs: FIRST_LOOK_MS,
    });
    expect(await w.runDue()).toBe(2);
    // The two requests share their project and policy: one listing, and it failed for both.
    expect(f.cloud.count('listBackups')).toBe(1);
    const failures = logger.lines
      .map((l) => JSON.parse(l) as { msg: string; requestId?: string })
      .filter((l) => l.msg === 'could not list backups to watch');
    expect(failures.map((l) => l.requestId).sort()).toEqual([one.id, two.id].sort());
  });

  it("lets the listing's own log lines (the cloud call, its retries) name the request it is for", async () => {
    const f = fixture();
    const done = await finished(f, 'associate daily-7d db-data-1 --now');
    f.clock.advance(MINUTE);
    const probe = createMemoryLogger('debug');
    const w = new BackupWatcher({
      watches: f.store.watches,
      runs: {
        listBackups: (...args) => {
          probe.debug('otc call');
          return f.cloud.listBackups(...args);
        },
      },
      outbox: f.deps.outbox,
      clock: f.clock,
      logger: createMemoryLogger('debug'),
      owner: 'test-replica',
      leaseMs: MINUTE,
      firstLookMs: FIRST_LOOK_MS,
    });
    expect(await w.runDue()).toBe(1);
    expect(probe.lines.map((l) => (JSON.parse(l) as { requestId?: string }).requestId)).toEqual([done.id]);
  });

  it('watches nothing on an undo, nor when nothing was added', async () => {
    const f = fixture();
    const added = await finished(f, 'associate daily-7d db-data-1');
    expect(added.watch).toBeDefined();
    const out = await finished(f, 'disassociate daily-7d db-data-1'.replace('daily-7d', 'daily-7d'));
    expect(out.watch).toBeUndefined();
    f.cloud.failures.set(DB_DATA_2, { code: 'AutoBackup.0206', message: 'bad' });
    const failed = await finished(f, 'associate daily-7d db-data-2');
    expect(failed.watch).toBeUndefined();
  });
});

describe('/backup status <volume>', () => {
  const fixture = useFlowFixture();

  it('says VBS cannot tell the policy, and gives the last backup', async () => {
    const f = fixture();
    f.cloud.backups.push(backup(DB_DATA_1, 'succeeded', T0 - 5 * MINUTE));
    const result = await volumeStatus(f.deps, actor(ALICE), {
      volume: { kind: 'name', name: 'db-data-1' },
      project: undefined,
    });
    expect(result).toMatchObject({
      ok: true,
      project: 'prod',
      placement: { kind: 'vbs_unknown' },
      lastBackup: { status: 'succeeded', name: expect.stringMatching(/^autobk_/) },
    });
  });

  it('names the vault that holds a volume on CBR', async () => {
    const f = fixture();
    const result = await volumeStatus(f.deps, actor(ALICE), {
      volume: { kind: 'id', id: CBR_WEEKLY_DISK as VolumeId },
      project: 'vaulted',
    });
    expect(result).toMatchObject({
      ok: true,
      placement: { kind: 'vault', vault: { name: 'vault-weekly' } },
      lastBackup: undefined,
    });
  });

  it('says so when the cloud cannot say, when no volume matches, and tells a guest nothing', async () => {
    const f = fixture();
    f.cloud.backups.length = 0;
    expect(
      await volumeStatus(f.deps, actor(ALICE), { volume: { kind: 'name', name: 'nope' }, project: undefined }),
    ).toMatchObject({
      ok: false,
      why: 'problem',
    });
    expect(
      await volumeStatus(f.deps, actor(GUEST), { volume: { kind: 'name', name: 'db-data-1' }, project: undefined }),
    ).toEqual({
      ok: false,
      why: 'not_allowed',
    });
    expect(f.cloud.calls.filter((c) => c.method === 'findVolumesByRef')).toHaveLength(1);
  });
});
