import { createOtcClient } from '../../src/otc/client';
import { nameFilterFor } from '../../src/otc/ecs';
import { OtcHttpError, OtcResponseShapeError } from '../../src/otc/errors';
import { buildClient, useMockAgent, headerOf, mockTokenIssue, PROJECT, TOKEN } from './helpers';

const ECS = 'https://ecs.eu-de.otc.t-systems.com';
const SERVERS_PATH = `/v2.1/${PROJECT.id}/servers`;
const WEB_01 = 'dde53f64-b9a5-4b5f-b3c1-8c1b55270a2c';
const AKSK = { kind: 'aksk', accessKey: 'ak-test', secretKey: 'sk-test' } as const;

/** The query as the client encodes it (the AK/SK signer's encoding). */
const nameQuery = (name: string, extra = ''): string => `?name=${encodeURIComponent(name)}&limit=1000${extra}`;

function listed(id: string, name: string): object {
  return { id, name, links: [{ href: `${ECS}/v2.1/${PROJECT.id}/servers/${id}`, rel: 'self' }] };
}

const agent = useMockAgent();

function client(overrides: Parameters<typeof buildClient>[1] = {}) {
  return buildClient(agent, { credentials: AKSK, ...overrides });
}

describe('nameFilterFor', () => {
  it('sends a plain name as it is', () => {
    expect(nameFilterFor('web-01')).toBe('web-01');
    expect(nameFilterFor('db data 2')).toBe('db data 2');
  });

  it('sends the longest run free of regular-expression metacharacters, or nothing when none is left', () => {
    expect(nameFilterFor('db.(1)+')).toBe('db');
    expect(nameFilterFor('a.b*long-part?(d)')).toBe('long-part');
    expect(nameFilterFor('()[]')).toBeUndefined();
    expect(nameFilterFor(' . ')).toBeUndefined();
  });
});

