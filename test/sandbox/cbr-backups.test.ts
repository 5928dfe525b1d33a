import type { Sandbox } from '../../src/sandbox';
import { seededVaultId, seededVolumeIds, startSandbox } from '../../src/sandbox';
import type { BackupJson, JsonResponse } from './helpers';
import { PROJECT, call, getToken } from './helpers';

const VAULT_DAILY = seededVaultId('vault-daily')!; // web-01-data (100 GB), k8s-node-1-root (80 GB)
const VAULT_WEEKLY = seededVaultId('vault-weekly')!; // db-log-1, jenkins-home, app-01-data, app-02-data
const VAULT_SMALL = seededVaultId('vault-small')!; // 60 GB: monitoring-01-root (40 GB), test-vol-1 (10 GB)
const VAULT_ARCHIVE = seededVaultId('vault-archive')!; // no disks
const one = (name: string): string => seededVolumeIds(name)[0]!;
const WEB_01_DATA = one('web-01-data');
const K8S_1_ROOT = one('k8s-node-1-root');
const MONITORING_ROOT = one('monitoring-01-root');
const DB_DATA_1 = one('db-data-1'); // in no vault
const UNKNOWN = '915d1fd8-63cb-4054-a2b0-2778210e3a75';
const T0 = Date.parse('2025-03-03T10:00:00.000Z');
const DURATION = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('sandbox CBR backups: restore points, the backups list, a backup', () => {
  let sandbox: Sandbox;
  let token: string;
  let now: number;
  const advance = (ms: number): void => void (now += ms);
  const checkpoint = (body: unknown): Promise<JsonResponse> =>
    call(sandbox, 'POST', `/v3/${PROJECT}/checkpoints`, {
      headers: { 'X-Auth-Token': token },
      body: typeof body === 'string' ? body : (body as object),
    });
  const backUp = (vaultId: string, parameters?: object): Promise<JsonResponse> =>
    checkpoint({ checkpoint: { vault_id: vaultId, ...(parameters === undefined ? {} : { parameters }) } });
  const get = (path: string): Promise<JsonResponse> =>
    call(sandbox, 'GET', `/v3/${PROJECT}${path}`, { headers: { 'X-Auth-Token': token } });
  const list = async (query = ''): Promise<BackupJson[]> => {
    const response = await get(`/backups${query}`);
    expect(response.status).toBe(200);
    return response.body.backups;
  };
  /** Refused: the status and code, and the flat CBR body. */
  async function expectRefused(response: Promise<JsonResponse>, status: number, code: string): Promise<string> {
    const { status: got, body } = await response;
    expect([got, body.error_code]).toEqual([status, code]);
    expect(Object.keys(body).sort()).toEqual(['error_code', 'error_msg']);
    return body.error_msg;
  }

  beforeEach(async () => {
    now = T0;
    sandbox = await startSandbox({
      now: () => new Date(now),
      backupDurationMs: DURATION,
      projects: [{ id: PROJECT, backupService: 'cbr' }],
    });
    token = await getToken(sandbox);
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  it('creates a restore point of a vault: 200, protecting, one backup per disk, as the docs show it', async () => {
    const response = await backUp(VAULT_DAILY);

    expect(response.status).toBe(200);
    const created = response.body.checkpoint;
    expect(created).toEqual({
      status: 'protecting',
      created_at: '2025-03-03T10:00:00.000000',
      vault: {
        skipped_resources: [],
        id: VAULT_DAILY,
        resources: [
          {
            name: 'web-01-data',
            resource_size: '100',
            protect_status: 'protecting',
            type: 'OS::Cinder::Volume',
            id: WEB_01_DATA,
            extra_info: null,
          },
          {
            name: 'k8s-node-1-root',
            resource_size: '80',
            protect_status: 'protecting',
            type: 'OS::Cinder::Volume',
            id: K8S_1_ROOT,
            extra_info: null,
          },
        ],
        name: 'vault-daily',
      },
      project_id: PROJECT,
      id: created.id,
      extra_info: { retention_duration: -1, name: created.extra_info.name, description: '' },
    });
    expect(created.id).toMatch(UUID);
    expect(created.extra_info.name).toMatch(/^manualbk_[0-9a-f]{4}$/);

    advance(DURATION);
    const shown = await get(`/checkpoints/${created.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.checkpoint.status).toBe('available');
    expect(shown.body.checkpoint.vault.resources.map((r) => r.protect_status)).toEqual(['available', 'available']);
  });

  it('lists the backups a restore point made: protecting, then available, with the documented fields', async () => {
    const created = (await backUp(VAULT_DAILY, { name: 'before-upgrade', description: 'asked in Slack' })).body
      .checkpoint;
    const protecting = await list(`?checkpoint_id=${created.id}`);
    // Backups of one restore point tie on created_at: they keep the vault's order.
    expect(protecting.map((b) => [b.resource_id, b.status])).toEqual([
      [WEB_01_DATA, 'protecting'],
      [K8S_1_ROOT, 'protecting'],
    ]);

    advance(DURATION);
    const listed = await get(`/backups?resource_id=${WEB_01_DATA}`);
    expect(listed.body).toMatchObject({ count: 1, limit: 1000, offset: 0 });
    const backup = listed.body.backups[0]!;
    expect(backup).toEqual({
      provider_id: 'd1603440-187d-4516-af25-121250c7cc97',
      checkpoint_id: created.id,
      updated_at: '2025-03-03T10:00:01.000000',
      vault_id: VAULT_DAILY,
      id: backup.id,
      resource_az: 'eu-de-01',
      image_type: 'backup',
      resource_id: WEB_01_DATA,
      resource_size: 100,
      children: [],
      extend_info: {
        auto_trigger: false,
        bootable: false,
        incremental: true,
        snapshot_id: null,
        support_lld: false,
        supported_restore_mode: 'backup',
        encrypted: false,
        system_disk: false,
      },
      project_id: PROJECT,
      status: 'available',
      resource_name: 'web-01-data',
      description: 'asked in Slack',
      expired_at: null,
      name: 'before-upgrade',
      created_at: '2025-03-03T10:00:00.000000',
      resource_type: 'OS::Cinder::Volume',
      parent_id: null,
      protected_at: '2025-03-03T10:00:01.000000',
      enterprise_project_id: '0',
    });
    const shown = await get(`/backups/${backup.id.toUpperCase()}`);
    expect(shown.status).toBe(200);
    expect(shown.body.backup).toEqual(backup);
  });

  it('backs up only the disks asked for (resources, resource_details); one not in the vault is 400 BackupService.6135', async () => {
    const response = await backUp(VAULT_DAILY, { resources: [K8S_1_ROOT.toUpperCase()], auto_trigger: true });
    expect(response.body.checkpoint.vault.resources.map((r) => r.id)).toEqual([K8S_1_ROOT]);
    expect(response.body.checkpoint.extra_info.name).toMatch(/^autobk_[0-9a-f]{4}$/);
    expect((await list(`?resource_id=${K8S_1_ROOT}`))[0]?.extend_info).toMatchObject({ auto_trigger: true });

    const details = await backUp(VAULT_DAILY, {
      resource_details: [{ id: WEB_01_DATA, type: 'OS::Cinder::Volume', name: 'web-01-data' }],
      incremental: false,
    });
    expect(details.body.checkpoint.vault.resources.map((r) => r.id)).toEqual([WEB_01_DATA]);
    expect((await list(`?resource_id=${WEB_01_DATA}`))[0]?.extend_info).toMatchObject({ incremental: false });

    const message = await expectRefused(backUp(VAULT_DAILY, { resources: [DB_DATA_1] }), 400, 'BackupService.6135');
    expect(message).toContain(DB_DATA_1);
  });

  it('skips a disk with a backup in progress (6125) or in a status EVS cannot back up (7003); nothing left is 400 BackupService.0001', async () => {
    await backUp(VAULT_DAILY, { resources: [WEB_01_DATA] });
    sandbox.state.setVolumeStatus(PROJECT, K8S_1_ROOT, 'error');

    const nothing = await expectRefused(backUp(VAULT_DAILY), 400, 'BackupService.0001');
    expect(nothing).toMatch(/^No resource is available for backup\. /);
    expect(nothing).toContain('A backup task is in progress.');
    expect(nothing).toContain('Backup is not allowed in the current disk status.');

    sandbox.state.setVolumeStatus(PROJECT, K8S_1_ROOT, 'in-use');
    const partial = (await backUp(VAULT_DAILY)).body.checkpoint;
    expect(partial.vault.resources.map((r) => r.id)).toEqual([K8S_1_ROOT]);
    expect(partial.vault.skipped_resources).toEqual([
      {
        id: WEB_01_DATA,
        type: 'OS::Cinder::Volume',
        name: 'web-01-data',
        code: 'BackupService.6125',
        reason: 'A backup task is in progress.',
      },
    ]);
    advance(DURATION);
    expect((await backUp(VAULT_DAILY)).body.checkpoint.vault.resources).toHaveLength(2);

    const empty = await expectRefused(backUp(VAULT_ARCHIVE), 400, 'BackupService.0001');
    expect(empty).toBe('No resource is available for backup. The vault has no disks.');
  });

  it('fails the backup of a disk told to fail: error; the restore point is available unless every backup failed', async () => {
    sandbox.state.backups.failNext(PROJECT, WEB_01_DATA);
    const partly = (await backUp(VAULT_DAILY)).body.checkpoint;
    advance(DURATION);
    expect((await get(`/checkpoints/${partly.id}`)).body.checkpoint.status).toBe('available');
    expect((await list(`?checkpoint_id=${partly.id}&sort=status:asc`)).map((b) => [b.resource_name, b.status])).toEqual(
      [
        ['k8s-node-1-root', 'available'],
        ['web-01-data', 'error'],
      ],
    );
    expect(sandbox.state.backups.backupsOfVolume(PROJECT, WEB_01_DATA)).toMatchObject([
      { service: 'cbr', status: 'error', failReason: 'Failed to create the snapshot.' },
    ]);

    sandbox.state.backups.failVolume(PROJECT, WEB_01_DATA, 'disk gone');
    sandbox.state.backups.failVolume(PROJECT, K8S_1_ROOT, 'disk gone');
    const failed = (await backUp(VAULT_DAILY)).body.checkpoint;
    advance(DURATION);
    expect((await get(`/checkpoints/${failed.id}`)).body.checkpoint.status).toBe('error');
  });

  it('answers an unknown restore point with 404 6217 and an unknown backup with 404 6200', async () => {
    expect(await expectRefused(get(`/checkpoints/${UNKNOWN}`), 404, 'BackupService.6217')).toBe(
      'The backup restore point does not exist.',
    );
    expect(await expectRefused(get(`/backups/${UNKNOWN}`), 404, 'BackupService.6200')).toBe(
      'The backup does not exist.',
    );
  });

  it.each([
    ['an empty body', ''],
    ['malformed JSON', '{"checkpoint": '],
    ['a JSON array', '[]'],
    ['no checkpoint', {}],
    ['no vault_id', { checkpoint: {} }],
    ['an empty vault_id', { checkpoint: { vault_id: ' ' } }],
    ['parameters that are no object', { checkpoint: { vault_id: VAULT_DAILY, parameters: [] } }],
    ['a name with a space', { checkpoint: { vault_id: VAULT_DAILY, parameters: { name: 'my backup' } } }],
    ['a name of 65 characters', { checkpoint: { vault_id: VAULT_DAILY, parameters: { name: 'a'.repeat(65) } } }],
    ['a long description', { checkpoint: { vault_id: VAULT_DAILY, parameters: { description: 'd'.repeat(256) } } }],
    ['auto_trigger as text', { checkpoint: { vault_id: VAULT_DAILY, parameters: { auto_trigger: 'yes' } } }],
    ['incremental as a number', { checkpoint: { vault_id: VAULT_DAILY, parameters: { incremental: 1 } } }],
    ['resources with a number', { checkpoint: { vault_id: VAULT_DAILY, parameters: { resources: [1] } } }],
    [
      'resource_details without type',
      { checkpoint: { vault_id: VAULT_DAILY, parameters: { resource_details: [{ id: WEB_01_DATA }] } } },
    ],
  ])('refuses %s with 400 BackupService.9900 and backs up nothing', async (_what, body) => {
    const message = await expectRefused(checkpoint(body), 400, 'BackupService.9900');

    expect(message).toMatch(/^Parameter verification failed\. /);
    expect(await list()).toEqual([]);
  });

  it('answers an unknown vault_id with 400 BackupService.9900', async () => {
    expect(await expectRefused(backUp(UNKNOWN), 400, 'BackupService.9900')).toBe('Invalid vault_id provided.');
  });

  describe('the backups list: filters, sort and paging', () => {
    /** Three restore points a minute apart; the weekly one fails for db-log-1's disk. */
    async function threeCheckpoints(): Promise<void> {
      await backUp(VAULT_DAILY, { name: 'first' });
      advance(60_000);
      sandbox.state.backups.failNext(PROJECT, one('db-log-1'));
      await backUp(VAULT_WEEKLY, { name: 'second' });
      advance(60_000);
      await backUp(VAULT_SMALL, { name: 'third' });
    }

    it('lists newest first; count is every match; filters by vault, resource, names, zone, type', async () => {
      await threeCheckpoints();
      const all = await list();
      expect(all).toHaveLength(8);
      expect(all.map((b) => b.name)).toEqual([
        'third',
        'third',
        'second',
        'second',
        'second',
        'second',
        'first',
        'first',
      ]);

      expect((await list(`?vault_id=${VAULT_WEEKLY.toUpperCase()}`)).map((b) => b.resource_name)).toHaveLength(4);
      expect((await list(`?resource_id=${MONITORING_ROOT}`)).map((b) => b.name)).toEqual(['third']);
      expect((await list('?resource_name=k8s-node-1-root')).map((b) => b.name)).toEqual(['first']);
      expect((await list('?name=second')).map((b) => b.vault_id)).toEqual([
        VAULT_WEEKLY,
        VAULT_WEEKLY,
        VAULT_WEEKLY,
        VAULT_WEEKLY,
      ]);
      expect((await list('?resource_az=eu-de-03')).map((b) => b.resource_name)).toEqual([
        'monitoring-01-root',
        'test-vol-1',
      ]);
      expect(await list('?resource_type=OS::Cinder::Volume')).toHaveLength(8);
      expect(await list('?resource_type=OS::Nova::Server')).toEqual([]);
      expect(await list('?image_type=backup')).toHaveLength(8);
      expect(await list(`?parent_id=${all[0]!.id}`)).toEqual([]);
      expect(await list('?own_type=all_granted&dec=false')).toHaveLength(8);
      expect(await list('?own_type=shared')).toEqual([]);
      expect(await list('?member_status=accepted')).toEqual([]);
    });

    it('filters by status (repeated: any of them) and by a created-at window', async () => {
      await threeCheckpoints();
      advance(DURATION - 1);

      expect((await list('?status=error')).map((b) => b.resource_name)).toEqual(['db-log-1']);
      expect((await list('?status=protecting')).map((b) => b.name)).toEqual(['third', 'third']);
      expect(await list('?status=error&status=protecting')).toHaveLength(3);
      expect(await list('?status=deleting')).toEqual([]);

      expect((await list('?start_time=2025-03-03T10:01:00Z')).map((b) => b.name)).toHaveLength(6);
      expect((await list('?end_time=2025-03-03T10:01:00Z')).map((b) => b.name)).toHaveLength(6);
      expect((await list('?start_time=2025-03-03T10:00:01Z&end_time=2025-03-03T10:01:59Z')).map((b) => b.name)).toEqual(
        ['second', 'second', 'second', 'second'],
      );
    });

    it('filters by used_percent: backups that take at least that share of their vault', async () => {
      await threeCheckpoints();

      // vault-small holds 60 GB: monitoring-01-root (40 GB) takes 66 %, test-vol-1 (10 GB) 16 %.
      expect((await list('?used_percent=50')).map((b) => b.resource_name)).toEqual(['monitoring-01-root']);
      expect(await list('?used_percent=1')).toHaveLength(8);
    });

    it('sorts by key:direction pairs (desc when not said) and pages with limit, offset and marker', async () => {
      await threeCheckpoints();
      advance(DURATION);
      const asc = await list('?sort=created_at:asc');
      expect(asc.map((b) => b.name)).toEqual([
        'first',
        'first',
        'second',
        'second',
        'second',
        'second',
        'third',
        'third',
      ]);
      // Ties keep the order the backups were made in (a restore point: the vault's order).
      const byName = await list('?sort=name:asc');
      expect(byName.map((b) => `${b.name} ${String(b.resource_name)}`)).toEqual([
        'first web-01-data',
        'first k8s-node-1-root',
        'second db-log-1',
        'second jenkins-home',
        'second app-01-data',
        'second app-02-data',
        'third monitoring-01-root',
        'third test-vol-1',
      ]);
      const byStatusThenName = await list('?sort=status:asc,name');
      expect(byStatusThenName.map((b) => `${b.status} ${b.name}`)).toEqual([
        'available third',
        'available third',
        'available second',
        'available second',
        'available second',
        'available first',
        'available first',
        'error second',
      ]);

      const page = await get('/backups?sort=created_at:asc&limit=3&offset=2');
      expect(page.body).toMatchObject({ count: 8, limit: 3, offset: 2 });
      expect(page.body.backups).toEqual(asc.slice(2, 5));
      expect(await list(`?sort=created_at:asc&limit=2&marker=${asc[5]!.id}`)).toEqual(asc.slice(6));
      expect(await list('?offset=8')).toEqual([]);
    });

    it.each([
      ['limit=0'],
      ['limit=1001'],
      ['offset=-3'],
      ['status=done'],
      ['start_time=2025-03-03'],
      ['end_time=2025-02-30T10:00:00Z'],
      ['sort=size'],
      ['sort=name:up'],
      ['own_type=public'],
      ['member_status=maybe'],
      ['used_percent=0'],
      ['dec=yes'],
      [`marker=${UNKNOWN}`],
    ])('refuses %s with 400 BackupService.9900', async (query) => {
      await expectRefused(get(`/backups?${query}`), 400, 'BackupService.9900');
    });
  });

  it('keeps projects apart and needs a token scoped to the project', async () => {
    await backUp(VAULT_DAILY);
    const other = 'fedcba9876543210fedcba9876543210';
    const two = await startSandbox({ projects: [{ id: PROJECT, backupService: 'cbr' }, { id: other }] });
    try {
      await call(two, 'POST', `/v3/${PROJECT}/checkpoints`, {
        headers: { 'X-Auth-Token': await getToken(two) },
        body: { checkpoint: { vault_id: VAULT_DAILY } },
      });
      const otherList = await call(two, 'GET', `/v3/${other}/backups`, {
        headers: { 'X-Auth-Token': await getToken(two, other) },
      });
      expect(otherList.body).toEqual({ backups: [], count: 0, limit: 1000, offset: 0 });
    } finally {
      await two.stop();
    }
    const anonymous = await call(sandbox, 'GET', `/v3/${PROJECT}/backups`);
    expect([anonymous.status, anonymous.body.error_code]).toEqual([401, 'APIGW.0301']);
  });

  describe('faults', () => {
    it('a faulted restore point backs up nothing; a faulted list is answered as CBR and the gateway do', async () => {
      sandbox.faults.inject('cbr.checkpoint', { status: 500 });
      sandbox.faults.inject('cbr.list_backups', { status: 502 });
      sandbox.faults.inject('cbr.show_checkpoint', { drop: true });

      const refused = await backUp(VAULT_DAILY);
      expect(refused.status).toBe(500);
      expect(refused.body).toEqual({
        error_msg: 'Internal Server Error',
        request_id: refused.headers.get('x-request-id'),
      });
      expect(sandbox.state.backups.backupsOfVolume(PROJECT, WEB_01_DATA)).toEqual([]);
      const listFault = await get('/backups');
      expect([listFault.status, listFault.body.error_code]).toEqual([502, 'APIGW.0202']);
      await expect(get(`/checkpoints/${UNKNOWN}`)).rejects.toThrow();
      expect(sandbox.requests.filter((r) => r.route.startsWith('cbr.')).map((r) => [r.route, r.status])).toEqual([
        ['cbr.checkpoint', 500],
        ['cbr.list_backups', 502],
        ['cbr.show_checkpoint', 0],
      ]);
      expect((await backUp(VAULT_DAILY)).status).toBe(200);
    });

    it('a faulted backup look-up changes nothing', async () => {
      sandbox.faults.inject('cbr.show_backup', { status: 403 });

      const response = await get(`/backups/${UNKNOWN}`);
      expect(response.status).toBe(403);
      expect((await get(`/backups/${UNKNOWN}`)).status).toBe(404);
    });
  });
});
