import { request } from 'undici';
import type { Sandbox, SandboxRoute } from '../../src/sandbox';
import { CBR_MAX_RESOURCES_PER_CALL, seededVaultId, seededVolumeIds, startSandbox } from '../../src/sandbox';
import type { JsonResponse } from './helpers';
import { PROJECT, call, getToken } from './helpers';

const VOLUME = 'OS::Cinder::Volume';
const VAULT_DAILY = seededVaultId('vault-daily')!;
const VAULT_WEEKLY = seededVaultId('vault-weekly')!;
const VAULT_SMALL = seededVaultId('vault-small')!;
const VAULT_ARCHIVE = seededVaultId('vault-archive')!;
const VAULT_SERVERS = seededVaultId('vault-servers')!;
const UNKNOWN_VAULT = '915d1fd8-63cb-4054-a2b0-2778210e3a75';
const UNKNOWN_DISK = '00000000-0000-4000-8000-000000000001';
const one = (name: string): string => seededVolumeIds(name)[0]!;
const DB_DATA_1 = one('db-data-1'); // 500 GB, in no vault
const DB_LOG_1 = one('db-log-1'); // 100 GB, in vault-weekly
const DB_LOG_2 = one('db-log-2'); // 100 GB, in no vault
const JENKINS_HOME = one('jenkins-home'); // 250 GB, in vault-weekly
const WEB_01_DATA = one('web-01-data'); // 100 GB, in vault-daily
const TEST_VOL_2 = one('test-vol-2'); // 10 GB, in no vault
const SCRATCH = seededVolumeIds('scratch')[0]!; // 100 GB, in no vault

