import type { Sandbox } from '../../src/sandbox';
import { seededCbrPolicyId, seededVaultId, seededVolumeIds, startSandbox } from '../../src/sandbox';
import type { JsonResponse } from './helpers';
import { PROJECT, call, getToken, signedHeaders } from './helpers';

const VBS_PROJECT = 'fedcba9876543210fedcba9876543210';
const VAULT_DAILY = seededVaultId('vault-daily')!;
const VAULT_WEEKLY = seededVaultId('vault-weekly')!;
const VAULT_SMALL = seededVaultId('vault-small')!;
const VAULT_ARCHIVE = seededVaultId('vault-archive')!;
const VAULT_SERVERS = seededVaultId('vault-servers')!;
const DAILY_POLICY = seededCbrPolicyId('daily-7-backups')!;
const WEEKLY_POLICY = seededCbrPolicyId('weekly-30-days')!;
const one = (name: string): string => seededVolumeIds(name)[0]!;
const ALL_VAULTS = ['vault-daily', 'vault-weekly', 'vault-small', 'vault-archive', 'vault-servers'];

describe('sandbox CBR: vaults and policies', () => {
  let sandbox: Sandbox;
  let token: string;
  const get = (path: string, projectId = PROJECT): Promise<JsonResponse> =>
    call(sandbox, 'GET', `/v3/${projectId}${path}`, { headers: { 'X-Auth-Token': token } });
  const names = (response: JsonResponse): string[] => response.body.vaults.map((v) => v.name);

  beforeAll(async () => {
    // The CBR project is the first one, so it carries the literal seed ids.
    sandbox = await startSandbox({ projects: [{ id: PROJECT, backupService: 'cbr' }, { id: VBS_PROJECT }] });
    token = await getToken(sandbox);
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  describe('GET /v3/{project_id}/vaults', () => {
    it('lists the vaults in creation order, with the total count and the page bounds', async () => {
      const response = await get('/vaults');

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(names(response)).toEqual(ALL_VAULTS);
      expect(response.body).toMatchObject({ count: 5, limit: 1000, offset: 0 });
      expect(sandbox.requests.at(-1)).toMatchObject({ route: 'cbr.list_vaults', status: 200, auth: 'token' });
    });

    it('renders each vault with the fields of the documented example, of the same JSON types', async () => {
      // Field names and types of the docs' vault list example (cbr_vault_list_response.docs.json).
      const documented: Record<string, string> = {
        id: 'string',
        name: 'string',
        resources: 'object',
        provider_id: 'string',
        created_at: 'string',
        project_id: 'string',
        auto_bind: 'boolean',
        bind_rules: 'object',
        auto_expand: 'boolean',
        user_id: 'string',
        billing: 'object',
        tags: 'object',
      };
      const documentedBilling: Record<string, string> = {
        allocated: 'number',
        cloud_type: 'string',
        consistent_level: 'string',
        charging_mode: 'string',
        protect_type: 'string',
        object_type: 'string',
        spec_code: 'string',
        used: 'number',
        status: 'string',
        size: 'number',
      };
      const { vaults } = (await get('/vaults')).body;
      for (const vault of vaults) {
        for (const [key, type] of Object.entries(documented)) expect([key, typeof vault[key]]).toEqual([key, type]);
        for (const [key, type] of Object.entries(documentedBilling)) {
          expect([key, typeof vault.billing[key]]).toEqual([key, type]);
        }
        expect(vault.project_id).toBe(PROJECT);
        expect(vault.id).toMatch(/^[0-9a-f-]{36}$/);
      }
    });

    it('shows the disks of a vault as OS::Cinder::Volume resources, and allocated as the sum of their sizes', async () => {
      const weekly = (await get('/vaults')).body.vaults.find((v) => v.id === VAULT_WEEKLY)!;

      expect(weekly.resources).toEqual([
        expect.objectContaining({ id: one('db-log-1'), name: 'db-log-1', type: 'OS::Cinder::Volume', size: 100 }),
        expect.objectContaining({ id: one('jenkins-home'), name: 'jenkins-home', size: 250 }),
        expect.objectContaining({ id: one('app-01-data'), name: 'app-01-data', size: 200 }),
        expect.objectContaining({ id: one('app-02-data'), name: 'app-02-data', size: 200 }),
      ]);
      expect(weekly.resources.every((r) => r.protect_status === 'available')).toBe(true);
      expect(weekly.billing).toMatchObject({
        size: 2000,
        allocated: 750,
        used: 0,
        object_type: 'disk',
        protect_type: 'backup',
        status: 'available',
        spec_code: 'vault.backup.volume.normal',
      });
      expect(weekly.provider_id).toBe('d1603440-187d-4516-af25-121250c7cc97');
    });

    it('tells a server vault by its billing object_type and provider id', async () => {
      const servers = (await get('/vaults')).body.vaults.find((v) => v.id === VAULT_SERVERS)!;

      expect(servers.billing).toMatchObject({ object_type: 'server', spec_code: 'vault.backup.server.normal' });
      expect(servers.provider_id).toBe('0daac4c5-6707-4851-97ba-169e36266b66');
      expect(servers.resources).toEqual([]);
    });

    it.each([
      ['disk', ['vault-daily', 'vault-weekly', 'vault-small', 'vault-archive']],
      ['server', ['vault-servers']],
    ])('filters by object_type=%s', async (type, expected) => {
      const response = await get(`/vaults?object_type=${type}`);

      expect(names(response)).toEqual(expected);
      expect(response.body.count).toBe(expected.length);
    });

    it('filters by resource_ids: the vaults that hold any of the comma-separated ids', async () => {
      const single = await get(`/vaults?resource_ids=${one('jenkins-home')}`);
      const two = await get(`/vaults?resource_ids=${one('test-vol-1')},${one('db-log-1')}`);
      const upper = await get(`/vaults?resource_ids=${one('web-01-data').toUpperCase()}`);
      const free = await get(`/vaults?resource_ids=${one('db-data-1')}`);
      const serverVaults = await get(`/vaults?object_type=server&resource_ids=${one('db-log-1')}`);

      expect(names(single)).toEqual(['vault-weekly']);
      expect(names(two)).toEqual(['vault-weekly', 'vault-small']);
      expect(names(upper)).toEqual(['vault-daily']);
      expect(free.body).toMatchObject({ vaults: [], count: 0 });
      expect(serverVaults.body).toMatchObject({ vaults: [], count: 0 });
    });

    it('filters by name, id and policy_id', async () => {
      expect(names(await get('/vaults?name=vault-small'))).toEqual(['vault-small']);
      expect(names(await get(`/vaults?id=${VAULT_ARCHIVE}`))).toEqual(['vault-archive']);
      expect(names(await get(`/vaults?policy_id=${DAILY_POLICY}`))).toEqual(['vault-daily', 'vault-small']);
    });

    it('pages by limit and offset; count is the total whatever the page', async () => {
      const pages = [
        await get('/vaults?limit=2'),
        await get('/vaults?limit=2&offset=2'),
        await get('/vaults?limit=2&offset=4'),
      ];

      expect(pages.map(names)).toEqual([ALL_VAULTS.slice(0, 2), ALL_VAULTS.slice(2, 4), ALL_VAULTS.slice(4)]);
      expect(pages.map((p) => p.body.count)).toEqual([5, 5, 5]);
      expect(pages[1]!.body).toMatchObject({ limit: 2, offset: 2 });
      expect(names(await get('/vaults?limit=1000'))).toEqual(ALL_VAULTS);
      expect(names(await get('/vaults?object_type=disk&offset=3'))).toEqual(['vault-archive']);
    });

    it('refuses an offset at or past the count with 400 BackupService.9900; with no vault matching, any offset is an empty page', async () => {
      const past = await get('/vaults?offset=5');
      const pastFiltered = await get('/vaults?object_type=server&offset=1');
      const empty = await get(`/vaults?resource_ids=${one('db-data-1')}&offset=3`);

      expect(past.status).toBe(400);
      expect(past.body.error_code).toBe('BackupService.9900');
      expect(past.body.error_msg).toContain('offset 5');
      expect(pastFiltered.status).toBe(400);
      expect(empty.status).toBe(200);
      expect(empty.body).toMatchObject({ vaults: [], count: 0 });
    });

    it.each([
      ['limit=0'],
      ['limit=1001'],
      ['limit=abc'],
      ['limit=-1'],
      ['offset=-1'],
      ['offset=1.5'],
      ['object_type=turbo'],
    ])('refuses %s with 400 BackupService.9900', async (query) => {
      const response = await get(`/vaults?${query}`);

      expect(response.status).toBe(400);
      expect(response.body.error_code).toBe('BackupService.9900');
      expect(response.body.error_msg).toMatch(/^Parameter verification failed\. /);
    });

    it('answers a project without vaults (a VBS project) with an empty list', async () => {
      const otherToken = await getToken(sandbox, VBS_PROJECT);
      const response = await call(sandbox, 'GET', `/v3/${VBS_PROJECT}/vaults`, {
        headers: { 'X-Auth-Token': otherToken },
      });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ vaults: [], count: 0 });
    });
  });

  describe('GET /v3/{project_id}/vaults/{vault_id}', () => {
    it('shows one vault as the list does', async () => {
      const listed = (await get('/vaults')).body.vaults.find((v) => v.id === VAULT_SMALL);
      const shown = await get(`/vaults/${VAULT_SMALL}`);

      expect(shown.status).toBe(200);
      expect(shown.body.vault).toEqual(listed);
      expect(shown.body.vault.billing).toMatchObject({ size: 60, allocated: 50 });
      expect(sandbox.requests.at(-1)).toMatchObject({ route: 'cbr.show_vault', status: 200 });
    });

    it('finds a vault by its id in upper case', async () => {
      expect((await get(`/vaults/${VAULT_DAILY.toUpperCase()}`)).body.vault.id).toBe(VAULT_DAILY);
    });

    it('answers an unknown vault, or one of another project, with 404 BackupService.9900', async () => {
      const unknown = await get('/vaults/915d1fd8-63cb-4054-a2b0-2778210e3a75');
      const otherToken = await getToken(sandbox, VBS_PROJECT);
      const elsewhere = await call(sandbox, 'GET', `/v3/${VBS_PROJECT}/vaults/${VAULT_DAILY}`, {
        headers: { 'X-Auth-Token': otherToken },
      });

      for (const response of [unknown, elsewhere]) {
        expect(response.status).toBe(404);
        expect(response.body).toEqual({ error_code: 'BackupService.9900', error_msg: 'Invalid vault_id provided.' });
      }
    });
  });

  describe('GET /v3/{project_id}/policies', () => {
    it('lists the CBR policies in the documented shape, with the vaults each is applied to', async () => {
      const response = await get('/policies?operation_type=backup');

      expect(response.status).toBe(200);
      expect(response.body.count).toBe(3);
      expect(response.body.policies.map((p) => [p.name, p.enabled])).toEqual([
        ['daily-7-backups', true],
        ['weekly-30-days', true],
        ['paused-nightly', false],
      ]);
      const [daily, weekly, paused] = response.body.policies;
      expect(daily).toMatchObject({
        id: DAILY_POLICY,
        operation_type: 'backup',
        operation_definition: { max_backups: 7 },
        trigger: { type: 'time', properties: { pattern: ['FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=00'] } },
        associated_vaults: [{ vault_id: VAULT_DAILY }, { vault_id: VAULT_SMALL }],
      });
      expect(daily!.operation_definition).toEqual({ max_backups: 7 });
      expect(weekly).toMatchObject({
        id: WEEKLY_POLICY,
        trigger: { properties: { pattern: ['FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=14;BYMINUTE=00'] } },
        associated_vaults: [{ vault_id: VAULT_WEEKLY }, { vault_id: VAULT_SERVERS }],
      });
      expect(weekly!.operation_definition).toEqual({ retention_duration_days: 30, timezone: 'UTC+01:00' });
      expect(weekly!.trigger.properties.start_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(paused!.associated_vaults).toEqual([]);
      expect(sandbox.requests.at(-1)).toMatchObject({ route: 'cbr.list_policies', status: 200 });
    });

    it('lists the same without operation_type, none for replication', async () => {
      expect((await get('/policies')).body.count).toBe(3);
      expect((await get('/policies?operation_type=replication')).body).toEqual({ policies: [], count: 0 });
    });

    it('filters by vault_id: the policy applied to that vault, none for a vault without one or an unknown vault', async () => {
      const weekly = await get(`/policies?operation_type=backup&vault_id=${VAULT_WEEKLY}`);
      const archive = await get(`/policies?vault_id=${VAULT_ARCHIVE}`);
      const unknown = await get('/policies?vault_id=915d1fd8-63cb-4054-a2b0-2778210e3a75');

      expect(weekly.body.policies.map((p) => p.name)).toEqual(['weekly-30-days']);
      expect(weekly.body.count).toBe(1);
      expect(archive.body).toEqual({ policies: [], count: 0 });
      expect(unknown.body).toEqual({ policies: [], count: 0 });
    });

    it('refuses an unknown operation_type with 400 BackupService.6117', async () => {
      const response = await get('/policies?operation_type=restore');

      expect(response.status).toBe(400);
      expect(response.body.error_code).toBe('BackupService.6117');
    });
  });

  it('answers a method the path does not take with 405 and Allow', async () => {
    const response = await call(sandbox, 'POST', `/v3/${PROJECT}/vaults`, { headers: { 'X-Auth-Token': token } });
    const removeByGet = await get(`/vaults/${VAULT_DAILY}/removeresources`);

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect(removeByGet.status).toBe(405);
    expect(removeByGet.headers.get('allow')).toBe('POST');
  });

  it('leaves VBS as it was in a CBR project: its policies still answer', async () => {
    const response = await call(sandbox, 'GET', `/v2/${PROJECT}/backuppolicy`, { headers: { 'X-Auth-Token': token } });

    expect(response.status).toBe(200);
    expect(response.body.backup_policies.map((p) => p.backup_policy_name)).toEqual([
      'daily-7d',
      'daily-30d',
      'weekly-4w',
      'monthly-12m',
      'db-hourly',
    ]);
  });
});

describe('sandbox CBR auth', () => {
  const OTHER = VBS_PROJECT;
  let now: Date;
  let sandbox: Sandbox;

  beforeEach(async () => {
    now = new Date('2025-03-01T10:00:00.000Z');
    sandbox = await startSandbox({ now: () => now, projects: [{ id: PROJECT, backupService: 'cbr' }, { id: OTHER }] });
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  it('refuses a call without token or signature with the gateway 401', async () => {
    const response = await call(sandbox, 'GET', `/v3/${PROJECT}/vaults`);

    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error_code: 'APIGW.0301', request_id: response.headers.get('x-request-id') });
    expect(sandbox.requests.at(-1)).toMatchObject({ route: 'cbr.list_vaults', status: 401, auth: 'none' });
  });

  it('refuses a token of another project, and does not act', async () => {
    const token = await getToken(sandbox, OTHER);
    const response = await call(sandbox, 'POST', `/v3/${PROJECT}/vaults/${VAULT_ARCHIVE}/addresources`, {
      headers: { 'X-Auth-Token': token },
      body: { resources: [{ id: one('db-data-1'), type: 'OS::Cinder::Volume' }] },
    });

    expect(response.status).toBe(401);
    expect(response.body.error_code).toBe('APIGW.0301');
    expect(sandbox.state.cbr.vaultOfVolume(PROJECT, one('db-data-1'))).toBeUndefined();
  });

  it('refuses an expired token with the gateway 401 (CBR has no token codes of its own)', async () => {
    const token = await getToken(sandbox);
    sandbox.expireAllTokens();
    const response = await call(sandbox, 'GET', `/v3/${PROJECT}/policies`, { headers: { 'X-Auth-Token': token } });

    expect(response.status).toBe(401);
    expect(response.body.error_code).toBe('APIGW.0301');
    expect(response.body.error_msg).toContain('expired');
  });

  it('accepts an AK/SK-signed GET with a query and a signed POST with a body', async () => {
    const listPath = `/v3/${PROJECT}/vaults`;
    const query: Array<[string, string]> = [['object_type', 'server']];
    const listed = await call(sandbox, 'GET', `${listPath}?object_type=server`, {
      headers: signedHeaders(sandbox, { method: 'GET', path: listPath, query }, { date: now }),
    });
    const addPath = `/v3/${PROJECT}/vaults/${VAULT_ARCHIVE}/addresources`;
    const body = JSON.stringify({ resources: [{ id: one('db-data-1'), type: 'OS::Cinder::Volume' }] });
    const added = await call(sandbox, 'POST', addPath, {
      headers: signedHeaders(sandbox, { method: 'POST', path: addPath, body }, { date: now }),
      body,
    });

    expect(listed.status).toBe(200);
    expect(listed.body.vaults.map((v) => v.name)).toEqual(['vault-servers']);
    expect(added.status).toBe(200);
    expect(sandbox.state.cbr.vaultOfVolume(PROJECT, one('db-data-1'))).toBe(VAULT_ARCHIVE);
    expect(sandbox.requests.slice(-2).map((r) => [r.route, r.auth, r.status])).toEqual([
      ['cbr.list_vaults', 'aksk', 200],
      ['cbr.add', 'aksk', 200],
    ]);
  });

  it('refuses a signature whose query was not signed', async () => {
    const path = `/v3/${PROJECT}/vaults`;
    const response = await call(sandbox, 'GET', `${path}?object_type=server`, {
      headers: signedHeaders(sandbox, { method: 'GET', path }, { date: now }),
    });

    expect(response.status).toBe(401);
    expect(response.body.error_code).toBe('APIGW.0301');
  });
});