describe('ECS findServersByRef', () => {
  it('looks a name up with the plain name (ECS matches it loosely) and keeps only exact, case-sensitive matches', async () => {
    agent
      .get(ECS)
      .intercept({ path: `${SERVERS_PATH}${nameQuery('web-01')}`, method: 'GET' })
      .reply(200, {
        servers: [
          listed(WEB_01, 'web-01'),
          listed('2e432cd4-4edb-4a59-89e3-2949b3995201', 'WEB-01'),
          listed('8a1e6f91-0951-4549-a823-213cb38eb51c', 'web-01-old'),
        ],
      });
    const { client: otc } = client();
    expect(await otc.findServersByRef(PROJECT, 'web-01')).toEqual([{ id: WEB_01, name: 'web-01', status: undefined }]);
  });

  it('narrows a name with regex metacharacters by its longest plain run, then matches it exactly', async () => {
    agent
      .get(ECS)
      .intercept({ path: `${SERVERS_PATH}?name=db&limit=1000`, method: 'GET' })
      .reply(200, { servers: [listed(WEB_01, 'db.(1)+'), listed('8a1e6f91-0951-4549-a823-213cb38eb51c', 'db-1')] });
    const { client: otc } = client();
    expect((await otc.findServersByRef(PROJECT, 'db.(1)+')).map((s) => s.name)).toEqual(['db.(1)+']);
  });

  it('lists every server when a name has no plain run to filter by', async () => {
    agent
      .get(ECS)
      .intercept({ path: `${SERVERS_PATH}?limit=1000`, method: 'GET' })
      .reply(200, { servers: [listed(WEB_01, '()'), listed('8a1e6f91-0951-4549-a823-213cb38eb51c', 'web-01')] });
    const { client: otc } = client();
    expect((await otc.findServersByRef(PROJECT, '()')).map((s) => s.id)).toEqual([WEB_01]);
  });

  it('returns every server of a shared name, and [] when the name matches none exactly', async () => {
    const other = '5fbd48da-8157-4056-9496-0b4de48e224b';
    agent
      .get(ECS)
      .intercept({ path: `${SERVERS_PATH}${nameQuery('app')}`, method: 'GET' })
      .reply(200, { servers: [listed(WEB_01, 'app'), listed(other, 'app')] });
    agent
      .get(ECS)
      .intercept({ path: `${SERVERS_PATH}${nameQuery('nope')}`, method: 'GET' })
      .reply(200, { servers: [] });
    const { client: otc } = client();
    expect((await otc.findServersByRef(PROJECT, 'app')).map((s) => s.id)).toEqual([WEB_01, other]);
    expect(await otc.findServersByRef(PROJECT, 'nope')).toEqual([]);
  });

  it('without links, pages with limit and the last id as marker while pages come back full, then stops at a short page', async () => {
    const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
    const more = ['00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000004'];
    const last = '00000000-0000-4000-8000-000000000005';
    const base = `${SERVERS_PATH}?name=k8s&limit=2`;
    agent
      .get(ECS)
      .intercept({ path: base, method: 'GET' })
      .reply(200, { servers: ids.map((id) => listed(id, 'k8s')) });
    agent
      .get(ECS)
      .intercept({ path: `${base}&marker=${ids[1]}`, method: 'GET' })
      .reply(200, { servers: [listed(more[0]!, 'k8s'), listed(more[1]!, 'K8S')] });
    agent
      .get(ECS)
      .intercept({ path: `${base}&marker=${more[1]}`, method: 'GET' })
      .reply(200, { servers: [listed(last, 'k8s')] });
    const { client: otc } = client({ servers: { pageSize: 2 } });
    expect((await otc.findServersByRef(PROJECT, 'k8s')).map((s) => s.id)).toEqual([...ids, more[0], last]);
  });

  it('looks a UUID up by id (lower-cased), with its status', async () => {
    agent
      .get(ECS)
      .intercept({ path: `${SERVERS_PATH}/${WEB_01}`, method: 'GET' })
      .reply(200, {
        server: { id: WEB_01, name: 'web-01', status: 'SHUTOFF', links: [], flavor: { id: 's3.large.2' } },
      });
    const { client: otc } = client();
    expect(await otc.findServersByRef(PROJECT, WEB_01.toUpperCase())).toEqual([
      { id: WEB_01, name: 'web-01', status: 'SHUTOFF' },
    ]);
  });

  it("answers [] for a UUID ECS does not know (Nova's itemNotFound), without retrying", async () => {
    agent
      .get(ECS)
      .intercept({ path: `${SERVERS_PATH}/${WEB_01}`, method: 'GET' })
      .reply(404, { itemNotFound: { code: 404, message: `Instance ${WEB_01} could not be found.` } });
    const { client: otc, clock } = client();
    expect(await otc.findServersByRef(PROJECT, WEB_01)).toEqual([]);
    expect(clock.sleeps).toEqual([]);
  });

  it("throws on the API gateway's 404 (a wrong ECS endpoint), rather than saying the server is missing", async () => {
    agent
      .get(ECS)
      .intercept({ path: `${SERVERS_PATH}/${WEB_01}`, method: 'GET' })
      .reply(404, { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published.' });
    const { client: otc } = client();
    await expect(otc.findServersByRef(PROJECT, WEB_01)).rejects.toMatchObject({
      code: 'OTC_HTTP',
      status: 404,
      otcCode: 'APIGW.0101',
    });
  });

  it('rejects a server list entry without an id as OtcResponseShapeError, naming the path', async () => {
    agent
      .get(ECS)
      .intercept({ path: `${SERVERS_PATH}${nameQuery('web-01')}`, method: 'GET' })
      .reply(200, { servers: [{ name: 'web-01', links: [] }] });
    const { client: otc } = client();
    const error = await otc.findServersByRef(PROJECT, 'web-01').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtcResponseShapeError);
    expect(error).toMatchObject({ status: 200, issues: ['servers.0.id: invalid_type (expected string)'] });
  });

  it('rejects a single-server body without `server` as OtcResponseShapeError', async () => {
    agent
      .get(ECS)
      .intercept({ path: `${SERVERS_PATH}/${WEB_01}`, method: 'GET' })
      .reply(200, { id: WEB_01, name: 'web-01' });
    const { client: otc } = client();
    await expect(otc.findServersByRef(PROJECT, WEB_01)).rejects.toMatchObject({
      code: 'OTC_RESPONSE_SHAPE',
      issues: ['server: invalid_type (expected object)'],
    });
  });

  it('retries a 503 with the shared retry policy, then answers', async () => {
    const path = `${SERVERS_PATH}${nameQuery('web-01')}`;
    agent
      .get(ECS)
      .intercept({ path, method: 'GET' })
      .reply(503, { computeFault: { code: 503, message: 'busy' } });
    agent
      .get(ECS)
      .intercept({ path, method: 'GET' })
      .reply(200, { servers: [listed(WEB_01, 'web-01')] });
    const { client: otc, clock } = client();
    expect(await otc.findServersByRef(PROJECT, 'web-01')).toHaveLength(1);
    expect(clock.sleeps).toHaveLength(1);
  });

  it('gives up on a 403 (no ECS read permission) at once, with OtcHttpError', async () => {
    agent
      .get(ECS)
      .intercept({ path: `${SERVERS_PATH}${nameQuery('web-01')}`, method: 'GET' })
      .reply(403, { forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:servers:index." } });
    const { client: otc, clock } = client();
    const error = await otc.findServersByRef(PROJECT, 'web-01').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtcHttpError);
    expect(error).toMatchObject({ status: 403, otcCode: '403' });
    expect(clock.sleeps).toEqual([]);
  });

  it('sends the IAM token like every other call', async () => {
    mockTokenIssue(agent);
    agent
      .get(ECS)
      .intercept({ path: `${SERVERS_PATH}/${WEB_01}`, method: 'GET' })
      .reply((opts) => ({
        statusCode: 200,
        data: { server: { id: WEB_01, name: headerOf(opts, 'x-auth-token') === TOKEN ? 'web-01' : 'no-token' } },
      }));
    const { client: otc } = buildClient(agent);
    expect((await otc.findServersByRef(PROJECT, WEB_01)).map((s) => s.name)).toEqual(['web-01']);
  });

  it('makes no call for a blank ref', async () => {
    const { client: otc } = client();
    expect(await otc.findServersByRef(PROJECT, '  ')).toEqual([]);
  });

  it('reaches ECS on Huawei Cloud through the ecs endpoint override', async () => {
    agent
      .get('https://ecs.ap-southeast-1.myhuaweicloud.com')
      .intercept({ path: `${SERVERS_PATH}${nameQuery('web-01')}`, method: 'GET' })
      .reply(200, { servers: [] });
    const { client: otc } = client({ endpoints: { ecs: 'https://ecs.{region}.myhuaweicloud.com' } });
    expect(await otc.findServersByRef({ ...PROJECT, region: 'ap-southeast-1' }, 'web-01')).toEqual([]);
  });

  it('refuses a bad ecs endpoint and a bad page size when the client is built', () => {
    expect(() => createOtcClient({ credentials: AKSK, dispatcher: agent, endpoints: { ecs: 'ftp://x' } })).toThrow(
      'endpoint ecs: must be an http(s) URL',
    );
    expect(() => createOtcClient({ credentials: AKSK, dispatcher: agent, servers: { pageSize: 0 } })).toThrow(
      'servers.pageSize must be a positive integer',
    );
  });
});
