import { toNetworkError } from '../../src/otc/network-error';
import { ABORTED_REASON } from '../../src/otc/retry-policy';

const site = { method: 'GET', path: '/v2/p/backuppolicy' };
const withCode = (code: string, message = 'boom'): Error => Object.assign(new Error(message), { code });

describe('toNetworkError', () => {
  it.each([
    ['ECONNREFUSED', 'connection refused'],
    ['ECONNRESET', 'connection reset by peer'],
    ['UND_ERR_CONNECT_TIMEOUT', 'connect timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'response timeout (no headers)'],
    ['UND_ERR_BODY_TIMEOUT', 'response timeout (body stalled)'],
    ['UND_ERR_SOCKET', 'socket closed by the other side'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS error'],
    ['UND_MOCK_ERR_MOCK_NOT_MATCHED', 'request failed (UND_MOCK_ERR_MOCK_NOT_MATCHED)'],
  ])('maps %s to "%s"', (code, reason) => {
    const error = toNetworkError(site, withCode(code), undefined);
    expect(error).toMatchObject({ code: 'OTC_NETWORK', reason, method: 'GET', path: site.path });
    expect((error.cause as { code?: string }).code).toBe(code);
  });

  it('finds the code inside an AggregateError (dual-stack connect)', () => {
    const aggregate = new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'all failed');
    expect(toNetworkError(site, aggregate, undefined).reason).toBe('connection refused');
  });

  it('says "aborted by the caller" when the signal fired, whatever undici threw', () => {
    const controller = new AbortController();
    controller.abort();
    expect(toNetworkError(site, withCode('UND_ERR_SOCKET'), controller.signal).reason).toBe(ABORTED_REASON);
  });

  it('keeps only the class, code and redacted message of the cause', () => {
    const raw = Object.assign(withCode('ECONNRESET', 'reset, X-Auth-Token: abc123'), {
      headers: { 'x-auth-token': 'abc123' },
    });
    const error = toNetworkError(site, raw, undefined);
    expect(JSON.stringify(error.cause, Object.getOwnPropertyNames(error.cause))).not.toContain('abc123');
  });
});
