import { ErrorCode } from '@slack/web-api';
import type { WebAPICallError } from '@slack/web-api';

/** Platform errors (`data.error`) that another attempt cannot fix: the outbox gives these up at once. */
const PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'no_text',
  'cant_update_message',
  'message_not_found',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'missing_scope',
  'restricted_action',
  'user_not_found',
  'invalid_arguments',
]);

const CALL_ERROR_CODES: ReadonlySet<unknown> = new Set([
  ErrorCode.PlatformError,
  ErrorCode.RequestError,
  ErrorCode.HTTPError,
  ErrorCode.RateLimitedError,
]);

export interface SlackFailure {
  readonly error: string;
  readonly retryable: boolean;
  /** Slack's Retry-After on a 429 (the WebClient rejects rate-limited calls; the outbox waits). */
  readonly retryAfterMs?: number;
}

/**
 * A failed Web API call, told apart by the `code` each of the library's errors carries rather than
 * by `instanceof`: @slack/web-api comes in through Bolt, and a second copy of it in node_modules
 * (or the 7.x line, whose errors are plain Errors) would make `instanceof` miss without a sound.
 */
export function isWebApiCallError(e: unknown): e is WebAPICallError {
  return e instanceof Error && 'code' in e && CALL_ERROR_CODES.has(e.code);
}

/** Platform error name (`channel_not_found`), or the error's code (the WebClient's or another), or the message. */
export function slackErrorName(e: unknown): string {
  if (isWebApiCallError(e)) return e.code === ErrorCode.PlatformError ? e.data.error : e.code;
  if (!(e instanceof Error)) return String(e);
  return 'code' in e && typeof e.code === 'string' ? e.code : e.message;
}

export function classifySlackError(e: unknown): SlackFailure {
  const error = slackErrorName(e);
  const retryable = !PERMANENT.has(error);
  // The WebClient reports Retry-After in seconds; the outbox schedules in milliseconds.
  if (isWebApiCallError(e) && e.code === ErrorCode.RateLimitedError) {
    return { error, retryable, retryAfterMs: e.retryAfter * 1000 };
  }
  return { error, retryable };
}
