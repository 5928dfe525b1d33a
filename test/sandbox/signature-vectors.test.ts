import { signRequest } from '../../src/otc/signer';
import { computeSignature, uriEncode } from '../../src/sandbox/signature-check';
import { parseSigningVectors, signatureOf } from '../support/signing-vectors';

// The bot's signer and the sandbox's verifier are two implementations of one documented algorithm;
// both must reproduce every upstream vector, or a bug in one could hide behind the other.

const access = parseSigningVectors('signing_sdk_hmac_sha256_access_vectors.txt');
const credential = parseSigningVectors('signing_sdk_hmac_sha256_credential_vectors.txt');

describe('both SDK-HMAC-SHA256 implementations against the upstream vectors', () => {
  it('finds all six vectors', () => {
    expect(access).toHaveLength(4);
    expect(credential).toHaveLength(2);
  });

  it.each(access.map((v) => [v.title, v] as const))('Access= %s', (_title, vector) => {
    const f = vector.fields;
    const host = f['HOST'] === 'None' ? undefined : f['HOST'];
    const body = (/^'(.*)'$/.exec(f['BODY'] ?? "''")?.[1] ?? '').replace(/\\n/g, '\n');
    const sdkDate = f['X-Sdk-Date'] ?? '';
    const [name = '', value = ''] = (f['QUERY'] ?? '').split('=');
    const expected = signatureOf(vector.authorization);

    const bot = signRequest(
      {
        method: f['METHOD'] ?? '',
        path: f['PATH'] ?? '',
        query: [[name, value]],
        headers: host ? { Host: host } : {},
        body,
      },
      { accessKey: 'AccessKey', secretKey: 'SecretKey' },
      { flavour: 'access', date: sdkDate },
    );
    const headers = new Map([...(host ? [['host', host] as const] : []), ['x-sdk-date', sdkDate] as const]);
    const sandbox = computeSignature(
      { method: f['METHOD'] ?? '', rawPath: f['PATH'] ?? '', rawQuery: f['QUERY'] ?? '', headers, body },
      'SecretKey',
    );
    expect(signatureOf(bot.authorization)).toBe(expected);
    expect(sandbox).toBe(expected);
  });

  it.each(credential.map((v) => [v.title, v] as const))('Credential= %s', (title, vector) => {
    const service = /service='([^']*)'/.exec(title)?.[1] ?? '';
    const expected = signatureOf(vector.authorization);
    const bot = signRequest(
      { method: 'GET', path: '/', query: [], headers: { Host: 'example.com', 'X-Project-Id': 'project' }, body: '' },
      { accessKey: 'ak', secretKey: 'sk' },
      { flavour: 'credential', date: '19700101T000001Z', region: '', service },
    );
    const headers = new Map([
      ['host', 'example.com'],
      ['x-project-id', 'project'],
      ['x-sdk-date', '19700101T000001Z'],
    ]);
    const sandbox = computeSignature({ method: 'GET', rawPath: '/', rawQuery: '', headers, body: '' }, 'sk', {
      day: '19700101',
      region: '',
      service,
    });
    expect(signatureOf(bot.authorization)).toBe(expected);
    expect(sandbox).toBe(expected);
  });
});

describe('the sandbox verifier reads the request as it arrived', () => {
  it('URI-encodes every byte but the unreserved characters', () => {
    expect(uriEncode("a b~c_d.e-f!*'()/+ü")).toBe('a%20b~c_d.e-f%21%2A%27%28%29%2F%2B%C3%BC');
  });

  it('agrees with the bot signer on a query it must decode, re-encode and sort', () => {
    const headers = { host: 'evs.example', 'x-project-id': 'p' };
    const date = '20260101T000000Z';
    const bot = signRequest(
      {
        method: 'GET',
        path: '/v2/p/cloudvolumes/detail',
        query: [
          ['name', "db data ü*'()"],
          ['limit', '50'],
          ['name', 'a~b'],
        ],
        headers,
        body: '',
      },
      { accessKey: 'ak', secretKey: 'sk' },
      { flavour: 'credential', date },
    );
    const sandbox = computeSignature(
      {
        method: 'GET',
        rawPath: '/v2/p/cloudvolumes/detail',
        rawQuery: 'name=db%20data%20%C3%BC%2A%27%28%29&limit=50&name=a~b',
        headers: new Map([...Object.entries(headers), ['x-sdk-date', date]]),
        body: '',
      },
      'sk',
      { day: '20260101', region: '', service: '' },
    );
    expect(sandbox).toBe(signatureOf(bot.authorization));
  });
});
