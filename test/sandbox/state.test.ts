import type { Sandbox } from '../../src/sandbox';
import { DEFAULT_PROJECT_ID, seededPolicyId, seededServerId, seededVolumeIds, startSandbox } from '../../src/sandbox';
import { call, getToken } from './helpers';

const OTHER = 'fedcba9876543210fedcba9876543210';

describe('sandbox seed', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ projects: [{ id: DEFAULT_PROJECT_ID }, { id: OTHER, region: 'eu-nl' }] });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('defaults to one VBS project 0123456789abcdef0123456789abcdef named sandbox in eu-de', async () => {
    const single = await startSandbox();
    try {
      expect(single.projects).toEqual([
        { id: DEFAULT_PROJECT_ID, name: 'sandbox', region: 'eu-de', backupService: 'vbs' },
      ]);
      expect(single.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(single.credentials).toEqual({
        username: 'sandbox-user',
        password: 'sandbox-password',
        domainName: 'sandbox-domain',
        accessKey: 'SANDBOXACCESSKEY000',
        secretKey: 'sandbox-secret-key',
      });
    } finally {
      await single.stop();
    }
  });

  it('seeds the volumes demos and tests rely on', () => {
    const state = sandbox.state;
    const byName = (name: string) => state.findVolumesByName(DEFAULT_PROJECT_ID, name);

    expect(state.getVolume(DEFAULT_PROJECT_ID, '0f187b65-8d0e-4fc0-9096-3b55d330531e')).toMatchObject({
      name: 'db-data-1',
      status: 'in-use',
    });
    expect(byName('db-data-2')).toHaveLength(1);
    expect(byName('db-data-3')).toEqual([expect.objectContaining({ status: 'error' })]);
    expect(byName('scratch')).toHaveLength(2);
    expect(byName('handover-data')).toEqual([expect.objectContaining({ status: 'awaiting-transfer' })]);
    const onDb01 = state
      .listVolumes(DEFAULT_PROJECT_ID)
      .filter((v) => v.attachments.some((a) => a.serverId === seededServerId('db-01')));
    expect(onDb01.map((v) => v.name)).toEqual(['db-01-root', 'db-data-1', 'db-log-1']);
    expect(state.listVolumes(DEFAULT_PROJECT_ID).length).toBeGreaterThanOrEqual(45);
    expect(new Set(state.listVolumes(DEFAULT_PROJECT_ID).map((v) => v.availabilityZone))).toEqual(
      new Set(['eu-de-01', 'eu-de-02', 'eu-de-03']),
    );
    expect(state.volumesInPolicy(DEFAULT_PROJECT_ID, seededPolicyId('daily-7d') ?? '')).toHaveLength(2);
    expect(state.findPolicyByName(DEFAULT_PROJECT_ID, 'db-hourly')?.status).toBe('OFF');
  });

  it('is deterministic: two sandboxes hold the same ids and data', async () => {
    const again = await startSandbox({ projects: [{ id: DEFAULT_PROJECT_ID }, { id: OTHER, region: 'eu-nl' }] });
    try {
      for (const projectId of [DEFAULT_PROJECT_ID, OTHER]) {
        expect(again.state.listVolumes(projectId)).toEqual(sandbox.state.listVolumes(projectId));
        expect(again.state.listPolicies(projectId)).toEqual(sandbox.state.listPolicies(projectId));
        expect(again.state.listServers(projectId)).toEqual(sandbox.state.listServers(projectId));
      }
    } finally {
      await again.stop();
    }
  });

  it('gives a further project its own ids, the same names, and zones of its region', () => {
    const first = sandbox.state.listVolumes(DEFAULT_PROJECT_ID);
    const second = sandbox.state.listVolumes(OTHER);
    const firstIds = new Set([
      ...first.map((v) => v.id),
      ...sandbox.state.listPolicies(DEFAULT_PROJECT_ID).map((p) => p.id),
    ]);

    expect(second.map((v) => v.name)).toEqual(first.map((v) => v.name).sort());
    expect(second.some((v) => firstIds.has(v.id))).toBe(false);
    expect(sandbox.state.listPolicies(OTHER).some((p) => firstIds.has(p.id))).toBe(false);
    expect(second.every((v) => v.availabilityZone.startsWith('eu-nl-0'))).toBe(true);
    expect(
      second.every((v) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(v.id)),
    ).toBe(true);
  });

  it('seeds the servers the volumes are attached to, with derived ids in a further project', () => {
    const first = sandbox.state.listServers(DEFAULT_PROJECT_ID);
    const second = sandbox.state.listServers(OTHER);

    expect(first.map((s) => s.name).slice(0, 3)).toEqual(['web-01', 'web-02', 'web-03']);
    expect(first.find((s) => s.name === 'web-01')).toMatchObject({ id: seededServerId('web-01'), status: 'ACTIVE' });
    expect(second.map((s) => s.name)).toEqual(first.map((s) => s.name));
    expect(second.some((s) => first.some((f) => f.id === s.id))).toBe(false);
    for (const [projectId, servers] of [
      [DEFAULT_PROJECT_ID, first],
      [OTHER, second],
    ] as const) {
      const serverIds = new Set(servers.map((s) => s.id));
      const attached = sandbox.state.listVolumes(projectId).flatMap((v) => v.attachments);
      expect(attached.length).toBeGreaterThan(30);
      expect(attached.every((a) => serverIds.has(a.serverId))).toBe(true);
    }
  });

  it('refuses invalid options', async () => {
    await expect(startSandbox({ projects: [] })).rejects.toThrow(RangeError);
    await expect(startSandbox({ projects: [{ id: 'a' }, { id: 'a' }] })).rejects.toThrow('unique');
    await expect(startSandbox({ projects: [{ id: 'bad/id' }] })).rejects.toThrow('project id');
    await expect(startSandbox({ port: 70000 })).rejects.toThrow('port');
  });
});

