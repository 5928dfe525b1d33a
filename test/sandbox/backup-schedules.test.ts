import type { Sandbox } from '../../src/sandbox';
import {
  SCHEDULED_RUNS_PER_READ,
  seededCbrPolicyId,
  seededPolicyId,
  seededVaultId,
  seededVolumeIds,
  startSandbox,
} from '../../src/sandbox';
import { cbrSchedule, lastRuns, vbsSchedule } from '../../src/sandbox/backup-schedule';
import type { SandboxCbrPolicy, SandboxPolicy } from '../../src/sandbox';
import type { JsonResponse } from './helpers';
import { PROJECT, call, getToken } from './helpers';

const DAILY_7D = seededPolicyId('daily-7d')!; // 02:00 UTC every day: web-01-data, k8s-node-1-root
const DB_HOURLY = seededPolicyId('db-hourly')!; // OFF
const VAULT_DAILY = seededVaultId('vault-daily')!; // daily at 02:00: web-01-data, k8s-node-1-root
const VAULT_WEEKLY = seededVaultId('vault-weekly')!; // MO and WE at 14:00, 30 days: 4 disks
const VAULT_ARCHIVE = seededVaultId('vault-archive')!; // no policy, no disks
const one = (name: string): string => seededVolumeIds(name)[0]!;
const WEB_01_DATA = one('web-01-data');
const DB_DATA_1 = one('db-data-1');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A Monday. */
const T0 = Date.parse('2025-03-03T10:00:00.000Z');
const DURATION = 1000;
const iso = (text: string): number => Date.parse(text);
const taskTime = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 23);

