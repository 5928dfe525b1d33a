import { createHash, createHmac } from 'node:crypto';

/**
 * AK/SK request signing, "SDK-HMAC-SHA256", as OTC's API gateways verify it. Pure: the date is a
 * parameter. Two flavours exist in the wild and both are reproduced byte for byte in tests:
 *  - `credential` (OTC, gophertelekomcloud, java-sdk-core): `Credential=AK/yyyymmdd/region/service/sdk_request`,
 *    signing key derived from "SDK"+SK through date, region, service and "sdk_request".
 *  - `access` (Huawei Cloud SDK v3, APIG simple signer): `Access=AK`, signing key = SK.
 */
export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';

export interface SignableRequest {
  readonly method: string;
  /** Path as sent, without query, e.g. `/v2/abc/backuppolicy`. */
  readonly path: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** Headers to sign (names in any case). `host` is taken from here when present. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
}

export interface SigningKeys {
  readonly accessKey: string;
  readonly secretKey: string;
}

export interface SigningOptions {
  readonly flavour: 'credential' | 'access';
  /** Either a Date or an already formatted `X-Sdk-Date` value (yyyymmddThhmmssZ). */
  readonly date: Date | string;
  /** Credential scope parts; gophertelekomcloud leaves both empty, which OTC accepts. */
  readonly region?: string;
  readonly service?: string;
}

export interface SignedParts {
  readonly sdkDate: string;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly authorization: string;
  readonly signedHeaders: string;
}

export function formatSdkDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** RFC 3986 unreserved characters stay; everything else is percent-encoded (space -> %20). */
export function escapeForSigning(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalUri(path: string): string {
  const encoded = path
    .split('/')
    .map((segment) => escapeForSigning(safeDecode(segment)))
    .join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function canonicalQuery(query: SignableRequest['query']): string {
  return query
    .map(([k, v]) => [escapeForSigning(k), escapeForSigning(v)] as const)
    .sort(([ka, va], [kb, vb]) => (ka === kb ? compare(va, vb) : compare(ka, kb)))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Uint8Array, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Computes the signature; the caller sets `X-Sdk-Date` and `Authorization` from the result. */
export function signRequest(request: SignableRequest, keys: SigningKeys, options: SigningOptions): SignedParts {
  const sdkDate = typeof options.date === 'string' ? options.date : formatSdkDate(options.date);
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(request.headers)) headers.set(name.toLowerCase(), value.trim());
  headers.set('x-sdk-date', sdkDate);
  const names = [...headers.keys()].sort(compare);
  const signedHeaders = names.join(';');
  const canonicalHeaders = names.map((n) => `${n}:${headers.get(n) ?? ''}\n`).join('');
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQuery(request.query),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(request.body),
  ].join('\n');
  const hashedRequest = sha256Hex(canonicalRequest);

  if (options.flavour === 'access') {
    const stringToSign = [SIGNING_ALGORITHM, sdkDate, hashedRequest].join('\n');
    const signature = hmac(keys.secretKey, stringToSign).toString('hex');
    const authorization = `${SIGNING_ALGORITHM} Access=${keys.accessKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return { sdkDate, canonicalRequest, stringToSign, authorization, signedHeaders };
  }

  const day = sdkDate.slice(0, 8);
  const region = options.region ?? '';
  const service = options.service ?? '';
  const scope = `${day}/${region}/${service}/sdk_request`;
  const stringToSign = [SIGNING_ALGORITHM, sdkDate, scope, hashedRequest].join('\n');
  const kDate = hmac(`SDK${keys.secretKey}`, day);
  const kSigning = hmac(hmac(hmac(kDate, region), service), 'sdk_request');
  const signature = hmac(kSigning, stringToSign).toString('hex');
  const authorization = `${SIGNING_ALGORITHM} Credential=${keys.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { sdkDate, canonicalRequest, stringToSign, authorization, signedHeaders };
}
