import type { Sandbox } from '../../src/sandbox';
import {
  DEFAULT_BACKUP_DURATION_MS,
  formatSandboxBanner,
  seededPolicyId,
  seededVaultId,
  seededVolumeIds,
  startSandbox,
} from '../../src/sandbox';
import { PROJECT, call, getToken } from './helpers';

const DAILY_7D = seededPolicyId('daily-7d')!;
const VAULT_DAILY = seededVaultId('vault-daily')!;
const WEB_01_DATA = seededVolumeIds('web-01-data')[0]!;
const K8S_1_ROOT = seededVolumeIds('k8s-node-1-root')[0]!;
const DB_DATA_1 = seededVolumeIds('db-data-1')[0]!;
const T0 = Date.parse('2025-03-03T10:00:00.000Z');

describe('sandbox.state.backups: the test-facing API', () => {
  let sandbox: Sandbox;
  let now: number;
  const P = PROJECT;

  beforeEach(async () => {
    now = T0;
    sandbox = await startSandbox({ now: () => new Date(now), projects: [{ id: P, backupService: 'cbr' }] });
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  it('takes its duration from backupDurationMs (default 3 s); setDuration changes it for jobs started afterwards', () => {
    const backups = sandbox.state.backups;
    expect(backups.durationMs).toBe(DEFAULT_BACKUP_DURATION_MS);
    expect(DEFAULT_BACKUP_DURATION_MS).toBe(3000);
    backups.executePolicy(P, DAILY_7D);
    backups.setDuration(10_000);
    now += 3000;
    backups.createCheckpoint(P, { vaultId: VAULT_DAILY, resources: [WEB_01_DATA] });

    expect(backups.backupsOfVolume(P, WEB_01_DATA).map((b) => [b.service, b.phase, b.durationMs])).toEqual([
      ['vbs', 'succeeded', 3000],
      ['cbr', 'waiting', 10_000],
    ]);
    expect(() => backups.setDuration(-1)).toThrow(RangeError);
    expect(() => backups.setDuration(Number.NaN)).toThrow(RangeError);
  });

  it('refuses a backupDurationMs below 0; 0 ends every job the instant it starts', async () => {
    await expect(startSandbox({ backupDurationMs: -5 })).rejects.toThrow('backupDurationMs');
    const instant = await startSandbox({ backupDurationMs: 0 });
    try {
      instant.state.backups.executePolicy(PROJECT, DAILY_7D);
      expect(instant.state.backups.jobsOfVolume(PROJECT, WEB_01_DATA)).toMatchObject([
        { taskStatus: 'EXECUTE_SUCCESS', backupStatus: 'available', progress: 100 },
      ]);
    } finally {
      await instant.stop();
    }
  });

  it('lists a volume’s jobs and backups with what the API shows and more: trigger, reason, times', () => {
    const backups = sandbox.state.backups;
    backups.failNext(P, WEB_01_DATA, 'first');
    backups.failNext(P, WEB_01_DATA, 'second');
    const started = backups.executePolicy(P, DAILY_7D);
    expect(started.kind).toBe('started');
    now += 1000;
    const [job] = backups.jobsOfVolume(P, WEB_01_DATA.toUpperCase());

    expect(job).toMatchObject({
      service: 'vbs',
      policyId: DAILY_7D,
      volumeId: WEB_01_DATA,
      volumeName: 'web-01-data',
      sizeGb: 100,
      trigger: 'manual',
      createdAt: T0,
      finishedAt: undefined,
      phase: 'running',
      taskStatus: 'RUNNING',
      backupStatus: 'creating',
      failReason: null,
      progress: 33,
    });
    now += 2000;
    expect(backups.jobsOfVolume(P, WEB_01_DATA)[0]).toMatchObject({
      finishedAt: T0 + 3000,
      taskStatus: 'EXECUTE_FAIL',
      failReason: 'first',
    });
    expect(backups.executePolicy(P, DAILY_7D).kind).toBe('started');
    now += 3000;
    expect(backups.jobsOfVolume(P, WEB_01_DATA).map((j) => j.failReason)).toEqual(['first', 'second']);
    expect(backups.executePolicy(P, 'no-such-policy')).toEqual({ kind: 'unknown-policy' });
  });

  it('keeps backups of a volume EVS no longer has, with the disk as it was', () => {
    sandbox.state.backups.executePolicy(P, DAILY_7D);
    sandbox.state.removeVolume(P, K8S_1_ROOT);
    now += 3000;

    expect(sandbox.state.backups.backupsOfVolume(P, K8S_1_ROOT)).toMatchObject([
      { volumeName: 'k8s-node-1-root', sizeGb: 80, backupStatus: 'available' },
    ]);
  });

  it('clearFailures forgets a project’s failures; returned views are copies', () => {
    const backups = sandbox.state.backups;
    backups.failVolume(P, WEB_01_DATA);
    backups.failNext(P, K8S_1_ROOT);
    backups.clearFailures(P);
    backups.executePolicy(P, DAILY_7D);
    now += 3000;

    const jobs = backups.jobsOfVolume(P, WEB_01_DATA);
    expect(jobs.map((j) => j.taskStatus)).toEqual(['EXECUTE_SUCCESS']);
    (jobs[0] as { taskStatus: string }).taskStatus = 'EXECUTE_FAIL';
    expect(backups.jobsOfVolume(P, WEB_01_DATA)[0]?.taskStatus).toBe('EXECUTE_SUCCESS');
    expect(backups.jobsOfVolume(P, K8S_1_ROOT)[0]?.taskStatus).toBe('EXECUTE_SUCCESS');
  });

  it('reset() drops jobs, backups and failures, restores the duration, and schedules count from then', () => {
    const backups = sandbox.state.backups;
    backups.executePolicy(P, DAILY_7D);
    backups.createCheckpoint(P, { vaultId: VAULT_DAILY });
    backups.failVolume(P, WEB_01_DATA);
    backups.setDuration(1);
    now = Date.parse('2025-03-04T03:00:00.000Z');

    sandbox.state.reset();

    expect(backups.durationMs).toBe(DEFAULT_BACKUP_DURATION_MS);
    expect(backups.cbrBackups(P)).toEqual([]);
    expect(backups.vbsJobs(P)).toEqual([]);
    now = Date.parse('2025-03-05T02:00:00.000Z');
    expect(backups.jobsOfVolume(P, WEB_01_DATA).map((j) => [j.createdAt, j.failReason])).toEqual([
      [Date.parse('2025-03-05T02:00:00.000Z'), null],
    ]);
  });

  it('associating a volume again with its own policy keeps when it joined; moving it to another policy does not', () => {
    now = Date.parse('2025-03-04T01:00:00.000Z');
    sandbox.state.bindVolume(P, DB_DATA_1, DAILY_7D);
    now = Date.parse('2025-03-04T05:00:00.000Z');
    sandbox.state.bindVolume(P, DB_DATA_1, DAILY_7D);
    expect(sandbox.state.policyJoinedAt(P, DB_DATA_1)).toBe(Date.parse('2025-03-04T01:00:00.000Z'));
    now = Date.parse('2025-03-04T06:00:00.000Z');

    expect(sandbox.state.backups.jobsOfVolume(P, DB_DATA_1).map((j) => j.createdAt)).toEqual([
      Date.parse('2025-03-04T02:00:00.000Z'),
    ]);
    sandbox.state.bindVolume(P, DB_DATA_1, seededPolicyId('weekly-4w')!);
    expect(sandbox.state.policyJoinedAt(P, DB_DATA_1)).toBe(now);
    sandbox.state.unbindVolume(P, DB_DATA_1);
    expect(sandbox.state.policyJoinedAt(P, DB_DATA_1)).toBeUndefined();
    expect(sandbox.state.policyJoinedAt(P, WEB_01_DATA)).toBeUndefined();

    sandbox.state.cbr.putVolumeInVault(P, DB_DATA_1, VAULT_DAILY);
    expect(sandbox.state.cbr.vaultJoinedAt(P, DB_DATA_1)).toBe(now);
    sandbox.state.cbr.removeVolumeFromVault(P, DB_DATA_1);
    expect(sandbox.state.cbr.vaultJoinedAt(P, DB_DATA_1)).toBeUndefined();
  });

  it('throws on an unknown project, naming it', () => {
    expect(() => sandbox.state.backups.jobsOfVolume('nope', WEB_01_DATA)).toThrow('unknown project nope');
    expect(() => sandbox.state.backups.failNext('nope', WEB_01_DATA)).toThrow('unknown project nope');
  });
});

describe('VBS policies with week days and a time zone', () => {
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = await startSandbox();
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  it.each([
    ['a start time off the full hour', { startTime: '02:30' }, 'start time'],
    ['an hour past 23', { startTime: '24:00' }, 'start time'],
    ['a frequency of 0', { frequency: 0 }, 'frequency'],
    ['a frequency of 15', { frequency: 15 }, 'frequency'],
    ['no week day', { weekFrequency: [] }, 'week_frequency'],
    ['an unknown week day', { weekFrequency: ['FUN' as 'SUN'] }, 'week_frequency'],
    ['a named time zone', { timeZone: 'Europe/Berlin' }, 'time zone'],
    ['an offset beyond 14 hours', { timeZone: 'UTC+15:00' }, 'time zone'],
  ])('addPolicy refuses %s', (_what, input, problem) => {
    expect(() => sandbox.state.addPolicy(PROJECT, { name: 'bad', ...input })).toThrow(problem);
  });

  it('keeps frequency when both are given (as VBS does) and shows a week-day schedule in the banner', async () => {
    const both = sandbox.state.addPolicy(PROJECT, { name: 'both', frequency: 2, weekFrequency: ['MON'] });
    expect(both.frequency).toBe(2);
    expect(both.weekFrequency).toBeUndefined();
    sandbox.state.addPolicy(PROJECT, {
      name: 'weekends',
      startTime: '22:00',
      weekFrequency: ['SAT', 'SUN', 'SAT'],
      timeZone: 'UTC+02:00',
    });

    expect(formatSandboxBanner(sandbox)).toMatch(
      /weekends\s+\S+\s+on SAT,SUN at 22:00 UTC \(days in UTC\+02:00\)\s+7 backups/,
    );
    const token = await getToken(sandbox);
    const listed = await call(sandbox, 'GET', `/v2/${PROJECT}/backuppolicy`, { headers: { 'X-Auth-Token': token } });
    expect(listed.body.backup_policies.at(-1)?.scheduled_policy).toMatchObject({ week_frequency: ['SAT', 'SUN'] });
    expect(listed.body.backup_policies.at(-2)?.scheduled_policy).toMatchObject({ frequency: 2 });
  });
});
