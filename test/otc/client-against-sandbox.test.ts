import { Agent } from 'undici';
import { asPolicyId, asProjectId, asServerId, asVolumeId } from '../../src/domain/ids';
import type { VolumeId } from '../../src/domain/ids';
import { createOtcClient } from '../../src/otc/client';
import type { OtcClient } from '../../src/otc/client';
import { OtcAuthError } from '../../src/otc/errors';
import type { ProjectRef } from '../../src/otc/types';
import type { Sandbox } from '../../src/sandbox';
import { DEFAULT_PROJECT_ID, seededPolicyId, seededServerId, seededVolumeIds, startSandbox } from '../../src/sandbox';
import { createFakeClock } from './helpers';

const PROJECT: ProjectRef = { id: asProjectId(DEFAULT_PROJECT_ID), region: 'eu-de' };
const DAILY_7D = asPolicyId(seededPolicyId('daily-7d')!);
const WEEKLY_4W = seededPolicyId('weekly-4w')!;
const one = (name: string): VolumeId => asVolumeId(seededVolumeIds(name)[0]!);

describe('OTC client against the sandbox over real HTTP', () => {
  let sandbox: Sandbox;
  let agent: Agent;

  beforeEach(async () => {
    sandbox = await startSandbox();
    agent = new Agent({ keepAliveTimeout: 1000 });
  });
  afterEach(async () => {
    await agent.close();
    await sandbox.stop();
  });

  function client(kind: 'password' | 'aksk', extra: { concurrency?: number } = {}): OtcClient {
    const c = sandbox.credentials;
    return createOtcClient({
      credentials:
        kind === 'password'
          ? { kind, username: c.username, password: c.password, domainName: c.domainName }
          : { kind, accessKey: c.accessKey, secretKey: c.secretKey },
      authUrl: `${sandbox.url}/v3`,
      endpoints: { vbs: sandbox.url, evs: sandbox.url, ecs: sandbox.url },
      dispatcher: agent,
      // Real time for signing dates and token expiry; retry waits are skipped (full jitter with random 0).
      clock: { ...createFakeClock(new Date().toISOString()), now: () => Date.now() },
      random: () => 0,
      associate: { chunkSize: 20, concurrency: extra.concurrency ?? 2 },
    });
  }

  it('associates 100 volumes in five calls: good ones added (and moved), bad ones failed with their reasons', async () => {
    const all = sandbox.state.listVolumes(DEFAULT_PROJECT_ID).map((v) => asVolumeId(v.id));
    const unknown = Array.from({ length: 100 - all.length }, (_, i) =>
      asVolumeId(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`),
    );
    const ids = [...all, ...unknown];
    expect(ids).toHaveLength(100);

    const result = await client('password').associate(PROJECT, DAILY_7D, ids);

    expect(result.chunks.map((c) => c.volumeIds.length)).toEqual([20, 20, 20, 20, 20]);
    expect(sandbox.requests.filter((r) => r.route === 'vbs.associate')).toHaveLength(5);
    const failed = new Map(result.failed.map((f) => [f.volumeId, f]));
    expect(result.added.length + result.failed.length).toBe(100);
    for (const id of unknown) expect(failed.get(id)).toMatchObject({ code: 'AutoBackup.1400' });
    expect(failed.get(one('db-data-3'))).toMatchObject({ code: 'AutoBackup.0206' });
    expect(failed.get(one('sap-hana-data-1'))).toMatchObject({ code: 'AutoBackup.0210' });
    expect(failed.get(one('handover-data'))).toEqual({
      volumeId: one('handover-data'),
      code: undefined,
      message: undefined,
    });
    expect(result.added.find((a) => a.volumeId === one('db-data-1'))).toEqual({
      volumeId: one('db-data-1'),
      availabilityZone: 'eu-de-01',
      pod: 'pod01.eu-de-01',
    });
    // db-log-1 was in weekly-4w: associating it with daily-7d moved it.
    expect(sandbox.state.policyOfVolume(DEFAULT_PROJECT_ID, one('db-log-1'))).toBe(DAILY_7D);
    expect(sandbox.state.volumesInPolicy(DEFAULT_PROJECT_ID, WEEKLY_4W)).not.toContain(one('db-log-1'));
    expect(sandbox.requests.filter((r) => r.route === 'iam.tokens')).toHaveLength(1);
  });

  it('signs with AK/SK instead of asking IAM for a token', async () => {
    const c = client('aksk');
    const policies = await c.listTargets(PROJECT);
    expect(policies.map((p) => p.name)).toEqual(expect.arrayContaining(['daily-7d', 'weekly-4w', 'db-hourly']));
    const result = await c.associate(PROJECT, DAILY_7D, [one('db-data-2')]);
    expect(result.added.map((a) => a.volumeId)).toEqual([one('db-data-2')]);
    expect(sandbox.requests.filter((r) => r.route === 'iam.tokens')).toEqual([]);
    expect(sandbox.requests.every((r) => r.auth === 'aksk')).toBe(true);
  });

  it('gets a new token and replays the call when the cloud says the token expired', async () => {
    const c = client('password');
    await c.listTargets(PROJECT);
    sandbox.expireAllTokens();
    const result = await c.associate(PROJECT, DAILY_7D, [one('db-data-1')]);
    expect(result.added).toHaveLength(1);
    expect(sandbox.requests.filter((r) => r.route === 'iam.tokens')).toHaveLength(2);
    expect(sandbox.requests.filter((r) => r.route === 'vbs.associate').map((r) => r.status)).toEqual([401, 200]);
  });

  it('retries 503, 429 with Retry-After and a dropped connection, then succeeds', async () => {
    sandbox.faults.inject('vbs.associate', { status: 503 });
    sandbox.faults.inject('vbs.associate', { status: 429, retryAfterSeconds: 0 });
    sandbox.faults.inject('vbs.associate', { drop: true });
    const result = await client('password').associate(PROJECT, DAILY_7D, [one('db-data-1')]);
    expect(result.added).toHaveLength(1);
    expect(result.chunks[0]!.attempts).toBe(4);
    expect(sandbox.requests.filter((r) => r.route === 'vbs.associate').map((r) => r.status)).toEqual([
      503, 429, 0, 200,
    ]);
  });

  it('fails only the chunk whose call kept failing, with its HTTP status', async () => {
    sandbox.faults.inject('vbs.associate', { status: 503, times: 4 });
    const ids = sandbox.state
      .listVolumes(DEFAULT_PROJECT_ID)
      .filter((v) => v.status === 'in-use')
      .slice(0, 25)
      .map((v) => asVolumeId(v.id));
    const result = await client('password', { concurrency: 1 }).associate(PROJECT, DAILY_7D, ids);
    expect(result.failed).toHaveLength(20);
    expect(result.failed.every((f) => f.code === 'HTTP 503')).toBe(true);
    expect(result.added).toHaveLength(5);
    expect(result.chunks[0]!.error).toMatchObject({ code: 'OTC_HTTP', status: 503 });
  });

  it('turns an unknown policy into a failure of every volume with AutoBackup.0205', async () => {
    const result = await client('password').associate(PROJECT, asPolicyId('99999999-9999-4999-8999-999999999999'), [
      one('db-data-1'),
    ]);
    expect(result.failed).toEqual([
      { volumeId: one('db-data-1'), code: 'AutoBackup.0205', message: 'The policy does not exist.' },
    ]);
  });

  it('finds volumes by id and by exact name, including a name two volumes share', async () => {
    const found = await client('password').findVolumesByRef(PROJECT, [
      one('db-data-1'),
      'db-data-2',
      'scratch',
      'db-data',
      '00000000-0000-4000-8000-000000000000',
    ]);
    expect(found.get(one('db-data-1'))!.map((v) => v.name)).toEqual(['db-data-1']);
    expect(found.get('db-data-2')!.map((v) => v.id)).toEqual([one('db-data-2')]);
    expect(found.get('scratch')).toHaveLength(2);
    expect(found.get('db-data')).toEqual([]);
    expect(found.get('00000000-0000-4000-8000-000000000000')).toEqual([]);
  });

  it.each([
    ['password', 'token'],
    ['aksk', 'aksk'],
  ] as const)(
    'resolves the server web-01 by name and by id, then lists exactly its two volumes (%s)',
    async (kind, via) => {
      const c = client(kind);
      const web01 = asServerId(seededServerId('web-01')!);

      const byName = await c.findServersByRef(PROJECT, 'web-01');
      expect(byName).toEqual([{ id: web01, name: 'web-01', status: undefined }]);
      expect(await c.findServersByRef(PROJECT, web01)).toEqual([{ id: web01, name: 'web-01', status: 'ACTIVE' }]);
      const volumes = await c.listAllVolumes(PROJECT, { serverId: byName[0]!.id });

      expect(volumes.map((v) => v.name).sort()).toEqual(['web-01-data', 'web-01-root']);
      expect(volumes.map((v) => v.id).sort()).toEqual([one('web-01-data'), one('web-01-root')].sort());
      const list = sandbox.requests.find((r) => r.route === 'ecs.servers.list');
      expect(new URLSearchParams(list!.query).get('name')).toBe('web-01');
      const evsCalls = sandbox.requests.filter((r) => r.route === 'evs.volumes.detail');
      expect(evsCalls.map((r) => new URLSearchParams(r.query).get('server_id'))).toEqual([web01]);
      const ecsCalls = sandbox.requests.filter((r) => r.route.startsWith('ecs.'));
      expect(ecsCalls.map((r) => [r.route, r.status, r.auth])).toEqual([
        ['ecs.servers.list', 200, via],
        ['ecs.server.get', 200, via],
      ]);
    },
  );

  it.each([
    ['password', 'token'],
    ['aksk', 'aksk'],
  ] as const)('looks 70 volumes up by id in two ids listings, not 70 calls (%s)', async (kind, via) => {
    const all = sandbox.state.listVolumes(DEFAULT_PROJECT_ID).map((v) => v.id);
    const unknown = Array.from(
      { length: 70 - all.length },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const refs = [...all, ...unknown];
    expect(refs).toHaveLength(70);

    const found = await client(kind).findVolumesByRef(PROJECT, refs);

    expect(all.map((id) => found.get(id)?.map((v) => v.id))).toEqual(all.map((id) => [id]));
    expect(unknown.map((id) => found.get(id))).toEqual(unknown.map(() => []));
    const evs = sandbox.requests.filter((r) => r.route.startsWith('evs.'));
    expect(evs.map((r) => [r.route, r.status, r.auth])).toEqual([
      ['evs.volumes.detail', 200, via],
      ['evs.volumes.detail', 200, via],
    ]);
  });

  it('lists every server of the project without a name filter', async () => {
    const servers = await client('password').listServers(PROJECT);
    expect(servers.map((s) => s.name)).toEqual(expect.arrayContaining(['web-01', 'db-01', 'hana-01']));
    expect(servers.find((s) => s.name === 'db-01')!.id).toBe(seededServerId('db-01'));
    const list = sandbox.requests.find((r) => r.route === 'ecs.servers.list');
    expect(new URLSearchParams(list!.query).has('name')).toBe(false);
  });

  it('finds no server for a name that only matches loosely, nor for an unknown id', async () => {
    const c = client('password');
    expect(await c.findServersByRef(PROJECT, 'web')).toEqual([]);
    expect(await c.findServersByRef(PROJECT, 'web-0.')).toEqual([]);
    expect(await c.findServersByRef(PROJECT, '00000000-0000-4000-8000-000000000000')).toEqual([]);
  });

  it('refuses wrong credentials with OtcAuthError, without retrying', async () => {
    const c = createOtcClient({
      credentials: { kind: 'password', username: 'sandbox-user', password: 'wrong', domainName: 'sandbox-domain' },
      authUrl: `${sandbox.url}/v3`,
      endpoints: { vbs: sandbox.url, evs: sandbox.url },
      dispatcher: agent,
    });
    await expect(c.listTargets(PROJECT)).rejects.toBeInstanceOf(OtcAuthError);
    expect(sandbox.requests.filter((r) => r.route === 'iam.tokens')).toHaveLength(1);
  });
});
