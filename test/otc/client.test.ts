import { asPolicyId, asVolumeId } from '../../src/domain/ids';
import { createOtcClient } from '../../src/otc/client';
import { OtcHttpError, OtcResponseShapeError } from '../../src/otc/errors';
import {
  ASSOCIATE_PATH,
  buildClient,
  useMockAgent,
  EVS,
  PASSWORD,
  POLICIES_PATH,
  PROJECT,
  readFixture,
  readIamTokenBody,
  readJsonFixture,
  VBS,
} from './helpers';

const LIST_PATH = `/v2/${PROJECT.id}/cloudvolumes/detail`;
type JsonObject = Record<string, unknown>;
const docsVolume = (): JsonObject =>
  readJsonFixture<{ volumes: JsonObject[] }>('evs_cloudvolumes_detail_response.docs.json').volumes[0]!;

function volumeLike(id: string, name: string, extra: object = {}): object {
  return { ...docsVolume(), id, name, ...extra };
}

/** The ids of a `cloudvolumes/detail` path's `ids=['id1','id2']` filter, in order. */
function idsOf(path: string): string[] {
  const text = new URL(path, EVS).searchParams.get('ids') ?? '';
  return [...text.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
}

/** A listing by ids whose `limit` is the number of ids. */
function isIdsListing(path: string): boolean {
  const url = new URL(path, EVS);
  const ids = idsOf(path);
  return url.pathname === LIST_PATH && ids.length > 0 && url.searchParams.get('limit') === String(ids.length);
}

/** An answer to a listing by ids that notes the call's ids in `asked` (undici may match a path twice). */
function noting(asked: string[][], body: (ids: string[]) => object): (opts: { path: string }) => object {
  return (opts) => {
    const ids = idsOf(opts.path);
    asked.push(ids);
    return body(ids);
  };
}

const agent = useMockAgent();

/** Answers `times` listings by ids with `status` and `body(ids)`, noting each call's ids in `asked`. */
function onIdsListing(asked: string[][], status: number, body: (ids: string[]) => object, times = 1): void {
  agent.get(EVS).intercept({ path: isIdsListing, method: 'GET' }).reply(status, noting(asked, body)).times(times);
}

/** Answers one GET of a volume by id: the volume (named after its last character), or EVS's 404. */
function onVolumeGet(id: string, status: 200 | 404 = 200): void {
  agent
    .get(EVS)
    .intercept({ path: `/v2/${PROJECT.id}/volumes/${id}`, method: 'GET' })
    .reply(status, status === 200 ? { volume: volumeLike(id, id.slice(-1)) } : { itemNotFound: { code: 404 } });
}
const AKSK = { kind: 'aksk', accessKey: 'ak-test', secretKey: 'sk-test' } as const;

/** AK/SK keeps these tests to the VBS/EVS calls themselves (token handling is in auth.test.ts). */
function client(overrides: Parameters<typeof buildClient>[1] = {}) {
  return buildClient(agent, { credentials: AKSK, ...overrides });
}

describe('VBS policies', () => {
  it('lists the documented policies, reading "backup_policy_name " (trailing space) and rentention_num', async () => {
    agent
      .get(VBS)
      .intercept({ path: POLICIES_PATH, method: 'GET' })
      .reply(200, readFixture('vbs_policy_list_response.docs.json'));
    const { client: otc } = client();
    expect(await otc.listTargets(PROJECT)).toEqual([
      {
        kind: 'policy',
        id: 'XX',
        name: 'plan01',
        status: 'ON',
        startTime: '12:00',
        timeZone: undefined,
        frequencyDays: 1,
        weekDays: undefined,
        retentionCount: 10,
        retentionDays: undefined,
        resourceCount: 0,
      },
      {
        kind: 'policy',
        id: 'YY',
        name: 'plan02',
        status: 'ON',
        startTime: '14:00',
        timeZone: undefined,
        frequencyDays: 1,
        weekDays: undefined,
        retentionCount: 10,
        retentionDays: undefined,
        resourceCount: 10,
      },
    ]);
  });

  it('rejects a policy list whose entry lacks its id, naming the path', async () => {
    const body = readJsonFixture<{ backup_policies: JsonObject[] }>('vbs_policy_list_response.docs.json');
    delete body.backup_policies[1]!.backup_policy_id;
    agent.get(VBS).intercept({ path: POLICIES_PATH, method: 'GET' }).reply(200, body);
    const { client: otc } = client();
    const error = await otc.listTargets(PROJECT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtcResponseShapeError);
    expect(error).not.toBeInstanceOf(OtcHttpError);
    expect(error).toMatchObject({ issues: ['backup_policies.1.backup_policy_id: invalid_type (expected string)'] });
  });

  it('reports a malformed associate answer as a shape failure of that chunk', async () => {
    const body = readJsonFixture<{ success_resources: JsonObject[] }>('vbs_associate_response_success.docs.json');
    body.success_resources[0]!.resource_id = 42;
    agent.get(VBS).intercept({ path: ASSOCIATE_PATH, method: 'POST' }).reply(200, body);
    const { client: otc } = client();
    const volume = asVolumeId('bce8d47a-af17-4169-901f-4c7ae9f29c2c');
    const result = await otc.associate(PROJECT, asPolicyId('p-1'), [volume]);
    expect(result.added).toEqual([]);
    expect(result.failed).toEqual([
      {
        volumeId: volume,
        code: 'OTC_RESPONSE_SHAPE',
        message: expect.stringContaining('success_resources.0.resource_id: invalid_type'),
      },
    ]);
    expect(result.chunks[0]!.error).toMatchObject({ code: 'OTC_RESPONSE_SHAPE', status: 200 });
  });

  it('reaches VBS on Huawei Cloud through an endpoint override', async () => {
    agent
      .get('https://vbs.ap-southeast-1.myhuaweicloud.com')
      .intercept({ path: POLICIES_PATH, method: 'GET' })
      .reply(200, { backup_policies: [] });
    const { client: otc } = client({ endpoints: { vbs: 'https://vbs.{region}.myhuaweicloud.com/' } });
    expect(await otc.listTargets({ ...PROJECT, region: 'ap-southeast-1' })).toEqual([]);
  });

  it('asks the overridden IAM endpoint for tokens', async () => {
    agent
      .get('https://iam.example.test')
      .intercept({ path: '/identity/v3/auth/tokens', method: 'POST' })
      .reply(201, readIamTokenBody(), { headers: { 'x-subject-token': 'token-x' } });
    agent
      .get(VBS)
      .intercept({ path: POLICIES_PATH, method: 'GET', headers: { 'x-auth-token': 'token-x' } })
      .reply(200, { backup_policies: [] });
    const { client: otc } = buildClient(agent, { authUrl: 'https://iam.example.test/identity/v3' });
    expect(await otc.listTargets(PROJECT)).toEqual([]);
  });
});

describe('EVS volumes', () => {
  it('maps the documented volume list to camelCase volumes', async () => {
    agent
      .get(EVS)
      .intercept({ path: `${LIST_PATH}?status=available&limit=50`, method: 'GET' })
      .reply(200, readFixture('evs_cloudvolumes_detail_response.docs.json'));
    const { client: otc } = client();
    expect(await otc.listVolumes(PROJECT, { status: 'available' }, { limit: 50, offset: 0 })).toEqual({
      count: 1,
      volumes: [
        {
          id: 'b104b8db-170d-441b-897a-3c8ba9c5a214',
          name: 'zjb_u25_test',
          status: 'available',
          availabilityZone: 'az-dc-1',
          sizeGb: 1,
          volumeType: 'SSD',
          host: 'pod01.xxx#SSD',
          attachments: [],
        },
      ],
    });
  });

  it('gets the documented single volume, and undefined for a 404', async () => {
    const id = asVolumeId('591ac654-26d8-41be-bb77-4f90699d2d41');
    const missing = asVolumeId('00000000-0000-4000-8000-000000000000');
    agent
      .get(EVS)
      .intercept({ path: `/v2/${PROJECT.id}/volumes/${id}`, method: 'GET' })
      .reply(200, readFixture('evs_volume_get_response.docs.json'));
    agent
      .get(EVS)
      .intercept({ path: `/v2/${PROJECT.id}/volumes/${missing}`, method: 'GET' })
      .reply(404, { itemNotFound: { message: 'not found', code: 404 } });
    const { client: otc, clock } = client();
    expect(await otc.getVolume(PROJECT, id)).toEqual({
      id,
      name: 'restore_backup_0115efb3-678c-4a9e-bff6-d3cd278238b9',
      status: 'error_restoring',
      availabilityZone: 'az-dc-1',
      sizeGb: 40,
      volumeType: undefined,
      host: 'az-dc-1#SSD',
      attachments: [],
    });
    expect(await otc.getVolume(PROJECT, missing)).toBeUndefined();
    expect(clock.sleeps).toEqual([]);
  });

  it('rejects a volume body with a non-numeric size, naming the path', async () => {
    const body = readJsonFixture<{ volume: JsonObject }>('evs_volume_get_response.docs.json');
    body.volume.size = '40';
    const id = asVolumeId('591ac654-26d8-41be-bb77-4f90699d2d41');
    agent
      .get(EVS)
      .intercept({ path: `/v2/${PROJECT.id}/volumes/${id}`, method: 'GET' })
      .reply(200, body);
    const { client: otc } = client();
    await expect(otc.getVolume(PROJECT, id)).rejects.toMatchObject({
      code: 'OTC_RESPONSE_SHAPE',
      issues: ['volume.size: invalid_type (expected number)'],
    });
  });

  it('resolves refs: UUIDs in one ids listing, names by exact case-sensitive match over a loose EVS filter', async () => {
    const byId = '591ac654-26d8-41be-bb77-4f90699d2d41';
    const gone = '11111111-2222-4333-8444-555555555555';
    const asked: string[][] = [];
    onIdsListing(asked, 200, () => ({
      count: 1,
      volumes: [volumeLike(byId, 'restored', { status: 'error_restoring' })],
    }));
    agent
      .get(EVS)
      .intercept({ path: `${LIST_PATH}?name=db-data&limit=1000`, method: 'GET' })
      .reply(200, {
        count: 3,
        volumes: [
          volumeLike('00000000-0000-4000-8000-00000000000a', 'db-data'),
          volumeLike('00000000-0000-4000-8000-00000000000b', 'db-data-2'),
          volumeLike('00000000-0000-4000-8000-00000000000c', 'DB-DATA'),
        ],
      });
    agent
      .get(EVS)
      .intercept({ path: `${LIST_PATH}?name=nope&limit=1000`, method: 'GET' })
      .reply(200, { count: 0, volumes: [] });
    const { client: otc } = client();
    const found = await otc.findVolumesByRef(PROJECT, ['db-data', byId, 'nope', gone.toUpperCase(), 'db-data']);
    expect(asked).toEqual([[byId, gone]]);
    expect([...found.keys()]).toEqual(['db-data', byId, 'nope', gone.toUpperCase()]);
    expect(found.get('db-data')!.map((v) => v.id)).toEqual(['00000000-0000-4000-8000-00000000000a']);
    expect(found.get(byId)!.map((v) => v.status)).toEqual(['error_restoring']);
    expect(found.get('nope')).toEqual([]);
    expect(found.get(gone.toUpperCase())).toEqual([]);
  });

  it('asks for at most 60 ids in one listing: 61 volumes are two calls', async () => {
    const ids = Array.from({ length: 61 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const asked: string[][] = [];
    onIdsListing(
      asked,
      200,
      (wanted) => ({ count: wanted.length, volumes: wanted.map((id) => volumeLike(id, `v-${id.slice(-3)}`)) }),
      2,
    );
    const { client: otc } = client();
    const found = await otc.findVolumesByRef(PROJECT, ids);
    expect(asked.map((batch) => batch.length)).toEqual([60, 1]);
    expect(asked.flat()).toEqual(ids);
    expect(ids.map((id) => found.get(id)?.map((v) => v.id))).toEqual(ids.map((id) => [id]));
  });

  it('looks volumes up one by one where EVS ignores the ids filter, and does not send it there again', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((x) => `00000000-0000-4000-8000-00000000000${x}`) as [string, string, string];
    const other = '00000000-0000-4000-8000-0000000000ff';
    const asked: string[][] = [];
    // An older EVS lists the project's first disks whatever `ids` says: `a` among them, and one not asked for.
    onIdsListing(asked, 200, () => ({ count: 40, volumes: [volumeLike(a, 'a'), volumeLike(other, 'other')] }));
    onVolumeGet(b);
    onVolumeGet(c, 404);
    onVolumeGet(a);
    onVolumeGet(b);
    const { client: otc } = client();
    const first = await otc.findVolumesByRef(PROJECT, [a, b, c]);
    expect(asked).toEqual([[a, b, c]]);
    expect([a, b, c].map((id) => first.get(id)?.map((v) => v.name))).toEqual([['a'], ['b'], []]);
    const second = await otc.findVolumesByRef(PROJECT, [a, b]);
    expect(asked).toHaveLength(1);
    expect([a, b].map((id) => second.get(id)?.map((v) => v.id))).toEqual([[a], [b]]);
  });

  it('looks up one by one the asked volumes a listing by ids left for a next page, and keeps using the filter', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((x) => `00000000-0000-4000-8000-00000000000${x}`) as [string, string, string];
    const asked: string[][] = [];
    // Only asked-for disks, but a count of 3 for 2 listed: c was not answered for.
    onIdsListing(asked, 200, () => ({ count: 3, volumes: [volumeLike(a, 'a'), volumeLike(b, 'b')] }));
    onVolumeGet(c);
    onIdsListing(asked, 200, () => ({ count: 2, volumes: [volumeLike(a, 'a'), volumeLike(b, 'b')] }));
    const { client: otc } = client();
    const first = await otc.findVolumesByRef(PROJECT, [a, b, c]);
    expect([a, b, c].map((id) => first.get(id)?.map((v) => v.name))).toEqual([['a'], ['b'], ['c']]);
    const second = await otc.findVolumesByRef(PROJECT, [a, b]);
    expect([a, b].map((id) => second.get(id)?.map((v) => v.name))).toEqual([['a'], ['b']]);
    expect(asked).toEqual([
      [a, b, c],
      [a, b],
    ]);
  });

  it('looks volumes up one by one where EVS refuses the ids filter (400), and does not send it there again', async () => {
    const [a, b] = ['a', 'b'].map((x) => `00000000-0000-4000-8000-00000000000${x}`) as [string, string];
    const asked: string[][] = [];
    onIdsListing(asked, 400, () => readJsonFixture<object>('evs_error_badrequest.docs.json'));
    for (const id of [a, b, a, b]) onVolumeGet(id);
    const { client: otc } = client();
    for (let round = 0; round < 2; round += 1) {
      const found = await otc.findVolumesByRef(PROJECT, [a, b]);
      expect([a, b].map((id) => found.get(id)?.map((v) => v.name))).toEqual([['a'], ['b']]);
    }
    expect(asked).toEqual([[a, b]]);
  });

  it('fails the look-up when the ids listing fails otherwise, rather than guessing', async () => {
    const [a, b] = ['a', 'b'].map((x) => `00000000-0000-4000-8000-00000000000${x}`) as [string, string];
    onIdsListing([], 403, () => ({ error: { code: 'EVS.0002', message: 'not allowed' } }));
    const { client: otc } = client();
    await expect(otc.findVolumesByRef(PROJECT, [a, b])).rejects.toMatchObject({ code: 'OTC_HTTP', status: 403 });
  });

  it("throws on the API gateway's 404 (a wrong EVS endpoint), rather than saying the volume is missing", async () => {
    const id = asVolumeId('591ac654-26d8-41be-bb77-4f90699d2d41');
    agent
      .get(EVS)
      .intercept({ path: `/v2/${PROJECT.id}/volumes/${id}`, method: 'GET' })
      .reply(404, { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published.' });
    const { client: otc } = client();
    await expect(otc.getVolume(PROJECT, id)).rejects.toMatchObject({
      code: 'OTC_HTTP',
      status: 404,
      otcCode: 'APIGW.0101',
    });
  });
});

describe('createOtcClient options', () => {
  const base = { credentials: AKSK };

  it('refuses an endpoint template that is not http(s), naming the option', () => {
    expect(() =>
      createOtcClient({ ...base, dispatcher: agent, endpoints: { vbs: 'ftp://vbs.{region}.example' } }),
    ).toThrow('endpoint vbs: must be an http(s) URL');
    expect(() => createOtcClient({ ...base, dispatcher: agent, endpoints: { evs: 'evs.{region}' } })).toThrow(
      'endpoint evs: not a valid URL',
    );
    expect(() => createOtcClient({ ...base, dispatcher: agent, authUrl: 'https://iam.{zone}.example/v3' })).toThrow(
      'unknown placeholder',
    );
  });

  it('refuses empty credentials and nonsense chunking, without echoing values', () => {
    const withPassword = (password: string) => () =>
      createOtcClient({
        dispatcher: agent,
        credentials: { kind: 'password', username: 'u', password, domainName: 'd' },
      });
    expect(withPassword(' ')).toThrow('credentials.password must be a non-empty string');
    expect(withPassword(PASSWORD)).not.toThrow();
    expect(() => createOtcClient({ ...base, dispatcher: agent, associate: { chunkSize: 0 } })).toThrow(
      'associate.chunkSize',
    );
    expect(() => createOtcClient({ ...base, dispatcher: agent, retry: { maxAttempts: 0 } })).toThrow(
      'retry.maxAttempts',
    );
  });

  it('refuses a region that is not a plain name when a call is made', async () => {
    const { client: otc } = client();
    await expect(otc.listTargets({ ...PROJECT, region: 'eu-de.evil.example/x' })).rejects.toThrow(RangeError);
  });
});