describe('sandbox scheduled backups (computed when read, on the sandbox clock)', () => {
  let sandbox: Sandbox;
  let token: string;
  let now: number;

  async function start(backupService: 'vbs' | 'cbr'): Promise<void> {
    now = T0;
    sandbox = await startSandbox({
      now: () => new Date(now),
      backupDurationMs: DURATION,
      tokenTtlMs: 400 * DAY,
      projects: [{ id: PROJECT, backupService }],
    });
    token = await getToken(sandbox);
  }
  const get = (path: string): Promise<JsonResponse> =>
    call(sandbox, 'GET', path, { headers: { 'X-Auth-Token': token } });
  const taskTimes = async (policyId: string): Promise<string[]> =>
    (await get(`/v2/${PROJECT}/backuppolicy/${policyId}/backuptasks?sort_dir=asc&limit=100`)).body.tasks.map(
      (t) => t.created_at,
    );

  afterEach(async () => {
    await sandbox.stop();
  });

  describe('VBS policies', () => {
    beforeEach(() => start('vbs'));

    it('runs a policy at its start time for the volumes in it, never before the sandbox started, once per run', async () => {
      expect(await taskTimes(DAILY_7D)).toEqual([]);
      now = iso('2025-03-04T01:59:59.999Z');
      expect(await taskTimes(DAILY_7D)).toEqual([]);

      now = iso('2025-03-04T02:00:00.000Z');
      const first = (await get(`/v2/${PROJECT}/backuppolicy/${DAILY_7D}/backuptasks`)).body.tasks;
      expect(first.map((t) => [t.status, t.created_at])).toEqual([
        ['WAITING', '2025-03-04T02:00:00.000'],
        ['WAITING', '2025-03-04T02:00:00.000'],
      ]);
      now += DURATION;
      const done = (await get(`/v2/${PROJECT}/backuppolicy/${DAILY_7D}/backuptasks`)).body.tasks;
      expect(done.map((t) => [t.job_id, t.status, t.finished_at])).toEqual(
        first.map((t) => [t.job_id, 'EXECUTE_SUCCESS', '2025-03-04T02:00:01.000']),
      );
      expect((await get(`/v2/${PROJECT}/backups/detail?volume_id=${WEB_01_DATA}`)).body.backups).toMatchObject([
        { status: 'available', name: first.find((t) => t.resource_id === WEB_01_DATA)?.backup_name },
      ]);
      expect(sandbox.state.backups.jobsOfVolume(PROJECT, WEB_01_DATA)).toMatchObject([{ trigger: 'schedule' }]);
    });

    it(`makes up at most the last ${SCHEDULED_RUNS_PER_READ} runs after a long gap`, async () => {
      now = T0 + 10 * DAY;

      expect(await taskTimes(DAILY_7D)).toEqual([
        '2025-03-11T02:00:00.000',
        '2025-03-11T02:00:00.000',
        '2025-03-12T02:00:00.000',
        '2025-03-12T02:00:00.000',
        '2025-03-13T02:00:00.000',
        '2025-03-13T02:00:00.000',
      ]);
    });

    it('a volume that joins is in the runs after it joined, not in those before', async () => {
      now = iso('2025-03-04T03:00:00.000Z');
      const associated = await call(sandbox, 'POST', `/v2/${PROJECT}/backuppolicyresources`, {
        headers: { 'X-Auth-Token': token },
        body: { backup_policy_id: DAILY_7D, resources: [{ resource_id: DB_DATA_1, resource_type: 'volume' }] },
      });
      expect(associated.status).toBe(200);
      now = iso('2025-03-05T03:00:00.000Z');

      expect(await taskTimes(DAILY_7D)).toHaveLength(2 + 3);
      expect(sandbox.state.backups.jobsOfVolume(PROJECT, DB_DATA_1).map((j) => taskTime(j.createdAt))).toEqual([
        '2025-03-05T02:00:00.000',
      ]);
    });

    it('runs on week days counted in the policy’s time zone, at each of its UTC start times', async () => {
      const policy = sandbox.state.addPolicy(PROJECT, {
        name: 'saturdays',
        startTime: '22:00,04:00',
        weekFrequency: ['SAT'],
        timeZone: 'UTC+02:00',
      });
      sandbox.state.bindVolume(PROJECT, DB_DATA_1, policy.id);
      now = iso('2025-03-10T00:00:00.000Z');

      // Saturday 2025-03-08 in UTC+02:00 runs from Friday 22:00 UTC: at 00:00 and 06:00 local time.
      expect(await taskTimes(policy.id)).toEqual(['2025-03-07T22:00:00.000', '2025-03-08T04:00:00.000']);
      const listed = (await get(`/v2/${PROJECT}/backuppolicy`)).body.backup_policies.find(
        (p) => p.backup_policy_id === policy.id,
      );
      expect(listed).toEqual({
        backup_policy_id: policy.id,
        backup_policy_name: 'saturdays',
        scheduled_policy: {
          remain_first_backup_of_curMonth: 'N',
          rentention_num: 7,
          week_frequency: ['SAT'],
          start_time: '22:00,04:00',
          status: 'ON',
        },
        policy_resource_count: 1,
        time_zone: 'UTC+02:00',
      });
    });

    it('runs every N days on the days whose number since 1970-01-01 is a multiple of N', async () => {
      const policy = sandbox.state.addPolicy(PROJECT, { name: 'every-3-days', startTime: '05:00', frequency: 3 });
      sandbox.state.bindVolume(PROJECT, DB_DATA_1, policy.id);
      now = T0 + 9 * DAY;

      const runs = (await taskTimes(policy.id)).map((t) => Date.parse(`${t}Z`));
      expect(runs).toHaveLength(3);
      for (const run of runs) {
        expect(Math.floor(run / DAY) % 3).toBe(0);
        expect(run % DAY).toBe(5 * HOUR);
      }
      expect(runs[1]! - runs[0]!).toBe(3 * DAY);
    });

    it('never runs a policy that is OFF', async () => {
      sandbox.state.bindVolume(PROJECT, DB_DATA_1, DB_HOURLY);
      now = T0 + 5 * DAY;

      expect(await taskTimes(DB_HOURLY)).toEqual([]);
    });

    it('a scheduled run takes the next failure a volume was told of, as an execute would', () => {
      sandbox.state.backups.failNext(PROJECT, WEB_01_DATA, 'quota');
      now = iso('2025-03-04T02:00:01.000Z');

      expect(sandbox.state.backups.jobsOfVolume(PROJECT, WEB_01_DATA)).toMatchObject([
        { taskStatus: 'EXECUTE_FAIL', failReason: 'quota', trigger: 'schedule' },
      ]);
    });
  });

  describe('CBR vaults', () => {
    beforeEach(() => start('cbr'));
    const backups = async (query = ''): Promise<JsonResponse['body']['backups']> =>
      (await get(`/v3/${PROJECT}/backups?sort=created_at:asc${query}`)).body.backups;

    it('backs up a vault’s disks when its policy’s rule fires: one restore point, auto_trigger, the policy’s retention', async () => {
      now = iso('2025-03-03T13:59:59.000Z');
      expect(await backups()).toEqual([]);
      now = iso('2025-03-03T14:00:00.000Z');

      const weekly = await backups();
      expect(weekly.map((b) => b.resource_name)).toEqual(['db-log-1', 'jenkins-home', 'app-01-data', 'app-02-data']);
      expect(new Set(weekly.map((b) => b.checkpoint_id)).size).toBe(1);
      expect(weekly[0]).toMatchObject({
        vault_id: VAULT_WEEKLY,
        status: 'protecting',
        created_at: '2025-03-03T14:00:00.000000',
        expired_at: '2025-04-02T14:00:00.000000',
        extend_info: { auto_trigger: true },
      });
      expect(weekly[0]?.name).toMatch(/^autobk_[0-9a-f]{4}$/);
      now += DURATION;
      const checkpoint = await get(`/v3/${PROJECT}/checkpoints/${String(weekly[0]?.checkpoint_id)}`);
      expect(checkpoint.body.checkpoint).toMatchObject({
        status: 'available',
        vault: { id: VAULT_WEEKLY, name: 'vault-weekly' },
        extra_info: { retention_duration: 30, name: weekly[0]?.name },
      });

      // Tuesday 02:00: vault-daily and vault-small (the daily policy); Wednesday 14:00: vault-weekly again.
      now = iso('2025-03-05T14:00:00.000Z');
      const all = await backups();
      expect(all.map((b) => [b.created_at, b.resource_name])).toEqual([
        ...weekly.map((b) => [b.created_at, b.resource_name]),
        ['2025-03-04T02:00:00.000000', 'web-01-data'],
        ['2025-03-04T02:00:00.000000', 'k8s-node-1-root'],
        ['2025-03-04T02:00:00.000000', 'monitoring-01-root'],
        ['2025-03-04T02:00:00.000000', 'test-vol-1'],
        ['2025-03-05T02:00:00.000000', 'web-01-data'],
        ['2025-03-05T02:00:00.000000', 'k8s-node-1-root'],
        ['2025-03-05T02:00:00.000000', 'monitoring-01-root'],
        ['2025-03-05T02:00:00.000000', 'test-vol-1'],
        ['2025-03-05T14:00:00.000000', 'db-log-1'],
        ['2025-03-05T14:00:00.000000', 'jenkins-home'],
        ['2025-03-05T14:00:00.000000', 'app-01-data'],
        ['2025-03-05T14:00:00.000000', 'app-02-data'],
      ]);
      expect((await backups(`&vault_id=${VAULT_DAILY}`)).every((b) => b.expired_at === null)).toBe(true);
    });

    it('counts INTERVAL from the policy’s start; a disk that joins later is in the runs after it; a disabled policy never runs', () => {
      const policy = sandbox.state.cbr.addPolicy(PROJECT, {
        name: 'every-other-day',
        pattern: ['FREQ=DAILY;INTERVAL=2;BYHOUR=6;BYMINUTE=00'],
      });
      sandbox.state.cbr.setVaultPolicy(PROJECT, VAULT_ARCHIVE, policy.id);
      now = iso('2025-03-05T12:00:00.000Z');
      sandbox.state.cbr.putVolumeInVault(PROJECT, DB_DATA_1, VAULT_ARCHIVE);
      now = iso('2025-03-10T00:00:00.000Z');

      // The policy started Monday 10:00: Monday 06:00 is before it; then every other day.
      expect(sandbox.state.backups.backupsOfVolume(PROJECT, DB_DATA_1).map((b) => b.createdAt)).toEqual([
        iso('2025-03-07T06:00:00.000Z'),
        iso('2025-03-09T06:00:00.000Z'),
      ]);

      sandbox.state.cbr.setVaultPolicy(PROJECT, VAULT_ARCHIVE, seededCbrPolicyId('paused-nightly')!);
      now += 5 * DAY;
      expect(sandbox.state.backups.backupsOfVolume(PROJECT, DB_DATA_1)).toHaveLength(2);
    });

    it('a scheduled run leaves out a disk whose manual backup is still in progress', async () => {
      sandbox.state.backups.setDuration(HOUR);
      now = iso('2025-03-04T01:30:00.000Z');
      const manual = await call(sandbox, 'POST', `/v3/${PROJECT}/checkpoints`, {
        headers: { 'X-Auth-Token': token },
        body: { checkpoint: { vault_id: VAULT_DAILY, parameters: { resources: [WEB_01_DATA] } } },
      });
      expect(manual.status).toBe(200);
      now = iso('2025-03-04T02:00:00.000Z');

      const daily = await backups(`&vault_id=${VAULT_DAILY}`);
      expect(daily.map((b) => [b.created_at, b.resource_name, b.extend_info])).toEqual([
        ['2025-03-04T01:30:00.000000', 'web-01-data', expect.objectContaining({ auto_trigger: false })],
        ['2025-03-04T02:00:00.000000', 'k8s-node-1-root', expect.objectContaining({ auto_trigger: true })],
      ]);
    });
  });
});

