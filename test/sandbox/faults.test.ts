import { Agent, request } from 'undici';
import type { Sandbox } from '../../src/sandbox';
import { startSandbox } from '../../src/sandbox';
import { waitFor } from '../../src/demo/wait';
import { PROJECT, call, getToken } from './helpers';

const DAILY_7D = 'b1cb1816-7d85-457c-9f32-2a1422d00e17';
const DB_DATA_1 = '0f187b65-8d0e-4fc0-9096-3b55d330531e';

describe('sandbox fault injection', () => {
  let sandbox: Sandbox;
  let token: string;
  const listPolicies = () =>
    call(sandbox, 'GET', `/v2/${PROJECT}/backuppolicy`, { headers: { 'X-Auth-Token': token } });

  beforeEach(async () => {
    sandbox = await startSandbox();
    token = await getToken(sandbox);
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  it('delays the answer by latencyMs and then answers normally', async () => {
    sandbox.faults.inject('vbs.policies.list', { latencyMs: 200 });
    const finished: string[] = [];
    const slow = listPolicies().then((r) => (finished.push('delayed'), r));
    // Injected after the first call consumed the fault: this one is answered at once, so it finishes first.
    const fast = listPolicies().then((r) => (finished.push('plain'), r));
    const [slowRes, fastRes] = await Promise.all([slow, fast]);

    expect(finished).toEqual(['plain', 'delayed']);
    expect(slowRes.status).toBe(200);
    expect(fastRes.status).toBe(200);
  });

  it('answers an injected 403 on VBS as the service refusing a permission', async () => {
    sandbox.faults.inject('vbs.associate', { status: 403 });
    const body = { backup_policy_id: DAILY_7D, resources: [{ resource_id: DB_DATA_1, resource_type: 'volume' }] };
    const res = await call(sandbox, 'POST', `/v2/${PROJECT}/backuppolicyresources`, {
      headers: { 'X-Auth-Token': token },
      body,
    });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: 'AutoBackup.0213', message: 'The request is not authorized.' } });
    expect(sandbox.state.policyOfVolume(PROJECT, DB_DATA_1)).toBeUndefined();
  });

  it('answers 503 twice with times: 2, then normally; the faulted calls change nothing', async () => {
    sandbox.faults.inject('vbs.associate', { status: 503, times: 2 });
    const body = { backup_policy_id: DAILY_7D, resources: [{ resource_id: DB_DATA_1, resource_type: 'volume' }] };
    const associate = () =>
      call(sandbox, 'POST', `/v2/${PROJECT}/backuppolicyresources`, { headers: { 'X-Auth-Token': token }, body });

    const first = await associate();
    expect(sandbox.faults.pending('vbs.associate')).toBe(1);
    const second = await associate();
    expect(sandbox.state.policyOfVolume(PROJECT, DB_DATA_1)).toBeUndefined();
    const third = await associate();

    expect([first.status, second.status, third.status]).toEqual([503, 503, 200]);
    expect(first.body).toMatchObject({
      error_msg: 'Service Unavailable',
      request_id: first.headers.get('x-request-id'),
    });
    expect(sandbox.state.policyOfVolume(PROJECT, DB_DATA_1)).toBe(DAILY_7D);
    expect(sandbox.requests.filter((r) => r.route === 'vbs.associate').map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('answers 429 with a Retry-After header and the gateway throttling body', async () => {
    sandbox.faults.inject('evs.volumes.detail', { status: 429, retryAfterSeconds: 7 });

    const response = await call(sandbox, 'GET', `/v2/${PROJECT}/cloudvolumes/detail`, {
      headers: { 'X-Auth-Token': token },
    });

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.body.error_code).toBe('APIGW.0308');
  });

  it.each([
    [500, 'vbs.associate', { error: { code: 'AutoBackup.0009' } }],
    [500, 'evs.volumes.detail', { error: { code: 500 } }],
    [502, 'vbs.associate', { error_code: 'APIGW.0202' }],
    [504, 'evs.volumes.detail', { error_code: 'APIGW.0203' }],
  ] as const)('answers an injected %i on %s with the body of the layer that fails', async (status, route, body) => {
    sandbox.faults.inject(route, { status });
    const response =
      route === 'vbs.associate'
        ? await call(sandbox, 'POST', `/v2/${PROJECT}/backuppolicyresources`, {
            headers: { 'X-Auth-Token': token },
            body: {},
          })
        : await call(sandbox, 'GET', `/v2/${PROJECT}/cloudvolumes/detail`, { headers: { 'X-Auth-Token': token } });

    expect(response.status).toBe(status);
    expect(response.body).toMatchObject(body);
  });

  it('answers an injected 503 with a body that names no code', async () => {
    sandbox.faults.inject('vbs.policies.list', { status: 503 });
    const response = await listPolicies();

    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      error_msg: 'Service Unavailable',
      request_id: response.headers.get('x-request-id'),
    });
  });

  it('drops the connection without answering: the client sees a socket error, the request is recorded with status 0', async () => {
    sandbox.faults.inject('vbs.policies.list', { drop: true });

    await expect(
      request(`${sandbox.url}/v2/${PROJECT}/backuppolicy`, { headers: { 'X-Auth-Token': token } }),
    ).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect(sandbox.requests.at(-1)).toMatchObject({ route: 'vbs.policies.list', status: 0 });
    expect((await listPolicies()).status).toBe(200);
  });

  it('consumes faults of one route in the order they were injected and leaves other routes alone', async () => {
    sandbox.faults.inject('vbs.policies.list', { status: 500 });
    sandbox.faults.inject('vbs.policies.list', { status: 502 });

    expect(
      (await call(sandbox, 'GET', `/v2/${PROJECT}/volumes/${DB_DATA_1}`, { headers: { 'X-Auth-Token': token } }))
        .status,
    ).toBe(200);
    expect((await listPolicies()).status).toBe(500);
    expect((await listPolicies()).status).toBe(502);
    expect((await listPolicies()).status).toBe(200);
  });

  it('keeps an Infinity fault until clear()', async () => {
    sandbox.faults.inject('iam.tokens', { status: 503, times: Infinity });

    await expect(getToken(sandbox)).rejects.toThrow('503');
    await expect(getToken(sandbox)).rejects.toThrow('503');
    expect(sandbox.faults.pending('iam.tokens')).toBe(Infinity);
    sandbox.faults.clear();
    await expect(getToken(sandbox)).resolves.toMatch(/^MII/);
  });

  it.each([
    ['a status that is not an error', { status: 302 }],
    ['a negative latency', { latencyMs: -1 }],
    ['zero times', { status: 503, times: 0 }],
    ['nothing to do', {}],
    ['drop together with a status', { drop: true as const, status: 503 }],
  ])('refuses a fault with %s', (_what, fault) => {
    expect(() => sandbox.faults.inject('vbs.associate', fault)).toThrow(RangeError);
  });
});

