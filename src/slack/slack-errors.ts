/** Slack Web API errors the bot reacts to; WebClient errors carry `code` and, for platform errors, `data.error`. */
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

export interface SlackFailure {
  readonly error: string;
  readonly retryable: boolean;
  /** Slack's Retry-After on a 429 (the WebClient rejects rate-limited calls; the outbox waits). */
  readonly retryAfterMs?: number;
}

/** Platform error name (`channel_not_found`), or the WebClient error code, or the message. */
export function slackErrorName(e: unknown): string {
  const data = (e as { data?: { error?: unknown } }).data;
  if (data && typeof data.error === 'string') return data.error;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return e instanceof Error ? e.message : String(e);
}

export function classifySlackError(e: unknown): SlackFailure {
  const error = slackErrorName(e);
  const retryAfter = (e as { retryAfter?: unknown }).retryAfter;
  return {
    error,
    retryable: !PERMANENT.has(error),
    ...(typeof retryAfter === 'number' && { retryAfterMs: retryAfter * 1000 }),
  };
}
