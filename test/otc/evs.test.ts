import { asServerId } from '../../src/domain/ids';
import { buildClient, useMockAgent, EVS, makeVolumeIds, PROJECT, readFixture, readJsonFixture } from './helpers';

// Pages are built from the documented `cloudvolumes/detail` answer, links and all.
const LIST_PATH = `/v2/${PROJECT.id}/cloudvolumes/detail`;
type JsonObject = Record<string, unknown>;
const DOCS = readJsonFixture<{ volumes: JsonObject[]; volumes_links: Array<{ href: string; rel: string }> }>(
  'evs_cloudvolumes_detail_response.docs.json',
);
const IDS = makeVolumeIds(5);

function volumeLike(id: string, extra: object = {}): object {
  return { ...DOCS.volumes[0], id, name: `disk-${id.slice(-2)}`, ...extra };
}

/** A `next` link as the docs show it: EVS's internal host and the Cinder path, with the marker. */
function nextLink(marker: string): Array<{ href: string; rel: string }> {
  return [{ rel: 'next', href: (DOCS.volumes_links[0]?.href ?? '').replace(/marker=[^&]+/, `marker=${marker}`) }];
}

const agent = useMockAgent();
const AKSK = { kind: 'aksk', accessKey: 'ak-test', secretKey: 'sk-test' } as const;
const client = (pageSize?: number) =>
  buildClient(agent, { credentials: AKSK, ...(pageSize === undefined ? {} : { volumes: { pageSize } }) }).client;

function page(query: string, body: object | string): void {
  agent
    .get(EVS)
    .intercept({ path: `${LIST_PATH}?${query}`, method: 'GET' })
    .reply(200, body);
}

describe('EVS listAllVolumes paging', () => {
  it('reads the documented answer in one call: its count (1) says no page is left, whatever its link says', async () => {
    page('limit=1000', readFixture('evs_cloudvolumes_detail_response.docs.json'));
    expect((await client().listAllVolumes(PROJECT, {})).map((v) => v.name)).toEqual(['zjb_u25_test']);
  });

  it("follows volumes_links by marker, asking the configured endpoint (not the link's internal host)", async () => {
    page('limit=2', {
      count: 5,
      volumes: [volumeLike(IDS[0]!), volumeLike(IDS[1]!)],
      volumes_links: nextLink(IDS[1]!),
    });
    page(`limit=2&marker=${IDS[1]}`, {
      count: 5,
      volumes: [volumeLike(IDS[2]!), volumeLike(IDS[3]!)],
      volumes_links: nextLink(IDS[3]!),
    });
    page(`limit=2&marker=${IDS[3]}`, { count: 5, volumes: [volumeLike(IDS[4]!)] });
    expect((await client(2).listAllVolumes(PROJECT, {})).map((v) => v.id)).toEqual(IDS);
  });

  it('never sends an offset equal to the count when the count is a multiple of the page size', async () => {
    page('limit=2', { count: 4, volumes: [volumeLike(IDS[0]!), volumeLike(IDS[1]!)] });
    page('limit=2&offset=2', { count: 4, volumes: [volumeLike(IDS[2]!), volumeLike(IDS[3]!)] });
    expect(await client(2).listAllVolumes(PROJECT, {})).toHaveLength(4);
  });

  it('reads on past a short page while the count says more are left (EVS caps the limit)', async () => {
    page('limit=3', { count: 4, volumes: [volumeLike(IDS[0]!), volumeLike(IDS[1]!)] });
    page('limit=3&offset=2', { count: 4, volumes: [volumeLike(IDS[2]!), volumeLike(IDS[3]!)] });
    expect(await client(3).listAllVolumes(PROJECT, {})).toHaveLength(4);
  });

  it('stops at a short page when EVS gives no count, and sends no offset on the first page', async () => {
    page('limit=2', { volumes: [volumeLike(IDS[0]!), volumeLike(IDS[1]!)] });
    page('limit=2&offset=2', { volumes: [volumeLike(IDS[2]!)] });
    expect(await client(2).listAllVolumes(PROJECT, {})).toHaveLength(3);
  });

  it("asks at most EVS's documented maximum of 1000 per page", async () => {
    page('limit=1000', { count: 1, volumes: [volumeLike(IDS[0]!)] });
    expect(await client(5000).listAllVolumes(PROJECT, {})).toHaveLength(1);
  });
});

describe('EVS server_id filter', () => {
  const server = asServerId('aaaaaaaa-0000-4000-8000-000000000001');
  const attached = { attachments: [{ server_id: server, device: '/dev/vdb', id: 'x', volume_id: 'x' }] };

  it("lists a server's volumes with EVS's own server_id filter, not by reading every disk", async () => {
    page(`server_id=${server}&limit=1000`, {
      count: 2,
      volumes: [volumeLike(IDS[0]!, attached), volumeLike(IDS[3]!, attached)],
    });
    const found = await client().listAllVolumes(PROJECT, { serverId: server });
    expect(found.map((v) => [v.id, v.attachments])).toEqual([
      [IDS[0], [{ serverId: server, device: '/dev/vdb' }]],
      [IDS[3], [{ serverId: server, device: '/dev/vdb' }]],
    ]);
  });

  it("keeps EVS's count on one filtered page", async () => {
    page(`server_id=${server}&limit=1&offset=1`, { count: 2, volumes: [volumeLike(IDS[3]!, attached)] });
    const result = await client().listVolumes(PROJECT, { serverId: server }, { limit: 1, offset: 1 });
    expect(result.count).toBe(2);
  });
});
