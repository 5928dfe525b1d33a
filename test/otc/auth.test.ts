import { OtcAuthError, OtcHttpError, OtcResponseShapeError } from '../../src/otc/errors';
import { signRequest } from '../../src/otc/signer';
import {
  ACCESS_KEY,
  bodyOf,
  buildClient,
  useMockAgent,
  EVS,
  headerOf,
  IAM,
  mockTokenIssue,
  PASSWORD,
  POLICIES_PATH,
  PROJECT,
  readFixture,
  readIamTokenBody,
  readJsonFixture,
  SECRET_KEY,
  TOKEN,
  TOKEN_PATH,
  VBS,
} from './helpers';

const agent = useMockAgent();

/** Replies to one policy-list call and records the token it carried. */
function mockPolicies(seen: Array<string | undefined>, status = 200): void {
  agent
    .get(VBS)
    .intercept({ path: POLICIES_PATH, method: 'GET' })
    .reply((opts) => {
      seen.push(headerOf(opts, 'x-auth-token'));
      return { statusCode: status, data: status === 200 ? readFixture('vbs_policy_list_response.docs.json') : '' };
    });
}

describe('password credentials (IAM token)', () => {
  it('asks IAM for a project-scoped token with the documented body and sends it as X-Auth-Token', async () => {
    const iamBodies: unknown[] = [];
    agent
      .get(IAM)
      .intercept({ path: TOKEN_PATH, method: 'POST' })
      .reply((opts) => {
        iamBodies.push(bodyOf<unknown>(opts));
        return {
          statusCode: 201,
          data: readIamTokenBody(),
          responseOptions: { headers: { 'x-subject-token': TOKEN } },
        };
      });
    const seen: Array<string | undefined> = [];
    mockPolicies(seen);
    const { client } = buildClient(agent);
    expect(client.authKind).toBe('token');
    await client.listTargets(PROJECT);

    const docs = readJsonFixture<{ auth: { identity: { methods: string[] } } }>(
      'iam_token_password_request_domain_scope.docs.json',
    );
    expect(iamBodies).toEqual([
      {
        auth: {
          identity: {
            methods: docs.auth.identity.methods,
            password: { user: { name: 'bot-user', password: PASSWORD, domain: { name: 'OTC00000000001000000001' } } },
          },
          scope: { project: { id: PROJECT.id } },
        },
      },
    ]);
    expect(Object.keys(iamBodies[0] as object)).toEqual(Object.keys(docs));
    expect(seen).toEqual([TOKEN]);
  });

  it('lets 10 parallel calls share exactly one token request', async () => {
    let iamCalls = 0;
    agent
      .get(IAM)
      .intercept({ path: TOKEN_PATH, method: 'POST' })
      .reply(() => {
        iamCalls += 1;
        return {
          statusCode: 201,
          data: readIamTokenBody(),
          responseOptions: { headers: { 'x-subject-token': TOKEN } },
        };
      });
    const seen: Array<string | undefined> = [];
    for (let i = 0; i < 10; i += 1) mockPolicies(seen);
    const { client } = buildClient(agent);
    await Promise.all(Array.from({ length: 10 }, () => client.listTargets(PROJECT)));
    expect(iamCalls).toBe(1);
    expect(seen).toEqual(Array(10).fill(TOKEN));
  });

  it('reuses the token until 10 minutes before expires_at, then fetches a new one', async () => {
    // The docs' token: issued 00:42:57Z, expires 01:42:57Z; the fake clock starts at issue time.
    mockTokenIssue(agent, 'token-a');
    mockTokenIssue(agent, 'token-b');
    const seen: Array<string | undefined> = [];
    for (let i = 0; i < 3; i += 1) mockPolicies(seen);
    const { client, clock } = buildClient(agent);
    await client.listTargets(PROJECT);
    clock.advance(49 * 60_000);
    await client.listTargets(PROJECT);
    clock.advance(60_000);
    await client.listTargets(PROJECT);
    expect(seen).toEqual(['token-a', 'token-a', 'token-b']);
  });

  it('on a 401 drops the token, fetches a new one once and replays the call once', async () => {
    mockTokenIssue(agent, 'token-old');
    mockTokenIssue(agent, 'token-new');
    const seen: Array<string | undefined> = [];
    mockPolicies(seen, 401);
    mockPolicies(seen, 200);
    const { client, clock } = buildClient(agent);
    const policies = await client.listTargets(PROJECT);
    expect(policies).toHaveLength(2);
    expect(seen).toEqual(['token-old', 'token-new']);
    expect(clock.sleeps).toEqual([]);
  });

  it('turns a second 401 after the refresh into OtcAuthError', async () => {
    mockTokenIssue(agent, 'token-old');
    mockTokenIssue(agent, 'token-new');
    const seen: Array<string | undefined> = [];
    mockPolicies(seen, 401);
    mockPolicies(seen, 401);
    const { client } = buildClient(agent);
    const error = await client.listTargets(PROJECT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtcAuthError);
    expect(error).toMatchObject({ code: 'OTC_AUTH', status: 401, attempts: 2 });
    expect(seen).toEqual(['token-old', 'token-new']);
  });

  it('treats an IAM 401 as OtcAuthError without retrying it', async () => {
    agent
      .get(IAM)
      .intercept({ path: TOKEN_PATH, method: 'POST' })
      .reply(401, { error: { code: 401, message: 'The username or password is wrong.', title: 'Unauthorized' } });
    const { client, clock } = buildClient(agent);
    const error = await client.listTargets(PROJECT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtcAuthError);
    expect(error).toMatchObject({ status: 401, path: TOKEN_PATH, attempts: 1 });
    expect(clock.sleeps).toEqual([]);
  });

  it('retries an IAM 503 like any other call', async () => {
    agent.get(IAM).intercept({ path: TOKEN_PATH, method: 'POST' }).reply(503, '');
    mockTokenIssue(agent);
    const seen: Array<string | undefined> = [];
    mockPolicies(seen);
    const { client, clock } = buildClient(agent);
    await client.listTargets(PROJECT);
    expect(clock.sleeps).toHaveLength(1);
    expect(seen).toEqual([TOKEN]);
  });

  it('rejects a token answer without X-Subject-Token or with an unreadable expires_at as a shape error', async () => {
    agent.get(IAM).intercept({ path: TOKEN_PATH, method: 'POST' }).reply(201, readIamTokenBody());
    const { client } = buildClient(agent);
    const missing = await client.listTargets(PROJECT).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OtcResponseShapeError);
    expect(missing).toMatchObject({ issues: ['(headers): X-Subject-Token missing'] });

    mockTokenIssue(agent, TOKEN, 'next tuesday');
    const badDate = await client.listTargets(PROJECT).catch((e: unknown) => e);
    expect(badDate).toMatchObject({ code: 'OTC_RESPONSE_SHAPE', issues: ['token.expires_at: custom'] });
  });
});

