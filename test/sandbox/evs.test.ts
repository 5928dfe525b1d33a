import type { Sandbox } from '../../src/sandbox';
import { seededServerId, seededVolumeIds, startSandbox } from '../../src/sandbox';
import { PROJECT, call, getToken } from './helpers';

const DB_DATA_1 = '0f187b65-8d0e-4fc0-9096-3b55d330531e';

describe('sandbox EVS', () => {
  let sandbox: Sandbox;
  let token: string;
  const get = (path: string) => call(sandbox, 'GET', `/v2/${PROJECT}${path}`, { headers: { 'X-Auth-Token': token } });

  beforeAll(async () => {
    sandbox = await startSandbox();
    token = await getToken(sandbox);
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('lists every volume (default limit 1000) ordered by name, then id, with count', async () => {
    const response = await get('/cloudvolumes/detail');

    expect(response.status).toBe(200);
    const volumes = response.body.volumes;
    expect(response.body.count).toBe(volumes.length);
    expect(volumes.length).toBeGreaterThanOrEqual(45);
    const keys = volumes.map((v) => `${v.name} ${v.id}`);
    expect(keys).toEqual([...keys].sort());
    expect(response.body.volumes_links).toBeUndefined();
  });

  it('renders a volume with the fields EVS sends (attachments, host, size, type, ...)', async () => {
    const response = await get('/cloudvolumes/detail?name=db-data-1');

    expect(response.body.count).toBe(1);
    const volume = response.body.volumes[0]!;
    expect(volume).toMatchObject({
      id: DB_DATA_1,
      name: 'db-data-1',
      status: 'in-use',
      availability_zone: 'eu-de-01',
      'os-vol-host-attr:host': 'pod01.eu-de-01#SSD',
      size: 500,
      volume_type: 'SSD',
      bootable: 'false',
      multiattach: false,
      'os-vol-tenant-attr:tenant_id': PROJECT,
      metadata: { attached_mode: 'rw', readonly: 'False' },
    });
    expect(volume.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(volume.attachments).toEqual([
      {
        server_id: seededServerId('db-01'),
        attachment_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        attached_at: expect.stringMatching(/^\d{4}-/),
        host_name: null,
        volume_id: DB_DATA_1,
        device: '/dev/vdb',
        id: DB_DATA_1,
      },
    ]);
    expect(volume.links[0]).toEqual({ href: `${sandbox.url}/v2/${PROJECT}/volumes/${DB_DATA_1}`, rel: 'self' });
  });

  it('filters by exact name: "scratch" matches two volumes, "scratc" none', async () => {
    const two = await get('/cloudvolumes/detail?name=scratch');
    const none = await get('/cloudvolumes/detail?name=scratc');

    expect(two.body.count).toBe(2);
    expect(two.body.volumes.map((v) => v.id)).toEqual([...seededVolumeIds('scratch')].sort());
    expect(none.body).toMatchObject({ count: 0, volumes: [] });
  });

  it('filters by status and availability zone, combined', async () => {
    const errors = await get('/cloudvolumes/detail?status=error');
    const zone3 = await get('/cloudvolumes/detail?availability_zone=eu-de-03');
    const both = await get('/cloudvolumes/detail?availability_zone=eu-de-03&status=available');

    expect(errors.body.volumes.map((v) => v.name)).toEqual(['db-data-3']);
    expect(zone3.body.volumes.every((v) => v.availability_zone === 'eu-de-03')).toBe(true);
    expect(both.body.volumes.every((v) => v.availability_zone === 'eu-de-03' && v.status === 'available')).toBe(true);
    expect(both.body.count).toBeLessThan(zone3.body.count);
    expect(both.body.count).toBeGreaterThan(0);
  });

  it('filters by server_id: the volumes attached to one server', async () => {
    const response = await get(`/cloudvolumes/detail?server_id=${seededServerId('db-01')}`);

    expect(response.body.volumes.map((v) => v.name)).toEqual(['db-01-root', 'db-data-1', 'db-log-1']);
  });

  it('pages with limit and offset: count stays the total, pages do not overlap, a next link is given', async () => {
    const all = (await get('/cloudvolumes/detail')).body.volumes.map((v) => v.id);
    const first = await get('/cloudvolumes/detail?limit=20&offset=0');
    const second = await get('/cloudvolumes/detail?limit=20&offset=20');
    const last = await get(`/cloudvolumes/detail?limit=20&offset=40`);

    expect(first.body.count).toBe(all.length);
    expect(second.body.count).toBe(all.length);
    expect([...first.body.volumes, ...second.body.volumes, ...last.body.volumes].map((v) => v.id)).toEqual(all);
    expect(first.body.volumes_links[0]!.rel).toBe('next');
    expect(last.body.volumes_links).toBeUndefined();

    const next = await call(sandbox, 'GET', first.body.volumes_links[0]!.href.slice(sandbox.url.length), {
      headers: { 'X-Auth-Token': token },
    });
    expect(next.body.volumes.map((v) => v.id)).toEqual(second.body.volumes.map((v) => v.id));
  });

  it('refuses an offset at or past the count with 400, as the EVS docs say; offset 0 is the start even of nothing', async () => {
    const available = (await get('/cloudvolumes/detail?status=available')).body.count;
    const atCount = await get(`/cloudvolumes/detail?offset=${available}&status=available`);
    const past = await get('/cloudvolumes/detail?offset=5000&status=available');
    const lastOne = await get(`/cloudvolumes/detail?offset=${available - 1}&status=available`);
    const zeroOfNone = await get('/cloudvolumes/detail?offset=0&name=no-such-disk');

    expect([atCount.status, past.status]).toEqual([400, 400]);
    expect(atCount.body.badrequest.message).toBe(
      `Invalid input received: offset ${available} must be less than the number of disks.`,
    );
    expect(lastOne.body.volumes).toHaveLength(1);
    expect(zeroOfNone.body).toMatchObject({ count: 0, volumes: [] });
  });

  it.each(['limit=-1', 'limit=abc', 'limit=1.5', 'offset=-3', 'offset=x', 'limit=1001', 'marker=nope'])(
    'answers %s with 400 badrequest',
    async (query) => {
      const response = await get(`/cloudvolumes/detail?${query}`);

      expect(response.status).toBe(400);
      expect(response.body).toEqual({ badrequest: { code: 400, message: expect.any(String) } });
    },
  );

  it("filters by ids=['id1',...]: only those disks, case-insensitive, unknown ids left out", async () => {
    const wanted = [
      DB_DATA_1.toUpperCase(),
      seededVolumeIds('spare-ssd-1')[0]!,
      '0f187b65-8d0e-4fc0-9096-3b55d330531d',
    ];
    const response = await get(`/cloudvolumes/detail?ids=${encodeURIComponent(`['${wanted.join("','")}']`)}`);

    expect(response.status).toBe(200);
    expect(response.body.count).toBe(2);
    expect(response.body.volumes.map((v) => v.name).sort()).toEqual(['db-data-1', 'spare-ssd-1']);
  });

  it.each([
    ['not in the documented form', encodeURIComponent(DB_DATA_1)],
    ['more than 60 ids', encodeURIComponent(`[${Array.from({ length: 61 }, () => `'${DB_DATA_1}'`).join(',')}]`)],
  ])('answers an ids filter %s with 400 badrequest', async (_what, value) => {
    const response = await get(`/cloudvolumes/detail?ids=${value}`);

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ badrequest: { code: 400, message: expect.stringContaining('ids') } });
  });

  it('gets a single volume by id', async () => {
    const response = await get(`/volumes/${DB_DATA_1}`);

    expect(response.status).toBe(200);
    expect(response.body.volume).toMatchObject({ id: DB_DATA_1, name: 'db-data-1', status: 'in-use' });
  });

  it('answers an unknown volume id with 404 itemNotFound', async () => {
    const id = '0f187b65-8d0e-4fc0-9096-3b55d330531d';
    const response = await get(`/volumes/${id}`);

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ itemNotFound: { code: 404, message: `Volume ${id} could not be found.` } });
  });

  it('shows status changes made through state at once', async () => {
    const id = seededVolumeIds('spare-ssd-1')[0] ?? '';
    sandbox.state.setVolumeStatus(PROJECT, id, 'error_restoring');
    try {
      expect((await get(`/volumes/${id}`)).body.volume.status).toBe('error_restoring');
    } finally {
      sandbox.state.setVolumeStatus(PROJECT, id, 'available');
    }
  });
});
