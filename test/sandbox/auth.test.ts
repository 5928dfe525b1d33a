import { signRequest } from '../../src/otc/signer';
import type { Sandbox } from '../../src/sandbox';
import { startSandbox } from '../../src/sandbox';
import { PROJECT, call, formatSdkDate, getToken, signedHeaders } from './helpers';

const OTHER = 'fedcba9876543210fedcba9876543210';
const DB_DATA_2 = 'ed53b291-0b6a-4d23-861a-474ac0e64334';

describe('sandbox auth on VBS and EVS', () => {
  let now: Date;
  let sandbox: Sandbox;

  beforeEach(async () => {
    now = new Date('2025-03-01T10:00:00.000Z');
    sandbox = await startSandbox({ now: () => now, projects: [{ id: PROJECT }, { id: OTHER }] });
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  describe('IAM token (X-Auth-Token)', () => {
    it('accepts a token scoped to the project in the path and records auth "token"', async () => {
      const token = await getToken(sandbox);
      const response = await call(sandbox, 'GET', `/v2/${PROJECT}/backuppolicy`, {
        headers: { 'X-Auth-Token': token },
      });

      expect(response.status).toBe(200);
      expect(sandbox.requests.at(-1)).toMatchObject({ route: 'vbs.policies.list', auth: 'token', projectId: PROJECT });
    });

    it('rejects a missing token: VBS with AutoBackup.0002, EVS with the gateway body', async () => {
      const vbs = await call(sandbox, 'GET', `/v2/${PROJECT}/backuppolicy`);
      const evs = await call(sandbox, 'GET', `/v2/${PROJECT}/volumes/${DB_DATA_2}`);

      expect(vbs.status).toBe(401);
      expect(vbs.body.error.code).toBe('AutoBackup.0002');
      expect(evs.status).toBe(401);
      expect(evs.body).toMatchObject({ error_code: 'APIGW.0301', request_id: evs.headers.get('x-request-id') });
    });

    it('rejects a token the sandbox never issued with 401', async () => {
      const response = await call(sandbox, 'GET', `/v2/${PROJECT}/backuppolicy`, {
        headers: { 'X-Auth-Token': 'MIIforgedtoken' },
      });
      expect(response.status).toBe(401);
      expect(response.body.error_code).toBe('APIGW.0301');
    });

    it('rejects a token scoped to another project with 401 and does not act', async () => {
      const token = await getToken(sandbox, OTHER);
      const response = await call(sandbox, 'POST', `/v2/${PROJECT}/backuppolicyresources`, {
        headers: { 'X-Auth-Token': token },
        body: {
          backup_policy_id: 'b1cb1816-7d85-457c-9f32-2a1422d00e17',
          resources: [{ resource_id: DB_DATA_2, resource_type: 'volume' }],
        },
      });

      expect(response.status).toBe(401);
      expect(sandbox.state.policyOfVolume(PROJECT, DB_DATA_2)).toBeUndefined();
    });
  });

  describe('AK/SK (SDK-HMAC-SHA256, Credential= flavour)', () => {
    const listPath = `/v2/${PROJECT}/backuppolicy`;

    it('accepts a correctly signed GET and records auth "aksk"', async () => {
      const headers = signedHeaders(sandbox, { method: 'GET', path: listPath }, { date: now });
      const response = await call(sandbox, 'GET', listPath, { headers });

      expect(response.status).toBe(200);
      expect(response.body.backup_policies.length).toBeGreaterThan(0);
      expect(sandbox.requests.at(-1)).toMatchObject({ route: 'vbs.policies.list', auth: 'aksk', status: 200 });
    });

    it('accepts a signed POST with a body and a signed GET with a query', async () => {
      const path = `/v2/${PROJECT}/backuppolicyresources`;
      const body = JSON.stringify({
        backup_policy_id: 'b1cb1816-7d85-457c-9f32-2a1422d00e17',
        resources: [{ resource_id: DB_DATA_2, resource_type: 'volume' }],
      });
      const post = await call(sandbox, 'POST', path, {
        headers: signedHeaders(sandbox, { method: 'POST', path, body }, { date: now }),
        body,
      });
      expect(post.status).toBe(200);
      expect(post.body.success_resources).toHaveLength(1);

      const detail = `/v2/${PROJECT}/cloudvolumes/detail`;
      const query: Array<[string, string]> = [
        ['name', 'db data 2'],
        ['limit', '5'],
      ];
      const get = await call(sandbox, 'GET', `${detail}?name=db%20data%202&limit=5`, {
        headers: signedHeaders(sandbox, { method: 'GET', path: detail, query }, { date: now }),
      });
      expect(get.status).toBe(200);
      expect(get.body.count).toBe(0);
    });

    it('accepts X-Sdk-Date up to 15 minutes off the clock', async () => {
      const date = new Date(now.getTime() - 15 * 60_000);
      const response = await call(sandbox, 'GET', listPath, {
        headers: signedHeaders(sandbox, { method: 'GET', path: listPath }, { date }),
      });
      expect(response.status).toBe(200);
    });

    it.each([
      ['a bad signature (wrong secret key)', { secretKey: 'not-the-secret' }, {}],
      ['an unknown access key', { accessKey: 'UNKNOWNAK' }, {}],
      ['an X-Project-Id other than the path project', { projectId: OTHER }, {}],
      ['a stale X-Sdk-Date (16 minutes old)', { date: new Date('2025-03-01T09:44:00.000Z') }, {}],
      ['an X-Sdk-Date 16 minutes in the future', { date: new Date('2025-03-01T10:16:00.000Z') }, {}],
      ['a body changed after signing', {}, { tamperBody: true }],
    ])('rejects %s with 401', async (_what, signOptions, extra: { tamperBody?: boolean }) => {
      const path = `/v2/${PROJECT}/backuppolicyresources`;
      const body = JSON.stringify({
        backup_policy_id: 'b1cb1816-7d85-457c-9f32-2a1422d00e17',
        resources: [{ resource_id: DB_DATA_2, resource_type: 'volume' }],
      });
      const headers = signedHeaders(sandbox, { method: 'POST', path, body }, { date: now, ...signOptions });
      const sent = extra.tamperBody === true ? body.replace(DB_DATA_2, '0f187b65-8d0e-4fc0-9096-3b55d330531e') : body;
      const response = await call(sandbox, 'POST', path, { headers, body: sent });

      expect(response.status).toBe(401);
      expect(response.body.error_code).toBe('APIGW.0301');
      expect(sandbox.state.policyOfVolume(PROJECT, DB_DATA_2)).toBeUndefined();
      expect(sandbox.requests.at(-1)).toMatchObject({ route: 'vbs.associate', status: 401, auth: 'none' });
    });

    it('rejects a request without X-Project-Id even when its signature is right', async () => {
      const host = new URL(sandbox.url).host;
      const signed = signRequest(
        { method: 'GET', path: listPath, query: [], headers: { host }, body: '' },
        { accessKey: sandbox.credentials.accessKey, secretKey: sandbox.credentials.secretKey },
        { flavour: 'credential', date: now },
      );
      const response = await call(sandbox, 'GET', listPath, {
        headers: { 'X-Sdk-Date': signed.sdkDate, Authorization: signed.authorization },
      });
      expect(response.status).toBe(401);
    });

    it('rejects a malformed X-Sdk-Date and an Authorization header of another scheme', async () => {
      const headers = signedHeaders(sandbox, { method: 'GET', path: listPath }, { date: now });
      const badDate = await call(sandbox, 'GET', listPath, { headers: { ...headers, 'X-Sdk-Date': '2025-03-01' } });
      const basic = await call(sandbox, 'GET', listPath, { headers: { Authorization: 'Basic c2FuZGJveDpzYW5kYm94' } });

      expect(badDate.status).toBe(401);
      expect(basic.status).toBe(401);
      expect(formatSdkDate(now)).toBe('20250301T100000Z');
    });
  });
});
