import type { Sandbox } from '../../src/sandbox';
import { deriveUuid, seededServerId, seededVolumeIds, startSandbox } from '../../src/sandbox';
import { PROJECT, call, getToken, signedHeaders } from './helpers';

const OTHER = 'fedcba9876543210fedcba9876543210';
const WEB_01 = seededServerId('web-01')!;
const SEEDED_SERVERS = 18;

describe('sandbox ECS servers', () => {
  let sandbox: Sandbox;
  let token: string;
  const get = (path: string, projectId = PROJECT, auth = token) =>
    call(sandbox, 'GET', `/v2.1/${projectId}${path}`, { headers: { 'X-Auth-Token': auth } });
  const names = (path: string) => get(path).then((r) => r.body.servers.map((s) => s.name));

  beforeAll(async () => {
    sandbox = await startSandbox({ projects: [{ id: PROJECT }, { id: OTHER, name: 'other' }] });
    token = await getToken(sandbox);
  });
  afterAll(async () => {
    await sandbox.stop();
  });
  afterEach(() => {
    sandbox.faults.clear();
    sandbox.state.reset();
  });

  it('lists every seeded server in creation order, each with id, name and links only', async () => {
    const response = await get('/servers');

    expect(response.status).toBe(200);
    expect(response.body.servers).toHaveLength(SEEDED_SERVERS);
    expect(response.body.servers[0]).toEqual({
      id: WEB_01,
      name: 'web-01',
      links: [
        { href: `${sandbox.url}/v2.1/${PROJECT}/servers/${WEB_01}`, rel: 'self' },
        { href: `${sandbox.url}/${PROJECT}/servers/${WEB_01}`, rel: 'bookmark' },
      ],
    });
    expect(response.body.servers.at(-1)!.name).toBe('hana-01');
    expect(response.body.servers_links).toBeUndefined();
  });

  it('treats name as a regular expression that matches anywhere unless anchored, case-sensitively', async () => {
    expect(await names('/servers?name=web')).toEqual(['web-01', 'web-02', 'web-03']);
    expect(await names('/servers?name=01')).toEqual([
      'web-01',
      'app-01',
      'db-01',
      'bastion-01',
      'monitoring-01',
      'jenkins-01',
      'ftp-01',
      'win-ad-01',
      'hana-01',
    ]);
    expect(await names(`/servers?name=${encodeURIComponent('^k8s-node-[12]$')}`)).toEqual(['k8s-node-1', 'k8s-node-2']);
    expect(await names(`/servers?name=${encodeURIComponent('^web\\-01$')}`)).toEqual(['web-01']);
    expect(await names('/servers?name=WEB')).toEqual([]);
  });

  it('answers an invalid regular expression with 400 badRequest', async () => {
    const response = await get(`/servers?name=${encodeURIComponent('web-(01')}`);

    expect(response.status).toBe(400);
    expect(response.body.badRequest).toEqual({ code: 400, message: expect.stringContaining('web-(01') });
  });

  it('pages with limit and marker, linking the next page while a page is full', async () => {
    const first = await get('/servers?name=k8s&limit=2');
    expect(first.body.servers.map((s) => s.name)).toEqual(['k8s-node-1', 'k8s-node-2']);
    const next = new URL(first.body.servers_links[0]!.href);
    expect(next.pathname).toBe(`/v2.1/${PROJECT}/servers`);
    expect(Object.fromEntries(next.searchParams)).toEqual({
      name: 'k8s',
      limit: '2',
      marker: seededServerId('k8s-node-2'),
    });

    const second = await get(`/servers${next.search}`);
    expect(second.body.servers.map((s) => s.name)).toEqual(['k8s-node-3', 'k8s-node-4']);
    const third = await get(`/servers?name=k8s&limit=2&marker=${second.body.servers[1]!.id}`);
    expect(third.body.servers.map((s) => s.name)).toEqual(['k8s-node-5']);
    expect(third.body.servers_links).toBeUndefined();
  });

  it('refuses a marker it does not know and a limit that is not a number, and caps limit at 1000', async () => {
    const marker = await get('/servers?marker=00000000-0000-4000-8000-000000000000');
    const limit = await get('/servers?limit=ten');
    const huge = await get('/servers?limit=5000');

    expect(marker.status).toBe(400);
    expect(marker.body.badRequest.message).toBe('marker [00000000-0000-4000-8000-000000000000] not found');
    expect(limit.status).toBe(400);
    expect(huge.status).toBe(200);
    expect(huge.body.servers).toHaveLength(SEEDED_SERVERS);
  });

  it('gets one server by id (any case) with its status and attached volumes', async () => {
    const response = await get(`/servers/${WEB_01.toUpperCase()}`);

    expect(response.status).toBe(200);
    expect(response.body.server).toMatchObject({ id: WEB_01, name: 'web-01', status: 'ACTIVE', tenant_id: PROJECT });
    const attached = response.body.server['os-extended-volumes:volumes_attached'] as Array<{ id: string }>;
    expect(attached.map((v) => v.id).sort()).toEqual(
      [...seededVolumeIds('web-01-root'), ...seededVolumeIds('web-01-data')].sort(),
    );
  });

  it("answers an unknown server id with Nova's 404 itemNotFound", async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const response = await get(`/servers/${id}`);

    expect(response.status).toBe(404);
    expect(response.body.itemNotFound).toEqual({ code: 404, message: `Instance ${id} could not be found.` });
  });

  it('does not serve servers/detail (the detailed list) as if "detail" were a server id', async () => {
    const response = await get('/servers/detail');

    expect(response.status).toBe(404);
    expect(response.body.error_code).toBe('APIGW.0101');
  });

  it('gives a second project the same names under derived ids', async () => {
    const otherToken = await getToken(sandbox, OTHER);
    const response = await get(`/servers?name=${encodeURIComponent('^web-01$')}`, OTHER, otherToken);

    expect(response.body.servers.map((s) => s.id)).toEqual([deriveUuid(OTHER, 'server/web-01')]);
    expect(response.body.servers[0]!.id).not.toBe(WEB_01);
  });

  it('shows a server added to the state, and names its attachments after it', async () => {
    const server = sandbox.state.addServer(PROJECT, { name: 'web-01', status: 'SHUTOFF' });
    const volume = sandbox.state.addVolume(PROJECT, { name: 'extra', attachments: [{ serverId: server.id }] });

    expect(await names(`/servers?name=${encodeURIComponent('^web\\-01$')}`)).toEqual(['web-01', 'web-01']);
    const response = await get(`/servers/${server.id}`);
    expect(response.body.server).toMatchObject({
      status: 'SHUTOFF',
      'os-extended-volumes:volumes_attached': [{ id: volume.id }],
    });
    expect(volume.attachments[0]!.serverName).toBe('web-01');
  });

  it('accepts an AK/SK signature over a query with regex characters and records the route', async () => {
    const query: Array<[string, string]> = [['name', '^web\\-0[1-2]$']];
    const path = `/v2.1/${PROJECT}/servers`;
    const headers = signedHeaders(sandbox, { method: 'GET', path, query });
    const response = await call(sandbox, 'GET', `${path}?name=${encodeURIComponent(query[0]![1])}`, { headers });

    expect(response.status).toBe(200);
    expect(response.body.servers.map((s) => s.name)).toEqual(['web-01', 'web-02']);
    expect(sandbox.requests.at(-1)).toMatchObject({ route: 'ecs.servers.list', auth: 'aksk', projectId: PROJECT });
  });

  it('refuses a request without a token or signature with the gateway 401', async () => {
    const response = await call(sandbox, 'GET', `/v2.1/${PROJECT}/servers/${WEB_01}`);

    expect(response.status).toBe(401);
    expect(response.body.error_code).toBe('APIGW.0301');
    expect(sandbox.requests.at(-1)).toMatchObject({ route: 'ecs.server.get', status: 401, auth: 'none' });
  });

  it("answers injected faults on ECS routes in Nova's shapes", async () => {
    sandbox.faults.inject('ecs.servers.list', { status: 403 });
    sandbox.faults.inject('ecs.server.get', { status: 500 });
    const list = await get('/servers?name=web');
    const one = await get(`/servers/${WEB_01}`);

    expect(list.status).toBe(403);
    expect(list.body).toEqual({
      forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:servers:index to be performed." },
    });
    expect(one.status).toBe(500);
    expect(one.body).toMatchObject({ computeFault: { code: 500 } });
    expect((await get(`/servers/${WEB_01}`)).status).toBe(200);
  });
});
