import { createHash, createHmac } from 'node:crypto';

/**
 * The sandbox's own SDK-HMAC-SHA256 verifier, written from the documented algorithm and not from the
 * bot's signer (src/otc/signer.ts): were the sandbox to check signatures with the signer it is meant
 * to test, a signer bug would pass on both sides. It canonicalises the request as it arrived (the
 * raw, percent-encoded path and query), as an API gateway does. Both implementations are held to
 * the upstream vectors (test/sandbox/signature-vectors.test.ts).
 *
 * CanonicalRequest = method \n URI-encoded path segments, ending in `/` \n query pairs URI-encoded and
 * sorted by name, then value \n `name:trimmed value\n` per signed header (lower case, sorted) \n
 * signed header names joined by `;` \n hex SHA-256 of the body.
 * StringToSign = `SDK-HMAC-SHA256` \n X-Sdk-Date [\n scope] \n hex SHA-256 of the canonical request.
 * Key: the secret key itself (`Access=` form), or for `Credential=AK/yyyymmdd/region/service/sdk_request`
 * HMAC chained from "SDK"+SK over the day, region, service and "sdk_request".
 */
export interface ReceivedSignedRequest {
  readonly method: string;
  /** The path exactly as sent (percent-encoded), without the query. */
  readonly rawPath: string;
  /** The query exactly as sent, without `?`. */
  readonly rawQuery: string;
  /** The value of each signed header (`x-sdk-date` among them), by lower-case name. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Uint8Array | string;
}

/** The `Credential=` form's scope; absent for the `Access=` form. */
export interface SigningScope {
  readonly day: string;
  readonly region: string;
  readonly service: string;
}

/** The hex signature the request must carry. */
export function computeSignature(request: ReceivedSignedRequest, secretKey: string, scope?: SigningScope): string {
  const names = [...request.headers.keys()].map((n) => n.toLowerCase()).sort(byCodeUnit);
  const canonical = [
    request.method.toUpperCase(),
    canonicalPath(request.rawPath),
    canonicalQuery(request.rawQuery),
    names.map((n) => `${n}:${(request.headers.get(n) ?? '').trim()}\n`).join(''),
    names.join(';'),
    sha256(request.body),
  ].join('\n');
  const sdkDate = request.headers.get('x-sdk-date') ?? '';
  if (scope === undefined) return hmacHex(secretKey, ['SDK-HMAC-SHA256', sdkDate, sha256(canonical)].join('\n'));
  const scopeText = `${scope.day}/${scope.region}/${scope.service}/sdk_request`;
  let key = hmac(`SDK${secretKey}`, scope.day);
  for (const part of [scope.region, scope.service, 'sdk_request']) key = hmac(key, part);
  return hmacHex(key, ['SDK-HMAC-SHA256', sdkDate, scopeText, sha256(canonical)].join('\n'));
}

/** RFC 3986: letters, digits and `-_.~` stay; every other UTF-8 byte becomes `%XX` (upper-case hex). */
export function uriEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const unreserved =
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      byte === 0x2d ||
      byte === 0x2e ||
      byte === 0x5f ||
      byte === 0x7e;
    out += unreserved ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function canonicalPath(rawPath: string): string {
  const path = rawPath === '' ? '/' : rawPath;
  const encoded = path
    .split('/')
    .map((segment) => uriEncode(percentDecode(segment)))
    .join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

function canonicalQuery(rawQuery: string): string {
  const pairs = rawQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const at = part.indexOf('=');
      const [name, value] = at < 0 ? [part, ''] : [part.slice(0, at), part.slice(at + 1)];
      return [uriEncode(percentDecode(name)), uriEncode(percentDecode(value))] as const;
    });
  pairs.sort(([an, av], [bn, bv]) => byCodeUnit(an, bn) || byCodeUnit(av, bv));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** `%XX` sequences only: a `+` is a plus sign here, not a space (RFC 3986, not HTML forms). */
function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Uint8Array | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function hmacHex(key: Uint8Array | string, data: string): string {
  return createHmac('sha256', key).update(data).digest('hex');
}