describe('sandbox CBR: adding, removing and migrating disks', () => {
  let sandbox: Sandbox;
  let token: string;
  const post = (vaultId: string, action: string, body: unknown): Promise<JsonResponse> =>
    call(sandbox, 'POST', `/v3/${PROJECT}/vaults/${vaultId}/${action}`, {
      headers: { 'X-Auth-Token': token },
      body: typeof body === 'string' ? body : (body as object),
    });
  const add = (vaultId: string, ids: readonly string[], type = VOLUME): Promise<JsonResponse> =>
    post(vaultId, 'addresources', { resources: ids.map((id) => ({ id, type })) });
  const remove = (vaultId: string, ids: readonly string[]): Promise<JsonResponse> =>
    post(vaultId, 'removeresources', { resource_ids: ids });
  const migrate = (source: string, destination: string, ids: readonly string[]): Promise<JsonResponse> =>
    post(source, 'migrateresources', { destination_vault_id: destination, resource_ids: ids });
  /** Every vault's disks and allocation: what a failed call must leave as it was. */
  const snapshot = (): unknown =>
    sandbox.state.cbr
      .listVaults(PROJECT)
      .map((v) => [
        v.name,
        sandbox.state.cbr.vaultResources(PROJECT, v.id),
        sandbox.state.cbr.allocatedGb(PROJECT, v.id),
      ]);
  const vaultOf = (volumeId: string): string | undefined => sandbox.state.cbr.vaultOfVolume(PROJECT, volumeId);
  /** A refusal: its status and code, the error_msg, and nothing changed. */
  async function expectRefused(
    call_: Promise<JsonResponse>,
    before: unknown,
    status: number,
    code: string,
  ): Promise<string> {
    const response = await call_;
    expect([response.status, response.body.error_code]).toEqual([status, code]);
    expect(Object.keys(response.body).sort()).toEqual(['error_code', 'error_msg']);
    expect(snapshot()).toEqual(before);
    return response.body.error_msg;
  }

  beforeEach(async () => {
    sandbox = await startSandbox({ projects: [{ id: PROJECT, backupService: 'cbr' }] });
    token = await getToken(sandbox);
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  describe('POST …/addresources', () => {
    it('adds disks to a vault: 200 with the ids as sent; the vault lists them last and allocates their size', async () => {
      const response = await add(VAULT_DAILY, [DB_LOG_2, DB_DATA_1.toUpperCase()]);

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ add_resource_ids: [DB_LOG_2, DB_DATA_1.toUpperCase()] });
      expect(vaultOf(DB_LOG_2)).toBe(VAULT_DAILY);
      expect(vaultOf(DB_DATA_1)).toBe(VAULT_DAILY);
      const shown = await call(sandbox, 'GET', `/v3/${PROJECT}/vaults/${VAULT_DAILY}`, {
        headers: { 'X-Auth-Token': token },
      });
      expect(shown.body.vault.resources.map((r) => r.name)).toEqual([
        'web-01-data',
        'k8s-node-1-root',
        'db-log-2',
        'db-data-1',
      ]);
      expect(shown.body.vault.billing.allocated).toBe(180 + 100 + 500);
      expect(sandbox.requests.at(-2)).toMatchObject({ route: 'cbr.add', status: 200, projectId: PROJECT });
    });

    it('takes the docs request shape: name and extra_info beside id and type', async () => {
      const response = await post(VAULT_ARCHIVE, 'addresources', {
        resources: [{ id: DB_LOG_2, type: VOLUME, name: 'db-log-2', extra_info: { exclude_volumes: [] } }],
      });

      expect(response.status).toBe(200);
      expect(vaultOf(DB_LOG_2)).toBe(VAULT_ARCHIVE);
    });

    it('6103: a disk already in another vault is refused, naming the disk and that vault; nothing is added', async () => {
      const before = snapshot();
      const message = await expectRefused(
        add(VAULT_ARCHIVE, [DB_LOG_2, JENKINS_HOME]),
        before,
        400,
        'BackupService.6103',
      );

      expect(message).toBe(`Resource ${JENKINS_HOME} is already associated with vault vault-weekly.`);
      expect(vaultOf(DB_LOG_2)).toBeUndefined();
      expect(vaultOf(JENKINS_HOME)).toBe(VAULT_WEEKLY);
    });

    it('6103: so is a disk already in this very vault (adding twice is not harmless, unlike VBS)', async () => {
      const before = snapshot();
      const message = await expectRefused(add(VAULT_WEEKLY, [DB_LOG_1]), before, 400, 'BackupService.6103');

      expect(message).toBe(`Resource ${DB_LOG_1} is already associated with vault vault-weekly.`);
    });

    it('6104: the same disk twice in one request (in any case) is refused; nothing is added', async () => {
      const before = snapshot();
      const message = await expectRefused(
        add(VAULT_ARCHIVE, [DB_LOG_2, DB_DATA_1, DB_LOG_2.toUpperCase()]),
        before,
        400,
        'BackupService.6104',
      );

      expect(message).toContain(DB_LOG_2.toUpperCase());
    });

    it('6100: the disks would take more than the capacity; the message names the vault, no disk', async () => {
      // vault-small: 50 of 60 GB. A 10 GB disk fills it exactly, which is allowed.
      expect((await add(VAULT_SMALL, [TEST_VOL_2])).status).toBe(200);
      expect(sandbox.state.cbr.allocatedGb(PROJECT, VAULT_SMALL)).toBe(60);
      sandbox.state.cbr.removeVolumeFromVault(PROJECT, TEST_VOL_2);

      const before = snapshot();
      const message = await expectRefused(add(VAULT_SMALL, [TEST_VOL_2, SCRATCH]), before, 400, 'BackupService.6100');

      expect(message).toContain('vault-small');
      expect(message).toContain('60 GB');
      for (const named of [TEST_VOL_2, SCRATCH, 'test-vol-2', 'scratch']) expect(message).not.toContain(named);
      expect(vaultOf(TEST_VOL_2)).toBeUndefined();
    });

    it('6100 follows the capacity a test sets', async () => {
      sandbox.state.cbr.setVaultCapacity(PROJECT, VAULT_SMALL, 160);
      expect((await add(VAULT_SMALL, [TEST_VOL_2, SCRATCH])).status).toBe(200);
      sandbox.state.cbr.setVaultCapacity(PROJECT, VAULT_SMALL, 100);
      expect((await add(VAULT_SMALL, [DB_LOG_2])).body.error_code).toBe('BackupService.6100');
    });

    it.each([['OS::Nova::Server'], ['OS::Sfs::Turbo'], ['volume']])(
      '6102: resource type %s is not supported; the message names the resource',
      async (type) => {
        const before = snapshot();
        const message = await expectRefused(add(VAULT_ARCHIVE, [DB_LOG_2], type), before, 400, 'BackupService.6102');

        expect(message).toContain(DB_LOG_2);
        expect(message).toContain(type);
      },
    );

    it('6102: a disk cannot join a server vault', async () => {
      const before = snapshot();
      const message = await expectRefused(add(VAULT_SERVERS, [DB_LOG_2]), before, 400, 'BackupService.6102');

      expect(message).toContain(DB_LOG_2);
      expect(message).toContain('vault-servers');
    });

    it('7000 (400): an id that is no disk of the project, named; nothing is added', async () => {
      const before = snapshot();
      const message = await expectRefused(
        add(VAULT_ARCHIVE, [DB_LOG_2, UNKNOWN_DISK]),
        before,
        400,
        'BackupService.7000',
      );

      expect(message).toBe(`The disk ${UNKNOWN_DISK} does not exist.`);
    });

    it('answers the first problem in request order', async () => {
      const response = await add(VAULT_ARCHIVE, [DB_LOG_2, JENKINS_HOME, UNKNOWN_DISK]);

      expect(response.body.error_code).toBe('BackupService.6103');
    });

    it(`takes ${CBR_MAX_RESOURCES_PER_CALL} disks in one call and refuses ${CBR_MAX_RESOURCES_PER_CALL + 1} with 9900`, async () => {
      const ids = Array.from(
        { length: CBR_MAX_RESOURCES_PER_CALL + 1 },
        (_, i) => sandbox.state.addVolume(PROJECT, { name: `bulk-${i}`, size: 1 }).id,
      );
      const before = snapshot();
      const message = await expectRefused(add(VAULT_ARCHIVE, ids), before, 400, 'BackupService.9900');
      expect(message).toContain('1 to 256');

      const response = await add(VAULT_ARCHIVE, ids.slice(0, CBR_MAX_RESOURCES_PER_CALL));
      expect(response.status).toBe(200);
      expect(response.body.add_resource_ids).toHaveLength(256);
      expect(sandbox.state.cbr.vaultResources(PROJECT, VAULT_ARCHIVE)).toHaveLength(256);
    });

    it.each([
      ['an empty body', ''],
      ['malformed JSON', '{"resources": '],
      ['a JSON array', '[]'],
      ['no resources', {}],
      ['resources that are not a list', { resources: { id: DB_LOG_2, type: VOLUME } }],
      ['no resource at all', { resources: [] }],
      ['a resource that is not an object', { resources: [DB_LOG_2] }],
      ['a resource without id', { resources: [{ type: VOLUME }] }],
      ['a resource with an empty id', { resources: [{ id: ' ', type: VOLUME }] }],
      ['a resource without type', { resources: [{ id: DB_LOG_2 }] }],
    ])('9900: refuses %s', async (_what, body) => {
      const before = snapshot();
      const message = await expectRefused(post(VAULT_ARCHIVE, 'addresources', body), before, 400, 'BackupService.9900');

      expect(message).toMatch(/^Parameter verification failed\. /);
    });

    it('404 9900 for an unknown vault, before the body is read', async () => {
      const before = snapshot();
      const message = await expectRefused(
        post(UNKNOWN_VAULT, 'addresources', 'not json'),
        before,
        404,
        'BackupService.9900',
      );

      expect(message).toBe('Invalid vault_id provided.');
    });
  });

  describe('POST …/removeresources', () => {
    it('removes disks from their vault: 200 with the ids as sent', async () => {
      const response = await remove(VAULT_WEEKLY, [DB_LOG_1, JENKINS_HOME.toUpperCase()]);

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ remove_resource_ids: [DB_LOG_1, JENKINS_HOME.toUpperCase()] });
      expect(vaultOf(DB_LOG_1)).toBeUndefined();
      expect(vaultOf(JENKINS_HOME)).toBeUndefined();
      expect(sandbox.state.cbr.allocatedGb(PROJECT, VAULT_WEEKLY)).toBe(750 - 100 - 250);
      expect(sandbox.requests.at(-1)).toMatchObject({ route: 'cbr.remove', status: 200 });
    });

    it('6135: a disk not in this vault (in another, or in none) is refused, named; nothing is removed', async () => {
      const before = snapshot();
      const inOther = await expectRefused(
        remove(VAULT_WEEKLY, [DB_LOG_1, WEB_01_DATA]),
        before,
        400,
        'BackupService.6135',
      );
      const inNone = await expectRefused(remove(VAULT_WEEKLY, [DB_LOG_2]), before, 400, 'BackupService.6135');

      expect(inOther).toBe(`The resource ${WEB_01_DATA} does not exist in the vault vault-weekly.`);
      expect(inNone).toContain(DB_LOG_2);
      expect(vaultOf(DB_LOG_1)).toBe(VAULT_WEEKLY);
    });

    it('7000: an id that is no disk of the project; 6104: the same disk twice', async () => {
      const before = snapshot();
      expect(
        await expectRefused(remove(VAULT_WEEKLY, [DB_LOG_1, UNKNOWN_DISK]), before, 400, 'BackupService.7000'),
      ).toContain(UNKNOWN_DISK);
      await expectRefused(remove(VAULT_WEEKLY, [DB_LOG_1, DB_LOG_1]), before, 400, 'BackupService.6104');
    });

    it.each([
      ['no resource_ids', {}],
      ['resource_ids that are not a list', { resource_ids: DB_LOG_1 }],
      ['no resource id', { resource_ids: [] }],
      ['an id that is not a string', { resource_ids: [42] }],
      ['257 ids', { resource_ids: Array.from({ length: 257 }, (_, i) => `id-${i}`) }],
    ])('9900: refuses %s', async (_what, body) => {
      await expectRefused(post(VAULT_WEEKLY, 'removeresources', body), snapshot(), 400, 'BackupService.9900');
    });

    it('404 9900 for an unknown vault', async () => {
      await expectRefused(remove(UNKNOWN_VAULT, [DB_LOG_1]), snapshot(), 404, 'BackupService.9900');
    });
  });

  describe('POST …/migrateresources', () => {
    it('moves disks from the source vault to the destination: 200 with the ids as sent', async () => {
      const response = await migrate(VAULT_WEEKLY, VAULT_DAILY, [DB_LOG_1, JENKINS_HOME]);

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ migrated_resources: [DB_LOG_1, JENKINS_HOME] });
      expect(vaultOf(DB_LOG_1)).toBe(VAULT_DAILY);
      expect(vaultOf(JENKINS_HOME)).toBe(VAULT_DAILY);
      expect(sandbox.state.cbr.vaultResources(PROJECT, VAULT_WEEKLY)).not.toContain(DB_LOG_1);
      expect(sandbox.state.cbr.allocatedGb(PROJECT, VAULT_WEEKLY)).toBe(400);
      expect(sandbox.state.cbr.allocatedGb(PROJECT, VAULT_DAILY)).toBe(180 + 350);
      expect(sandbox.requests.at(-1)).toMatchObject({ route: 'cbr.migrate', status: 200 });
    });

    it('takes the docs request body shape', async () => {
      const response = await post(VAULT_WEEKLY, 'migrateresources', {
        resource_ids: [DB_LOG_1],
        destination_vault_id: VAULT_ARCHIVE,
      });

      expect(response.body).toEqual({ migrated_resources: [DB_LOG_1] });
    });

    it('9900 (400): an unknown destination vault, a missing one, or the source itself', async () => {
      const before = snapshot();
      const unknown = await expectRefused(
        migrate(VAULT_WEEKLY, UNKNOWN_VAULT, [DB_LOG_1]),
        before,
        400,
        'BackupService.9900',
      );
      await expectRefused(
        post(VAULT_WEEKLY, 'migrateresources', { resource_ids: [DB_LOG_1] }),
        before,
        400,
        'BackupService.9900',
      );
      await expectRefused(migrate(VAULT_WEEKLY, VAULT_WEEKLY, [DB_LOG_1]), before, 400, 'BackupService.9900');

      expect(unknown).toBe('Invalid destination_vault_id provided.');
    });

    it('404 9900 for an unknown source vault', async () => {
      const message = await expectRefused(
        migrate(UNKNOWN_VAULT, VAULT_DAILY, [DB_LOG_1]),
        snapshot(),
        404,
        'BackupService.9900',
      );

      expect(message).toBe('Invalid vault_id provided.');
    });

    it('6135: a disk not in the source vault, named; nothing moves', async () => {
      const before = snapshot();
      const message = await expectRefused(
        migrate(VAULT_WEEKLY, VAULT_ARCHIVE, [DB_LOG_1, WEB_01_DATA]),
        before,
        400,
        'BackupService.6135',
      );

      expect(message).toContain(WEB_01_DATA);
      expect(vaultOf(DB_LOG_1)).toBe(VAULT_WEEKLY);
    });

    it('6102: into a server vault, naming the first disk', async () => {
      const message = await expectRefused(
        migrate(VAULT_WEEKLY, VAULT_SERVERS, [DB_LOG_1]),
        snapshot(),
        400,
        'BackupService.6102',
      );

      expect(message).toContain(DB_LOG_1);
    });

    it('6100: more than the destination holds; nothing moves', async () => {
      const before = snapshot();
      const message = await expectRefused(
        migrate(VAULT_WEEKLY, VAULT_SMALL, [JENKINS_HOME]),
        before,
        400,
        'BackupService.6100',
      );

      expect(message).not.toContain(JENKINS_HOME);
      expect(message).toContain('vault-small');
    });

    it('6104, 7000 and the 256 bound as for the other calls', async () => {
      const before = snapshot();
      await expectRefused(migrate(VAULT_WEEKLY, VAULT_DAILY, [DB_LOG_1, DB_LOG_1]), before, 400, 'BackupService.6104');
      await expectRefused(migrate(VAULT_WEEKLY, VAULT_DAILY, [UNKNOWN_DISK]), before, 400, 'BackupService.7000');
      const many = Array.from({ length: 257 }, (_, i) => `id-${i}`);
      await expectRefused(migrate(VAULT_WEEKLY, VAULT_DAILY, many), before, 400, 'BackupService.9900');
      await expectRefused(migrate(VAULT_WEEKLY, VAULT_DAILY, []), before, 400, 'BackupService.9900');
    });
  });

  describe('faults on CBR operations', () => {
    const calls: ReadonlyArray<readonly [SandboxRoute, () => Promise<JsonResponse>]> = [
      ['cbr.list_vaults', () => call(sandbox, 'GET', `/v3/${PROJECT}/vaults`, { headers: { 'X-Auth-Token': token } })],
      [
        'cbr.show_vault',
        () => call(sandbox, 'GET', `/v3/${PROJECT}/vaults/${VAULT_DAILY}`, { headers: { 'X-Auth-Token': token } }),
      ],
      [
        'cbr.list_policies',
        () => call(sandbox, 'GET', `/v3/${PROJECT}/policies`, { headers: { 'X-Auth-Token': token } }),
      ],
      ['cbr.add', () => add(VAULT_ARCHIVE, [DB_LOG_2])],
      ['cbr.remove', () => remove(VAULT_WEEKLY, [DB_LOG_1])],
      ['cbr.migrate', () => migrate(VAULT_WEEKLY, VAULT_ARCHIVE, [DB_LOG_1])],
    ];

    it.each(calls)(
      '%s: an injected 503 fails the call and changes nothing; the next call goes through',
      async (route, send) => {
        sandbox.faults.inject(route, { status: 503 });
        const before = snapshot();

        const failed = await send();
        expect(failed.status).toBe(503);
        expect(failed.body).toEqual({
          error_msg: 'Service Unavailable',
          request_id: failed.headers.get('x-request-id'),
        });
        expect(snapshot()).toEqual(before);

        expect((await send()).status).toBe(200);
        expect(sandbox.requests.filter((r) => r.route === route).map((r) => r.status)).toEqual([503, 200]);
      },
    );

    it.each(calls)('%s: an injected 500 is a flat body without a code', async (route, send) => {
      sandbox.faults.inject(route, { status: 500 });
      const response = await send();

      expect(response.status).toBe(500);
      expect(response.body).toEqual({
        error_msg: 'Internal Server Error',
        request_id: response.headers.get('x-request-id'),
      });
    });

    it('429 carries Retry-After and the gateway throttling body', async () => {
      sandbox.faults.inject('cbr.migrate', { status: 429, retryAfterSeconds: 3 });
      const response = await migrate(VAULT_WEEKLY, VAULT_ARCHIVE, [DB_LOG_1]);

      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('3');
      expect(response.body.error_code).toBe('APIGW.0308');
      expect(vaultOf(DB_LOG_1)).toBe(VAULT_WEEKLY);
    });

    it('malformed: the add is made, the answer is cut off mid-JSON', async () => {
      sandbox.faults.inject('cbr.add', { malformed: true });
      const response = await request(`${sandbox.url}/v3/${PROJECT}/vaults/${VAULT_ARCHIVE}/addresources`, {
        method: 'POST',
        headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' },
        body: JSON.stringify({ resources: [{ id: DB_LOG_2, type: VOLUME }] }),
      });
      const text = await response.body.text();

      expect(response.statusCode).toBe(200);
      expect(() => JSON.parse(text) as unknown).toThrow();
      expect(vaultOf(DB_LOG_2)).toBe(VAULT_ARCHIVE);
    });

    it('drop: the connection closes without an answer and nothing changes', async () => {
      sandbox.faults.inject('cbr.remove', { drop: true });
      await expect(
        request(`${sandbox.url}/v3/${PROJECT}/vaults/${VAULT_WEEKLY}/removeresources`, {
          method: 'POST',
          headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' },
          body: JSON.stringify({ resource_ids: [DB_LOG_1] }),
        }),
      ).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });

      expect(vaultOf(DB_LOG_1)).toBe(VAULT_WEEKLY);
      expect(sandbox.requests.at(-1)).toMatchObject({ route: 'cbr.remove', status: 0 });
    });

    it('holds a call by injected latency until it is answered normally', async () => {
      sandbox.faults.inject('cbr.list_policies', { latencyMs: 20 });
      const response = await calls[2]![1]();

      expect(response.status).toBe(200);
      expect(sandbox.faults.pending('cbr.list_policies')).toBe(0);
    });
  });
});
