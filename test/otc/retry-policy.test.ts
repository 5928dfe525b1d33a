import { OtcAuthError, OtcHttpError, OtcNetworkError, OtcResponseShapeError } from '../../src/otc/errors';
import {
  ABORTED_REASON,
  decideRetry,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  resolveRetryPolicy,
} from '../../src/otc/retry-policy';

const site = { method: 'POST', path: '/v2/p/backuppolicyresources' };
const http = (status: number, retryAfterMs?: number): OtcHttpError => new OtcHttpError({ site, status, retryAfterMs });
const always = (value: number) => () => value;

describe('decideRetry', () => {
  it.each([429, 500, 502, 503, 504])('retries HTTP %i', (status) => {
    expect(decideRetry(DEFAULT_RETRY_POLICY, { attempt: 1, elapsedMs: 0, error: http(status) }, always(0.5))).toBe(125);
  });

  it.each([400, 401, 403, 404, 409])('never retries HTTP %i', (status) => {
    expect(
      decideRetry(DEFAULT_RETRY_POLICY, { attempt: 1, elapsedMs: 0, error: http(status) }, always(0.5)),
    ).toBeUndefined();
  });

  it('sends a call again after a first send that timed out, whatever the send timeout, unless the budget is set', () => {
    const timedOut = new OtcNetworkError(site, 'response timeout (no headers)');
    for (const sendTimeoutMs of [30_000, 120_000]) {
      const policy = resolveRetryPolicy(undefined, sendTimeoutMs);
      // The first send used its whole timeout: there is room for a second, not a third.
      expect(decideRetry(policy, { attempt: 1, elapsedMs: sendTimeoutMs + 5, error: timedOut }, always(0.5))).toBe(125);
      expect(
        decideRetry(policy, { attempt: 2, elapsedMs: 2 * sendTimeoutMs + 10, error: timedOut }, always(0.5)),
      ).toBeUndefined();
    }
    // A budget given in full is kept as it is.
    expect(resolveRetryPolicy({ maxTotalMs: 1000 }, 30_000).maxTotalMs).toBe(1000);
    expect(resolveRetryPolicy(undefined).maxTotalMs).toBe(DEFAULT_RETRY_POLICY.maxTotalMs);
  });

  it('never retries 400/401/403/404 even when a policy lists them', () => {
    const policy = resolveRetryPolicy({ retryStatuses: [400, 401, 403, 404, 503] });
    for (const status of [400, 401, 403, 404]) {
      expect(decideRetry(policy, { attempt: 1, elapsedMs: 0, error: http(status) }, always(0.5))).toBeUndefined();
    }
  });

  it('never retries a response shape error, an auth error or an unknown error', () => {
    for (const error of [
      new OtcResponseShapeError(site, 200, ['x: invalid_type']),
      new OtcAuthError(site, 401, 'refused'),
      new Error('bug'),
    ]) {
      expect(decideRetry(DEFAULT_RETRY_POLICY, { attempt: 1, elapsedMs: 0, error }, always(0.5))).toBeUndefined();
    }
  });

  it('retries network errors unless the policy says not to or the caller aborted', () => {
    const reset = new OtcNetworkError(site, 'connection reset by peer');
    expect(decideRetry(DEFAULT_RETRY_POLICY, { attempt: 1, elapsedMs: 0, error: reset }, always(0))).toBe(0);
    const noNetwork = resolveRetryPolicy({ retryNetworkErrors: false });
    expect(decideRetry(noNetwork, { attempt: 1, elapsedMs: 0, error: reset }, always(0))).toBeUndefined();
    const aborted = new OtcNetworkError(site, ABORTED_REASON);
    expect(decideRetry(DEFAULT_RETRY_POLICY, { attempt: 1, elapsedMs: 0, error: aborted }, always(0))).toBeUndefined();
  });

  it('backs off exponentially with full jitter below min(maxDelay, base * 2^(attempt-1))', () => {
    const policy = resolveRetryPolicy({ maxAttempts: 10, maxTotalMs: 1e9 });
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((attempt) =>
      decideRetry(policy, { attempt, elapsedMs: 0, error: http(503) }, always(0.999999)),
    );
    expect(ceilings).toEqual([249, 499, 999, 1999, 3999, 7999, 7999, 7999, 7999]);
    expect(decideRetry(policy, { attempt: 3, elapsedMs: 0, error: http(503) }, always(0))).toBe(0);
    expect(decideRetry(policy, { attempt: 3, elapsedMs: 0, error: http(503) }, always(0.25))).toBe(250);
  });

  it('gives up after maxAttempts sends', () => {
    expect(
      decideRetry(DEFAULT_RETRY_POLICY, { attempt: 3, elapsedMs: 0, error: http(503) }, always(0.5)),
    ).toBeDefined();
    expect(
      decideRetry(DEFAULT_RETRY_POLICY, { attempt: 4, elapsedMs: 0, error: http(503) }, always(0.5)),
    ).toBeUndefined();
  });

  it('honours Retry-After over the backoff', () => {
    expect(decideRetry(DEFAULT_RETRY_POLICY, { attempt: 1, elapsedMs: 0, error: http(429, 2000) }, always(0.5))).toBe(
      2000,
    );
  });

  it('gives up when the next wait would end past the time budget', () => {
    const ctx = (elapsedMs: number) => ({ attempt: 1, elapsedMs, error: http(429, 2000) });
    expect(decideRetry(DEFAULT_RETRY_POLICY, ctx(28000), always(0.5))).toBe(2000);
    expect(decideRetry(DEFAULT_RETRY_POLICY, ctx(28001), always(0.5))).toBeUndefined();
    expect(
      decideRetry(DEFAULT_RETRY_POLICY, { attempt: 1, elapsedMs: 0, error: http(429, 31000) }, always(0.5)),
    ).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-03-01T12:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
  });

  it('reads an HTTP-date relative to the clock, never negative', () => {
    expect(parseRetryAfter('Sat, 01 Mar 2025 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sat, 01 Mar 2025 11:59:00 GMT', now)).toBe(0);
  });

  it('ignores absent and unreadable values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
  });
});

describe('resolveRetryPolicy', () => {
  it('fills the defaults and rejects nonsense', () => {
    expect(resolveRetryPolicy(undefined)).toEqual(DEFAULT_RETRY_POLICY);
    expect(resolveRetryPolicy({ maxAttempts: 1 }).maxAttempts).toBe(1);
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => resolveRetryPolicy({ baseDelayMs: -1 })).toThrow(RangeError);
  });
});
