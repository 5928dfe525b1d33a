import { escapeForSigning, formatSdkDate, signRequest } from '../../src/otc/signer';
import { parseSigningVectors as parseVectors } from '../support/signing-vectors';

describe('signRequest, Credential= flavour (OTC gateways, gophertelekomcloud)', () => {
  const vectors = parseVectors('signing_sdk_hmac_sha256_credential_vectors.txt');

  it('finds both upstream vectors in the fixture', () => {
    expect(vectors.map((v) => v.title)).toEqual(["region='' service=''", "region='' service='service'"]);
  });

  it.each(vectors.map((v) => [v.title, v] as const))('reproduces %s byte for byte', (_title, vector) => {
    const service = /service='([^']*)'/.exec(vector.title)![1]!;
    const signed = signRequest(
      {
        method: 'GET',
        path: '/',
        query: [],
        headers: { Host: 'example.com', 'X-Project-Id': 'project' },
        body: '',
      },
      { accessKey: 'ak', secretKey: 'sk' },
      { flavour: 'credential', date: '19700101T000001Z', region: '', service },
    );
    expect(signed.canonicalRequest).toBe(vector.canonicalRequest);
    expect(signed.stringToSign).toBe(vector.stringToSign);
    expect(signed.authorization).toBe(vector.authorization);
  });
});

describe('signRequest, Access= flavour (Huawei Cloud SDK v3)', () => {
  const vectors = parseVectors('signing_sdk_hmac_sha256_access_vectors.txt');

  it('finds all four upstream vectors in the fixture', () => {
    expect(vectors).toHaveLength(4);
  });

  it.each(vectors.map((v) => [v.title, v] as const))('reproduces %s byte for byte', (_title, vector) => {
    const f = vector.fields;
    const [qk = '', qv = ''] = (f['QUERY'] ?? '').split('=');
    const headers: Record<string, string> = {};
    if (f['HOST'] !== 'None') headers['Host'] = f['HOST']!;
    const body = /^'(.*)'$/.exec(f['BODY'] ?? "''")![1]!.replace(/\\n/g, '\n');
    const signed = signRequest(
      { method: f['METHOD']!, path: f['PATH']!, query: [[qk, qv]], headers, body },
      { accessKey: 'AccessKey', secretKey: 'SecretKey' },
      { flavour: 'access', date: f['X-Sdk-Date']! },
    );
    expect(signed.canonicalRequest).toBe(vector.canonicalRequest);
    expect(signed.stringToSign).toBe(vector.stringToSign);
    expect(signed.authorization).toBe(vector.authorization);
  });
});

describe('signing helpers', () => {
  it('formats X-Sdk-Date as yyyymmddThhmmssZ in UTC', () => {
    expect(formatSdkDate(new Date(Date.UTC(2026, 10, 27, 8, 5, 9, 123)))).toBe('20261127T080509Z');
  });

  it('percent-encodes everything but RFC 3986 unreserved characters', () => {
    expect(escapeForSigning("a b~c_d.e-f!*'()/")).toBe('a%20b~c_d.e-f%21%2A%27%28%29%2F');
  });

  it('sorts query parameters by key, then value, after encoding', () => {
    const signed = signRequest(
      {
        method: 'get',
        path: '/v2/p/cloudvolumes/detail',
        query: [
          ['status', 'in-use'],
          ['limit', '50'],
          ['name', 'db data'],
        ],
        headers: {},
        body: '',
      },
      { accessKey: 'a', secretKey: 's' },
      { flavour: 'credential', date: '20260101T000000Z' },
    );
    expect(signed.canonicalRequest.split('\n').slice(0, 3)).toEqual([
      'GET',
      '/v2/p/cloudvolumes/detail/',
      'limit=50&name=db%20data&status=in-use',
    ]);
  });

  it('changes the signature when the body changes', () => {
    const sign = (body: string) =>
      signRequest(
        { method: 'POST', path: '/x', query: [], headers: { host: 'h' }, body },
        { accessKey: 'a', secretKey: 's' },
        { flavour: 'credential', date: '20260101T000000Z' },
      ).authorization;
    expect(sign('{"a":1}')).not.toBe(sign('{"a":2}'));
  });
});
