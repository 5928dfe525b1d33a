import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's window: Bolt refuses a signed timestamp older than five minutes, isFromTheFuture one further ahead. */
export const SIGNATURE_WINDOW_S = 300;

const SIGNATURE = /^v0=[0-9a-f]{64}$/;

/**
 * Slack's v0 request signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` under the
 * signing secret. Compared in constant time, so the answer's timing says nothing about how much of
 * a guess was right. Freshness of the timestamp is Bolt's check (and isFromTheFuture's), not this one.
 */
export function hasValidSlackSignature(
  signingSecret: string,
  timestamp: string,
  body: Buffer,
  signature: string,
): boolean {
  if (!SIGNATURE.test(signature)) return false;
  const expected = createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(signature.slice('v0='.length), 'hex'));
}
