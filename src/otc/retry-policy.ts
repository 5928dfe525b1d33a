import { OtcHttpError, OtcNetworkError } from './errors';

/**
 * When a failed cloud call is sent again, as data. Pure: the caller owns the clock and randomness.
 * Every call this client makes is safe to repeat (GETs, IAM token issue, VBS associate/disassociate),
 * so network errors and 5xx are retried by default; 4xx other than 429 never are.
 */
export interface RetryPolicy {
  /** Sends in total, the first one included. */
  readonly maxAttempts: number;
  /** Backoff ceiling for the first retry; doubles each retry (full jitter below it). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Time budget for one call, retries and waits included; a wait that would pass it is not started. */
  readonly maxTotalMs: number;
  readonly retryStatuses: readonly number[];
  readonly retryNetworkErrors: boolean;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 8000,
  maxTotalMs: 30000,
  retryStatuses: Object.freeze([429, 500, 502, 503, 504]),
  retryNetworkErrors: true,
});

/** Statuses that mean "your request is wrong or not allowed": sending it again cannot help. */
const NEVER_RETRIED = new Set([400, 401, 403, 404, 405, 409, 413, 422]);

export interface RetryContext {
  /** How many sends were made so far (1 after the first failure). */
  readonly attempt: number;
  /** Milliseconds since the first send started. */
  readonly elapsedMs: number;
  readonly error: unknown;
}

/**
 * Merges a partial policy over the default and checks it; throws RangeError on nonsense values.
 * `sendTimeoutMs`: how long one send may wait for its answer. Unless the budget is given, it leaves
 * room for a second send after a first that timed out: a budget no longer than one send's timeout
 * would never retry a timed-out call, which is the failure a retry is for.
 */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> | undefined, sendTimeoutMs?: number): RetryPolicy {
  const maxTotalMs = partial?.maxTotalMs ?? Math.max(DEFAULT_RETRY_POLICY.maxTotalMs, 2 * (sendTimeoutMs ?? 0));
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...partial, maxTotalMs };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError('retry.maxAttempts must be an integer >= 1');
  }
  for (const key of ['baseDelayMs', 'maxDelayMs', 'maxTotalMs'] as const) {
    if (!Number.isFinite(policy[key]) || policy[key] < 0) throw new RangeError(`retry.${key} must be a number >= 0`);
  }
  return Object.freeze(policy);
}

/** True when the error class and status allow another send under this policy. */
export function isRetryableError(policy: RetryPolicy, error: unknown): boolean {
  if (error instanceof OtcHttpError) {
    return !NEVER_RETRIED.has(error.status) && policy.retryStatuses.includes(error.status);
  }
  if (error instanceof OtcNetworkError) return policy.retryNetworkErrors && error.reason !== ABORTED_REASON;
  // OtcResponseShapeError, OtcAuthError and anything unknown: a resend would get the same answer.
  return false;
}

/** The reason an OtcNetworkError carries when the caller's AbortSignal fired; never retried. */
export const ABORTED_REASON = 'aborted by the caller';

/**
 * How long to wait before the next send, or undefined to give up. Exponential backoff with full
 * jitter (`random() * min(maxDelay, base * 2^(attempt-1))`); a `Retry-After` the cloud sent wins over
 * the backoff. Gives up when attempts are used up or the wait would end past `maxTotalMs`.
 */
export function decideRetry(policy: RetryPolicy, context: RetryContext, random: () => number): number | undefined {
  if (context.attempt >= policy.maxAttempts) return undefined;
  if (!isRetryableError(policy, context.error)) return undefined;
  const retryAfterMs = context.error instanceof OtcHttpError ? context.error.retryAfterMs : undefined;
  const delayMs =
    retryAfterMs !== undefined
      ? Math.max(0, Math.ceil(retryAfterMs))
      : Math.floor(clamp01(random()) * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (context.attempt - 1)));
  if (context.elapsedMs + delayMs > policy.maxTotalMs) return undefined;
  return delayMs;
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP-date (relative to `nowMs`). */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

function clamp01(n: number): number {
  if (!Number.isFinite(n) || n < 0) return 0;
  return n >= 1 ? 0.999999 : n;
}
