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
  // What the workspace forbids, or what the message itself is: asking again changes nothing, and
  // every later message of the request would wait behind it through the whole backoff.
  'restricted_action_thread_locked',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'cannot_reply_to_message',
  'msg_blocks_too_long',
  'metadata_too_large',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'edit_window_closed',
  'is_inactive',
  'ekm_access_denied',
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

/** The error code Slack answered with (`invalid_auth`, `channel_not_found`, …); none when Slack was not reached. */
export function platformCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('data' in e)) return undefined;
  const data = (e as { data?: { error?: unknown } }).data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** The innermost cause of a failed call that says more than its wrapper: `connect ECONNREFUSED 10.0.0.1:443`. */
function rootCause(e: Error): string | undefined {
  let at: unknown = e;
  let said: string | undefined;
  for (let depth = 0; depth < 5 && at instanceof Error; depth += 1) {
    const next: unknown = 'original' in at ? (at as { original?: unknown }).original : at.cause;
    if (!(next instanceof Error)) break;
    const code = 'code' in next && typeof next.code === 'string' ? next.code : undefined;
    said = code !== undefined && !next.message.includes(code) ? `${code}: ${next.message}` : next.message;
    at = next;
  }
  return said !== undefined && !e.message.includes(said) ? said : undefined;
}

/**
 * Slack's error code of a failed Web API call, else the client's message with what caused it
 * (`A request error occurred: fetch failed (ECONNREFUSED: connect ECONNREFUSED 10.0.0.1:443)`).
 */
export function slackErrorCode(e: unknown): string {
  const code = platformCode(e);
  if (code !== undefined) return code;
  if (!(e instanceof Error)) return String(e);
  const cause = rootCause(e);
  return cause === undefined ? e.message : `${e.message} (${cause})`;
}

/** A call that never reached Slack (no Slack error code: a network or proxy problem), in one sentence with its fix. */
export function unreachableProblem(method: string, e: unknown): string {
  return (
    `Slack cannot be reached (${method}: ${slackErrorCode(e)}): check the network, HTTPS_PROXY and NO_PROXY, ` +
    'and SLACK_API_URL if set.'
  );
}

/** What a failed `auth.test` means, in one sentence with its fix: Slack not reached, or the token refused. */
export function authTestProblem(e: unknown): string {
  // No Slack error code means Slack was never reached: a network or proxy problem, not the token.
  if (platformCode(e) === undefined) return unreachableProblem('auth.test', e);
  return (
    `Slack refused the bot token (auth.test: ${slackErrorCode(e)}): set SLACK_BOT_TOKEN to the app's ` +
    "Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page, and reinstall the app if it was revoked."
  );
}
