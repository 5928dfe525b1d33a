import type { Sandbox } from '../../src/sandbox';
import { startSandbox } from '../../src/sandbox';
import { PROJECT, call, getToken, passwordAuthBody } from './helpers';

describe('sandbox IAM: POST /v3/auth/tokens', () => {
  let now = new Date('2025-03-01T10:00:00.000Z');
  let sandbox: Sandbox;

  beforeEach(async () => {
    now = new Date('2025-03-01T10:00:00.000Z');
    sandbox = await startSandbox({
      now: () => now,
      projects: [{ id: PROJECT }, { id: 'fedcba9876543210fedcba9876543210', name: 'eu-de_other', region: 'eu-de' }],
    });
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  it('issues a project-scoped token: 201, X-Subject-Token header, expiry 24 h later with microseconds', async () => {
    const response = await call(sandbox, 'POST', '/v3/auth/tokens', { body: passwordAuthBody(sandbox) });

    expect(response.status).toBe(201);
    const token = response.headers.get('x-subject-token');
    expect(token).toMatch(/^MII[A-Za-z0-9_-]{300,}$/);
    expect(response.body.token).toMatchObject({
      methods: ['password'],
      issued_at: '2025-03-01T10:00:00.000000Z',
      expires_at: '2025-03-02T10:00:00.000000Z',
      user: { name: 'sandbox-user', domain: { name: 'sandbox-domain' } },
      project: { id: PROJECT, name: 'sandbox', domain: { name: 'sandbox-domain' } },
      catalog: [],
    });
    expect(response.body.token.roles.length).toBeGreaterThan(0);
    expect(JSON.stringify(response.body)).not.toContain(token);
  });

  it('issues a different token on every request', async () => {
    expect(await getToken(sandbox)).not.toBe(await getToken(sandbox));
  });

  it.each([
    ['the region name', { project: { name: 'eu-de' } }, PROJECT],
    ['the project name', { project: { name: 'eu-de_other' } }, 'fedcba9876543210fedcba9876543210'],
    ['the project id', { project: { id: 'fedcba9876543210fedcba9876543210' } }, 'fedcba9876543210fedcba9876543210'],
  ])('scopes the token by %s', async (_what, scope, projectId) => {
    const response = await call(sandbox, 'POST', '/v3/auth/tokens', { body: passwordAuthBody(sandbox, scope) });

    expect(response.status).toBe(201);
    expect(response.body.token.project?.id).toBe(projectId);
    expect(sandbox.requests.at(-1)).toMatchObject({ route: 'iam.tokens', status: 201, projectId });
  });

  it.each([
    ['a wrong password', { password: 'nope' }],
    ['an unknown user', { name: 'mallory' }],
    ['a wrong domain', { domain: 'other-domain' }],
  ])('rejects %s with 401 and the IAM error body', async (_what, overrides) => {
    const response = await call(sandbox, 'POST', '/v3/auth/tokens', {
      body: passwordAuthBody(sandbox, { project: { id: PROJECT } }, overrides),
    });

    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      error: { code: 401, message: 'The username or password is wrong.', title: 'Unauthorized' },
    });
    expect(response.headers.get('x-subject-token')).toBeNull();
  });

  it('rejects an unknown project with 401', async () => {
    const response = await call(sandbox, 'POST', '/v3/auth/tokens', {
      body: passwordAuthBody(sandbox, { project: { id: 'ffffffffffffffffffffffffffffffff' } }),
    });

    expect(response.status).toBe(401);
    expect(response.body.error).toMatchObject({ code: 401, title: 'Unauthorized' });
  });

  it('answers 400 to a body that is not JSON or not a token request', async () => {
    expect((await call(sandbox, 'POST', '/v3/auth/tokens', { body: '{"auth":' })).status).toBe(400);
    expect((await call(sandbox, 'POST', '/v3/auth/tokens', { body: { auth: {} } })).status).toBe(400);
  });

  it('issues a domain-scoped token that VBS does not accept', async () => {
    const response = await call(sandbox, 'POST', '/v3/auth/tokens', {
      body: passwordAuthBody(sandbox, { domain: { name: 'sandbox-domain' } }),
    });
    expect(response.status).toBe(201);
    expect(response.body.token.project).toBeUndefined();
    expect(response.body.token.domain).toMatchObject({ name: 'sandbox-domain' });

    const token = response.headers.get('x-subject-token') ?? '';
    const policies = await call(sandbox, 'GET', `/v2/${PROJECT}/backuppolicy`, { headers: { 'X-Auth-Token': token } });
    expect(policies.status).toBe(401);
  });

  it('lets a token work until the clock reaches expires_at, then answers AutoBackup.0003', async () => {
    const token = await getToken(sandbox);
    const list = () => call(sandbox, 'GET', `/v2/${PROJECT}/backuppolicy`, { headers: { 'X-Auth-Token': token } });

    now = new Date('2025-03-02T09:59:59.000Z');
    expect((await list()).status).toBe(200);

    now = new Date('2025-03-02T10:00:00.000Z');
    const expired = await list();
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({
      error: { code: 'AutoBackup.0003', message: 'The token contained in the request header has expired.' },
    });
  });

  it('honours tokenTtlMs', async () => {
    const short = await startSandbox({ now: () => now, tokenTtlMs: 60_000 });
    try {
      const response = await call(short, 'POST', '/v3/auth/tokens', { body: passwordAuthBody(short) });
      expect(response.body.token.expires_at).toBe('2025-03-01T10:01:00.000000Z');
    } finally {
      await short.stop();
    }
  });

  it('expireAllTokens expires every issued token at once; a new token works again', async () => {
    const token = await getToken(sandbox);
    sandbox.expireAllTokens();

    const vbs = await call(sandbox, 'GET', `/v2/${PROJECT}/backuppolicy`, { headers: { 'X-Auth-Token': token } });
    const evs = await call(sandbox, 'GET', `/v2/${PROJECT}/cloudvolumes/detail`, {
      headers: { 'X-Auth-Token': token },
    });
    expect(vbs.status).toBe(401);
    expect(vbs.body.error.code).toBe('AutoBackup.0003');
    expect(evs.status).toBe(401);
    expect(evs.body.error.code).toBe(401);

    const fresh = await getToken(sandbox);
    const again = await call(sandbox, 'GET', `/v2/${PROJECT}/backuppolicy`, { headers: { 'X-Auth-Token': fresh } });
    expect(again.status).toBe(200);
  });
});
