import { buildClient, useMockAgent, makeVolumeIds, PROJECT } from './helpers';

// Shapes from the ECS docs' "Querying the ECS List": servers with self/bookmark links, and
// `servers_links` holding the next page's link on Nova's own host.
const ECS = 'https://ecs.eu-de.otc.t-systems.com';
const SERVERS_PATH = `/v2.1/${PROJECT.id}/servers`;
const IDS = makeVolumeIds(5);
const AKSK = { kind: 'aksk', accessKey: 'ak-test', secretKey: 'sk-test' } as const;

function listed(id: string, name: string): object {
  return {
    id,
    name,
    links: [
      { href: `http://openstack.example.com/v2/openstack/servers/${id}`, rel: 'self' },
      { href: `http://openstack.example.com/openstack/servers/${id}`, rel: 'bookmark' },
    ],
  };
}

function next(query: string): Array<{ href: string; rel: string }> {
  return [{ href: `http://openstack.example.com/v2.1/openstack/servers?${query}`, rel: 'next' }];
}

const agent = useMockAgent();

function page(query: string, body: object): void {
  agent
    .get(ECS)
    .intercept({ path: `${SERVERS_PATH}?${query}`, method: 'GET' })
    .reply(200, body);
}

describe('ECS server paging', () => {
  it('follows servers_links past a page shorter than asked (ECS caps the limit), on its own endpoint', async () => {
    page('limit=3', {
      servers: [listed(IDS[0]!, 'a'), listed(IDS[1]!, 'b')],
      servers_links: next(`limit=2&marker=${IDS[1]}`),
    });
    page(`limit=3&marker=${IDS[1]}`, { servers: [listed(IDS[2]!, 'c')] });
    const { client } = buildClient(agent, { credentials: AKSK, servers: { pageSize: 3 } });
    expect((await client.listServers(PROJECT)).map((s) => s.name)).toEqual(['a', 'b', 'c']);
  });

  it("asks at most the documented 1000 per page, and reads on by the link's marker", async () => {
    page('limit=1000', { servers: [listed(IDS[0]!, 'a')], servers_links: next(`limit=1000&marker=${IDS[0]}`) });
    page(`limit=1000&marker=${IDS[0]}`, { servers: [listed(IDS[1]!, 'b')], servers_links: [] });
    const { client } = buildClient(agent, { credentials: AKSK, servers: { pageSize: 5000 } });
    expect((await client.listServers(PROJECT)).map((s) => s.name)).toEqual(['a', 'b']);
  });

  it('follows the links of a name look-up too, and keeps the exact matches of every page', async () => {
    page('name=app&limit=1000', {
      servers: [listed(IDS[0]!, 'app'), listed(IDS[1]!, 'app-old')],
      servers_links: next(`name=app&limit=1000&marker=${IDS[1]}`),
    });
    page(`name=app&limit=1000&marker=${IDS[1]}`, { servers: [listed(IDS[2]!, 'app')] });
    const { client } = buildClient(agent, { credentials: AKSK });
    expect((await client.findServersByRef(PROJECT, 'app')).map((s) => s.id)).toEqual([IDS[0], IDS[2]]);
  });

  it('stops when a linked page brings nothing new (a cloud that ignores the marker)', async () => {
    const same = { servers: [listed(IDS[0]!, 'a')], servers_links: next(`marker=${IDS[0]}`) };
    page('limit=1000', same);
    page(`limit=1000&marker=${IDS[0]}`, same);
    const { client } = buildClient(agent, { credentials: AKSK });
    expect(await client.listServers(PROJECT)).toHaveLength(1);
  });
});
