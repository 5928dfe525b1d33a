import type { Sandbox } from '../../src/sandbox';
import {
  DEFAULT_VBS_MAX_RESOURCES_PER_CALL,
  VBS_INVALID_DISK_STATUSES,
  seededPolicyId,
  seededVolumeIds,
  startSandbox,
} from '../../src/sandbox';
import { PROJECT, call, getToken } from './helpers';

const DAILY_7D = seededPolicyId('daily-7d') ?? '';
const WEEKLY_4W = seededPolicyId('weekly-4w') ?? '';
const DB_DATA_1 = '0f187b65-8d0e-4fc0-9096-3b55d330531e';
const DB_DATA_2 = seededVolumeIds('db-data-2')[0] ?? '';
const DB_LOG_1 = seededVolumeIds('db-log-1')[0] ?? '';
const HANDOVER = seededVolumeIds('handover-data')[0] ?? '';
const UNKNOWN_POLICY = '915d1fd8-63cb-4054-a2b0-2778210e3a75';

describe('sandbox VBS', () => {
  let sandbox: Sandbox;
  let token: string;
  const associate = (body: unknown) =>
    call(sandbox, 'POST', `/v2/${PROJECT}/backuppolicyresources`, {
      headers: { 'X-Auth-Token': token },
      body: typeof body === 'string' ? body : (body as object),
    });
  const associateVolumes = (policyId: string, ids: readonly string[]) =>
    associate({
      backup_policy_id: policyId,
      resources: ids.map((id) => ({ resource_id: id, resource_type: 'volume' })),
    });
  const disassociate = (policyId: string, body: unknown) =>
    call(sandbox, 'POST', `/v2/${PROJECT}/backuppolicyresources/${policyId}/deleted_resources`, {
      headers: { 'X-Auth-Token': token },
      body: body as object,
    });
  const listPolicies = () =>
    call(sandbox, 'GET', `/v2/${PROJECT}/backuppolicy`, { headers: { 'X-Auth-Token': token } });
  const countOf = async (name: string): Promise<number> =>
    (await listPolicies()).body.backup_policies.find((p) => p.backup_policy_name === name)!.policy_resource_count;

  beforeEach(async () => {
    sandbox = await startSandbox();
    token = await getToken(sandbox);
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  describe('AutoBackup.0204: too many volumes in one associate call', () => {
    const volumeIds = () => sandbox.state.listVolumes(PROJECT).map((v) => v.id);

    it(`takes ${DEFAULT_VBS_MAX_RESOURCES_PER_CALL} volumes in one call and refuses one more, changing nothing`, async () => {
      const ids = volumeIds().slice(0, DEFAULT_VBS_MAX_RESOURCES_PER_CALL + 1);
      expect(ids).toHaveLength(41);
      const before = await countOf('daily-7d');

      const tooMany = await associateVolumes(DAILY_7D, ids);
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error).toEqual({
        code: 'AutoBackup.0204',
        message: 'The number of associated volumes has reached the upper limit.',
      });
      expect(await countOf('daily-7d')).toBe(before);

      const enough = await associateVolumes(DAILY_7D, ids.slice(0, 40));
      expect(enough.status).toBe(200);
    });

    it('takes its limit as an option', async () => {
      await sandbox.stop();
      sandbox = await startSandbox({ vbsMaxResourcesPerCall: 2 });
      token = await getToken(sandbox);
      expect((await associateVolumes(DAILY_7D, volumeIds().slice(0, 3))).status).toBe(400);
      expect((await associateVolumes(DAILY_7D, volumeIds().slice(0, 2))).status).toBe(200);
      await expect(startSandbox({ vbsMaxResourcesPerCall: 0 })).rejects.toThrow(
        'sandbox: vbsMaxResourcesPerCall must be a positive integer',
      );
    });
  });

  it('lists policies in the documented shape with live resource counts', async () => {
    const response = await listPolicies();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body.backup_policies.map((p) => p.backup_policy_name)).toEqual([
      'daily-7d',
      'daily-30d',
      'weekly-4w',
      'monthly-12m',
      'db-hourly',
    ]);
    expect(response.body.backup_policies[0]).toEqual({
      backup_policy_id: DAILY_7D,
      backup_policy_name: 'daily-7d',
      scheduled_policy: {
        remain_first_backup_of_curMonth: 'N',
        rentention_num: 7,
        frequency: 1,
        start_time: '02:00',
        status: 'ON',
      },
      policy_resource_count: 2,
    });
    expect(response.body.backup_policies[4]!.scheduled_policy.status).toBe('OFF');

    await associateVolumes(DAILY_7D, [DB_DATA_1]);
    expect(await countOf('daily-7d')).toBe(3);
  });

  it('associates 100 volumes in one call (limit raised): successes, unknown ids, error-state disks and the awaiting-transfer disk each get their entry', async () => {
    await sandbox.stop();
    sandbox = await startSandbox({ vbsMaxResourcesPerCall: 100 });
    token = await getToken(sandbox);
    sandbox.state.setVolumeStatus(PROJECT, seededVolumeIds('test-vol-1')[0] ?? '', 'error_rollbacking');
    const volumes = sandbox.state.listVolumes(PROJECT);
    const unknown = Array.from(
      { length: 100 - volumes.length },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const ids = [...volumes.map((v) => v.id), ...unknown];

    const response = await associateVolumes(DAILY_7D, ids);

    expect(response.status).toBe(200);
    const { success_resources: success, fail_resources: fail } = response.body;
    expect(success.length + fail.length).toBe(100);

    const bad = volumes.filter((v) => VBS_INVALID_DISK_STATUSES.includes(v.status));
    expect(bad.map((v) => v.name).sort()).toEqual([
      'db-data-3',
      'k8s-pv-orphan',
      'resize-failed',
      'restore-tmp-1',
      'test-vol-1',
    ]);
    for (const v of bad) {
      expect(fail).toContainEqual({
        resource_id: v.id,
        resource_type: 'volume',
        code: 'AutoBackup.0206',
        message: 'The status of the disk to be associated is invalid.',
      });
    }
    for (const id of unknown) {
      expect(fail).toContainEqual({
        resource_id: id,
        resource_type: 'volume',
        code: 'AutoBackup.1400',
        message: 'The resource to be associated is invalid.',
      });
    }
    expect(fail).toContainEqual({ resource_id: HANDOVER });
    const hana = seededVolumeIds('sap-hana-data-1')[0];
    expect(fail).toContainEqual({
      resource_id: hana,
      resource_type: 'volume',
      code: 'AutoBackup.0210',
      message: 'HANA disks cannot be associated with the backup policy.',
    });
    expect(fail).toHaveLength(unknown.length + bad.length + 2);

    const good = volumes.filter(
      (v) => !VBS_INVALID_DISK_STATUSES.includes(v.status) && v.status !== 'awaiting-transfer' && v.id !== hana,
    );
    expect(success).toHaveLength(good.length);
    expect(success).toContainEqual({
      resource_id: DB_DATA_1,
      os_vol_host_attr: 'pod01.eu-de-01',
      availability_zone: 'eu-de-01',
      resource_type: 'volume',
    });
    const k8s3 = seededVolumeIds('k8s-node-3-root')[0];
    expect(success.find((s) => s.resource_id === k8s3)).toMatchObject({
      os_vol_host_attr: 'pod02.eu-de-03',
      availability_zone: 'eu-de-03',
    });
    expect(await countOf('daily-7d')).toBe(good.length);
    expect(sandbox.state.policyOfVolume(PROJECT, HANDOVER)).toBeUndefined();
  });

  it('moves a volume out of its old policy: the old count goes down, the new one up', async () => {
    expect(sandbox.state.policyOfVolume(PROJECT, DB_LOG_1)).toBe(WEEKLY_4W);
    const before = { weekly: await countOf('weekly-4w'), daily: await countOf('daily-7d') };

    const response = await associateVolumes(DAILY_7D, [DB_LOG_1]);

    expect(response.body.success_resources).toHaveLength(1);
    expect(sandbox.state.policyOfVolume(PROJECT, DB_LOG_1)).toBe(DAILY_7D);
    expect(await countOf('weekly-4w')).toBe(before.weekly - 1);
    expect(await countOf('daily-7d')).toBe(before.daily + 1);
  });

  it('treats the same association sent twice as a harmless success', async () => {
    const first = await associateVolumes(DAILY_7D, [DB_DATA_1, DB_DATA_2]);
    const count = await countOf('daily-7d');
    const second = await associateVolumes(DAILY_7D, [DB_DATA_1, DB_DATA_2]);

    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.body.fail_resources).toEqual([]);
    expect(await countOf('daily-7d')).toBe(count);
  });

  it('accepts volume ids in upper case and echoes them as sent', async () => {
    const response = await associateVolumes(DAILY_7D, [DB_DATA_1.toUpperCase()]);

    expect(response.body.success_resources[0]!.resource_id).toBe(DB_DATA_1.toUpperCase());
    expect(sandbox.state.policyOfVolume(PROJECT, DB_DATA_1)).toBe(DAILY_7D);
  });

  it('answers an unknown policy with a whole-call 400 AutoBackup.0205 and changes nothing', async () => {
    const response = await associateVolumes(UNKNOWN_POLICY, [DB_DATA_1]);

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: 'AutoBackup.0205', message: 'The policy does not exist.' } });
    expect(sandbox.state.policyOfVolume(PROJECT, DB_DATA_1)).toBeUndefined();
  });

  const validResource = { resource_id: DB_DATA_1, resource_type: 'volume' };
  it.each([
    ['an empty body', 'AutoBackup.0000', ''],
    ['malformed JSON', 'AutoBackup.0008', '{"backup_policy_id": '],
    ['a JSON array', 'AutoBackup.0008', '[]'],
    ['an empty object', 'AutoBackup.0001', '{}'],
    ['no policy id', 'AutoBackup.0006', { resources: [validResource] }],
    ['an empty policy id', 'AutoBackup.0006', { backup_policy_id: '', resources: [validResource] }],
    ['no resources', 'AutoBackup.0207', { backup_policy_id: DAILY_7D }],
    ['empty resources', 'AutoBackup.0207', { backup_policy_id: DAILY_7D, resources: [] }],
    [
      'a resource without id',
      'AutoBackup.0209',
      { backup_policy_id: DAILY_7D, resources: [{ resource_type: 'volume' }] },
    ],
    [
      'a resource type other than volume',
      'AutoBackup.0211',
      { backup_policy_id: DAILY_7D, resources: [{ resource_id: DB_DATA_1, resource_type: 'server' }] },
    ],
    [
      'a missing resource type',
      'AutoBackup.0211',
      { backup_policy_id: DAILY_7D, resources: [{ resource_id: DB_DATA_1 }] },
    ],
  ])('answers %s with 400 %s', async (_what, code, body) => {
    const response = await associate(body);

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe(code);
    expect(typeof response.body.error.message).toBe('string');
    expect(sandbox.state.policyOfVolume(PROJECT, DB_DATA_1)).toBeUndefined();
  });

  it('disassociates: volumes in the policy leave it, others fail', async () => {
    await associateVolumes(DAILY_7D, [DB_DATA_1]);

    const response = await disassociate(DAILY_7D, {
      resources: [{ resource_id: DB_DATA_1 }, { resource_id: DB_LOG_1 }, { resource_id: UNKNOWN_POLICY }],
    });

    expect(response.status).toBe(200);
    expect(response.body.success_resources).toEqual([
      {
        resource_id: DB_DATA_1,
        os_vol_host_attr: 'pod01.eu-de-01',
        availability_zone: 'eu-de-01',
        resource_type: 'volume',
      },
    ]);
    expect(response.body.fail_resources).toEqual([
      { resource_id: DB_LOG_1 },
      {
        resource_id: UNKNOWN_POLICY,
        resource_type: 'volume',
        code: 'AutoBackup.1400',
        message: 'The resource to be associated is invalid.',
      },
    ]);
    expect(sandbox.state.policyOfVolume(PROJECT, DB_DATA_1)).toBeUndefined();
    expect(sandbox.state.policyOfVolume(PROJECT, DB_LOG_1)).toBe(WEEKLY_4W);
    expect(sandbox.requests.at(-1)).toMatchObject({ route: 'vbs.disassociate', status: 200 });
  });

  it('answers disassociate from an unknown policy with 400 AutoBackup.0205, and bad bodies with their codes', async () => {
    const unknown = await disassociate(UNKNOWN_POLICY, { resources: [{ resource_id: DB_DATA_1 }] });
    const empty = await disassociate(DAILY_7D, { resources: [] });

    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('AutoBackup.0205');
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('AutoBackup.0207');
  });

  it('keeps projects apart: a policy of one project is unknown in another', async () => {
    const two = await startSandbox({ projects: [{ id: PROJECT }, { id: 'fedcba9876543210fedcba9876543210' }] });
    try {
      const otherToken = await getToken(two, 'fedcba9876543210fedcba9876543210');
      const response = await call(two, 'POST', '/v2/fedcba9876543210fedcba9876543210/backuppolicyresources', {
        headers: { 'X-Auth-Token': otherToken },
        body: { backup_policy_id: DAILY_7D, resources: [{ resource_id: DB_DATA_1, resource_type: 'volume' }] },
      });
      expect(response.body.error.code).toBe('AutoBackup.0205');
    } finally {
      await two.stop();
    }
  });
});