describe('sandbox request log, routing and lifecycle', () => {
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = await startSandbox();
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  it('records every request with method, path, query, route, status and project, and no secrets', async () => {
    const token = await getToken(sandbox);
    await call(sandbox, 'GET', `/v2/${PROJECT}/cloudvolumes/detail?name=scratch`, {
      headers: { 'X-Auth-Token': token },
    });
    await call(sandbox, 'GET', `/v2/${PROJECT}/backuppolicy`);

    expect(sandbox.requests).toEqual([
      {
        method: 'POST',
        path: '/v3/auth/tokens',
        query: '',
        route: 'iam.tokens',
        status: 201,
        projectId: PROJECT,
        auth: 'none',
      },
      {
        method: 'GET',
        path: `/v2/${PROJECT}/cloudvolumes/detail`,
        query: 'name=scratch',
        route: 'evs.volumes.detail',
        status: 200,
        projectId: PROJECT,
        auth: 'token',
      },
      {
        method: 'GET',
        path: `/v2/${PROJECT}/backuppolicy`,
        query: '',
        route: 'vbs.policies.list',
        status: 401,
        projectId: PROJECT,
        auth: 'none',
      },
    ]);
    expect(JSON.stringify(sandbox.requests)).not.toContain(token.slice(0, 40));
  });

  it('answers unknown paths with 404 JSON and wrong methods with 405 and Allow', async () => {
    const unknown = await call(sandbox, 'GET', '/v2/nothing/here/at/all');
    const wrongMethod = await call(sandbox, 'GET', `/v2/${PROJECT}/backuppolicyresources`);

    expect(unknown.status).toBe(404);
    expect(unknown.body.error_code).toBe('APIGW.0101');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(sandbox.requests.map((r) => [r.route, r.status])).toEqual([
      ['unmatched', 404],
      ['unmatched', 405],
    ]);
  });

  it('answers a body over 1 MiB with 413', async () => {
    const response = await call(sandbox, 'POST', `/v2/${PROJECT}/backuppolicyresources`, {
      body: 'x'.repeat(1024 * 1024 + 1),
    });

    expect(response.status).toBe(413);
    expect(response.body.error_code).toBe('APIGW.0201');
  });

  it('stop() closes a keep-alive connection the client still holds idle, is idempotent, and the port then refuses', async () => {
    // The client would keep the connection for a minute: only the server can close it.
    const agent = new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });
    const events: string[] = [];
    const disconnected = new Promise<void>((resolve) =>
      agent.on('disconnect', () => {
        events.push('connection closed');
        resolve();
      }),
    );
    const url = sandbox.url;
    try {
      const response = await request(`${url}/v2/${PROJECT}/backuppolicy`, { dispatcher: agent });
      await response.body.text();
      expect(response.statusCode).toBe(401);

      events.push('stop called');
      const stops = [sandbox.stop(), sandbox.stop()];
      await Promise.all(stops);
      await disconnected;

      expect(stops[1]).toBe(stops[0]);
      expect(events.filter((e) => e === 'connection closed')).toHaveLength(1);
      expect(events.indexOf('connection closed')).toBeGreaterThan(events.indexOf('stop called'));
      await expect(request(`${url}/v3/auth/tokens`, { method: 'POST', body: '{}' })).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });
    } finally {
      await agent.close();
    }
  });

  it('stop() ends a request held by injected latency without answering it, and the port then refuses', async () => {
    // The latency outlasts the test's own timeout: a stop() that waited for it could not pass.
    sandbox.faults.inject('iam.tokens', { latencyMs: 60_000 });
    const url = sandbox.url;
    const outcome: string[] = [];
    const pending = request(`${url}/v3/auth/tokens`, { method: 'POST', body: '{}' }).then(
      (r) => outcome.push(`answered ${r.statusCode}`),
      (e: unknown) => {
        outcome.push('failed');
        return e;
      },
    );
    // The request is being held once it has consumed the fault.
    await waitFor('the request to be held by the latency', () =>
      sandbox.faults.pending('iam.tokens') === 0 ? true : undefined,
    );

    await sandbox.stop();

    expect(await pending).toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect(outcome).toEqual(['failed']);
    expect(sandbox.requests.filter((r) => r.route === 'iam.tokens')).toEqual([]);
    await expect(request(`${url}/v3/auth/tokens`, { method: 'POST', body: '{}' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