describe('sandbox state changes are what the API serves', () => {
  let sandbox: Sandbox;
  let token: string;
  const P = DEFAULT_PROJECT_ID;
  const get = (path: string) => call(sandbox, 'GET', `/v2/${P}${path}`, { headers: { 'X-Auth-Token': token } });

  beforeEach(async () => {
    sandbox = await startSandbox({ now: () => new Date('2025-05-05T05:05:05.000Z') });
    token = await getToken(sandbox);
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  it('adds a volume, attached and in a policy, that EVS lists and VBS counts', async () => {
    const policyId = seededPolicyId('weekly-4w') ?? '';
    const volume = sandbox.state.addVolume(P, {
      id: '11111111-2222-4333-8444-555555555555',
      name: 'added-data',
      size: 42,
      volumeType: 'SSD',
      availabilityZone: 'eu-de-02',
      attachments: [{ serverId: seededServerId('web-02') ?? '', serverName: 'web-02' }],
      policyId,
    });

    expect(volume).toMatchObject({ status: 'in-use', createdAt: '2025-05-05T05:05:05.000000' });
    const listed = await get('/cloudvolumes/detail?name=added-data');
    expect(listed.body.volumes[0]).toMatchObject({ size: 42, 'os-vol-host-attr:host': 'pod01.eu-de-02#SSD' });
    expect(sandbox.state.policyOfVolume(P, volume.id)).toBe(policyId);
    const policies = await get('/backuppolicy');
    expect(policies.body.backup_policies.find((p) => p.backup_policy_id === policyId)?.policy_resource_count).toBe(3);

    expect(sandbox.state.removeVolume(P, volume.id)).toBe(true);
    expect((await get(`/volumes/${volume.id}`)).status).toBe(404);
    expect(sandbox.state.policyOfVolume(P, volume.id)).toBeUndefined();
  });

  it('adds and deletes a policy; deleting frees its volumes', async () => {
    const policy = sandbox.state.addPolicy(P, { name: 'hourly-test', frequency: 2, retentionNum: 3 });
    const [first] = seededVolumeIds('web-02-data');
    sandbox.state.bindVolume(P, first ?? '', policy.id);

    const listed = await get('/backuppolicy');
    expect(listed.body.backup_policies.at(-1)).toMatchObject({
      backup_policy_id: policy.id,
      backup_policy_name: 'hourly-test',
      scheduled_policy: { frequency: 2, rentention_num: 3, status: 'ON' },
      policy_resource_count: 1,
    });

    expect(sandbox.state.deletePolicy(P, policy.id)).toBe(true);
    expect(sandbox.state.policyOfVolume(P, first ?? '')).toBeUndefined();
    expect((await get('/backuppolicy')).body.backup_policies.map((p) => p.backup_policy_name)).not.toContain(
      'hourly-test',
    );
  });

  it('returns copies: changing a returned object does not change the sandbox', () => {
    const [volume] = sandbox.state.findVolumesByName(P, 'db-data-2');
    (volume as { status: string }).status = 'error';

    expect(sandbox.state.findVolumesByName(P, 'db-data-2')[0]?.status).toBe('in-use');
  });

  it('reset() brings back the seeded data', () => {
    sandbox.state.removeVolume(P, '0f187b65-8d0e-4fc0-9096-3b55d330531e');
    sandbox.state.reset();

    expect(sandbox.state.getVolume(P, '0f187b65-8d0e-4fc0-9096-3b55d330531e')?.name).toBe('db-data-1');
  });

  it('adds a server (any id case), refuses a duplicate id, and reset() drops it', () => {
    const id = '11111111-2222-4333-8444-555555555555';
    const added = sandbox.state.addServer(P, { id: id.toUpperCase(), name: 'web-01' });

    expect(added).toMatchObject({ id, name: 'web-01', status: 'ACTIVE' });
    expect(sandbox.state.getServer(P, id.toUpperCase())).toEqual(added);
    expect(() => sandbox.state.addServer(P, { id, name: 'again' })).toThrow(`server ${id} exists`);
    sandbox.state.reset();
    expect(sandbox.state.getServer(P, id)).toBeUndefined();
  });

  it('throws on an unknown project or volume, naming it', () => {
    expect(() => sandbox.state.listVolumes('nope')).toThrow('unknown project nope');
    expect(() => sandbox.state.setVolumeStatus(P, 'no-such-volume', 'error')).toThrow('no-such-volume');
  });
});