describe('schedules (pure)', () => {
  const vbsPolicy = (over: Partial<SandboxPolicy>): SandboxPolicy => ({
    id: 'p',
    name: 'p',
    startTime: '02:00',
    frequency: 1,
    retentionNum: 7,
    remainFirstBackupOfCurMonth: 'N',
    status: 'ON',
    ...over,
  });
  const cbrPolicy = (pattern: string[]): SandboxCbrPolicy => ({
    id: 'c',
    name: 'c',
    enabled: true,
    pattern,
    startTime: '2025-03-03 10:00:00',
  });

  it('lastRuns gives the last runs in (after, upTo], ascending, and nothing for an empty window', () => {
    const daily = vbsSchedule(vbsPolicy({}))!;

    expect(lastRuns(daily, T0, T0 + 3 * DAY, 2).map(taskTime)).toEqual([
      '2025-03-05T02:00:00.000',
      '2025-03-06T02:00:00.000',
    ]);
    expect(lastRuns(daily, iso('2025-03-04T02:00:00Z'), iso('2025-03-05T02:00:00Z'), 5).map(taskTime)).toEqual([
      '2025-03-05T02:00:00.000',
    ]);
    expect(lastRuns(daily, T0, T0, 3)).toEqual([]);
    expect(lastRuns(daily, T0, T0 + DAY, 0)).toEqual([]);
  });

  it('a VBS time zone west of UTC moves a week day’s runs to the next UTC day', () => {
    const { frequency: _daily, ...weekly } = vbsPolicy({ startTime: '03:00' });
    const monday = vbsSchedule({ ...weekly, weekFrequency: ['MON'], timeZone: 'UTC-05:00' })!;

    // Monday 22:00 in UTC-05:00 is Tuesday 03:00 UTC.
    expect(lastRuns(monday, T0, T0 + 7 * DAY, 3).map(taskTime)).toEqual(['2025-03-04T03:00:00.000']);
  });

  it('a CBR weekly rule without BYDAY runs on its start’s week day; INTERVAL skips weeks; unknown rules never run', () => {
    const weekly = cbrSchedule(cbrPolicy(['FREQ=WEEKLY;INTERVAL=2;BYHOUR=8;BYMINUTE=30']))!;
    expect(lastRuns(weekly, T0, T0 + 30 * DAY, 5).map(taskTime)).toEqual([
      '2025-03-17T08:30:00.000',
      '2025-03-31T08:30:00.000',
    ]);

    const twoRules = cbrSchedule(cbrPolicy(['FREQ=DAILY;BYHOUR=1,13;BYMINUTE=15', 'FREQ=MONTHLY;BYHOUR=3']))!;
    expect(lastRuns(twoRules, T0, T0 + DAY, 5).map(taskTime)).toEqual([
      '2025-03-03T13:15:00.000',
      '2025-03-04T01:15:00.000',
    ]);
    expect(cbrSchedule(cbrPolicy(['FREQ=MONTHLY;BYHOUR=3']))).toBeUndefined();
    expect(cbrSchedule(cbrPolicy(['FREQ=WEEKLY;BYDAY=XX;BYHOUR=3']))).toBeUndefined();
    expect(cbrSchedule(cbrPolicy(['FREQ=DAILY;BYHOUR=25']))).toBeUndefined();
    expect(cbrSchedule(cbrPolicy(['FREQ=DAILY;INTERVAL=0']))).toBeUndefined();
  });

  it('a schedule that never fires within a year stops the search', () => {
    const never = { dayOf: (t: number) => Math.floor(t / DAY), runsOn: () => [] };

    expect(lastRuns(never, 0, 10_000 * DAY, 3)).toEqual([]);
  });
});
