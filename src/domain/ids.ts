/** Branded identifiers: a volume id cannot be passed where a policy id is expected. */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type VolumeId = Brand<string, 'VolumeId'>;
export type PolicyId = Brand<string, 'PolicyId'>;
export type ProjectId = Brand<string, 'ProjectId'>;
export type RequestId = Brand<string, 'RequestId'>;
export type ServerId = Brand<string, 'ServerId'>;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** EVS volume ids, VBS policy ids and ECS server ids are UUIDs. */
export function isUuid(text: string): boolean {
  return UUID_RE.test(text);
}

export function asVolumeId(id: string): VolumeId {
  return id.toLowerCase() as VolumeId;
}

export function asPolicyId(id: string): PolicyId {
  return id as PolicyId;
}

export function asProjectId(id: string): ProjectId {
  return id as ProjectId;
}

export function asServerId(id: string): ServerId {
  return id.toLowerCase() as ServerId;
}

const REQUEST_ID_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
const REQUEST_ID_RE = /^r-[23456789abcdefghjkmnpqrstuvwxyz]{8}$/;

/**
 * A short request id people can read aloud and type ("r-7kq2m9xa"): no 0/o, 1/l/i.
 * Randomness is a parameter so this stays pure; callers pass crypto.randomBytes(8).
 */
export function formatRequestId(randomBytes: Uint8Array): RequestId {
  if (randomBytes.length < 8) throw new RangeError('formatRequestId needs 8 random bytes');
  let id = 'r-';
  for (const byte of randomBytes.subarray(0, 8)) id += REQUEST_ID_ALPHABET.charAt(byte % REQUEST_ID_ALPHABET.length);
  return id as RequestId;
}

/** An id no request can have (0 is not in the alphabet): what a button carrying a malformed id is looked up as. */
export const NO_REQUEST_ID = 'r-00000000' as RequestId;

export function parseRequestId(text: string): RequestId | undefined {
  const trimmed = text.trim().toLowerCase();
  return REQUEST_ID_RE.test(trimmed) ? (trimmed as RequestId) : undefined;
}