describe('AK/SK credentials', () => {
  const aksk = { kind: 'aksk', accessKey: ACCESS_KEY, secretKey: SECRET_KEY } as const;

  it('signs host, x-project-id and x-sdk-date (query included) and sends no token', async () => {
    const captured: Array<Record<string, string | undefined>> = [];
    agent
      .get(EVS)
      .intercept({ path: (p) => p.startsWith(`/v2/${PROJECT.id}/cloudvolumes/detail?`), method: 'GET' })
      .reply((opts) => {
        captured.push({
          path: opts.path,
          auth: headerOf(opts, 'authorization'),
          date: headerOf(opts, 'x-sdk-date'),
          project: headerOf(opts, 'x-project-id'),
          token: headerOf(opts, 'x-auth-token'),
        });
        return { statusCode: 200, data: readFixture('evs_cloudvolumes_detail_response.docs.json') };
      });
    const { client, clock } = buildClient(agent, { credentials: aksk });
    expect(client.authKind).toBe('aksk');
    await client.listVolumes(PROJECT, { name: 'db data', status: 'available' }, { limit: 50, offset: 0 });

    const expected = signRequest(
      {
        method: 'GET',
        path: `/v2/${PROJECT.id}/cloudvolumes/detail`,
        query: [
          ['name', 'db data'],
          ['status', 'available'],
          ['limit', '50'],
        ],
        headers: { host: 'evs.eu-de.otc.t-systems.com', 'x-project-id': PROJECT.id },
        body: '',
      },
      { accessKey: ACCESS_KEY, secretKey: SECRET_KEY },
      { flavour: 'credential', date: new Date(clock.now()), region: '', service: '' },
    );
    expect(captured).toEqual([
      {
        path: `/v2/${PROJECT.id}/cloudvolumes/detail?name=db%20data&status=available&limit=50`,
        auth: expected.authorization,
        date: '20151109T004257Z',
        project: PROJECT.id,
        token: undefined,
      },
    ]);
    expect(expected.authorization).toMatch(
      /^SDK-HMAC-SHA256 Credential=AKIDEXAMPLE0123456789\/20151109\/\/\/sdk_request, SignedHeaders=host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$/,
    );
  });

  it('turns a 401 into OtcAuthError at once: a signature cannot be refreshed', async () => {
    agent
      .get(VBS)
      .intercept({ path: POLICIES_PATH, method: 'GET' })
      .reply(401, readFixture('vbs_error_response.docs.json'));
    const { client } = buildClient(agent, { credentials: aksk });
    const error = await client.listTargets(PROJECT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtcAuthError);
    expect(error).not.toBeInstanceOf(OtcHttpError);
    expect(error).toMatchObject({ status: 401, attempts: 1 });
  });
});
