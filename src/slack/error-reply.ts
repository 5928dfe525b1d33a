import { ErrorCode as BoltErrorCode, isCodedError } from '@slack/bolt';
import { ErrorCode as WebApiErrorCode } from '@slack/web-api';
import { isBotError } from '../domain/bot-error';

/** Bolt errors that only carry another error: the one a listener threw, or the one `authorize` failed with. */
const BOLT_WRAPPERS: ReadonlySet<string> = new Set([BoltErrorCode.UnknownError, BoltErrorCode.AuthorizationError]);

/**
 * The error a listener threw. Bolt hands an error with a `code` (ours, the Web API's) to the error
 * handler as it is, and wraps one without a code in an UnknownError whose `original` it is.
 */
export function originalError(error: unknown): unknown {
  if (error instanceof Error && isCodedError(error) && BOLT_WRAPPERS.has(error.code)) return error.original ?? error;
  return error;
}

/** One sentence a person may see for a failure that reached the error handler. Never a secret, never a stack. */
export function userSafeSentence(error: unknown): string {
  const original = originalError(error);
  if (isBotError(original)) return original.userSafeSentence();
  const code = codeOf(original);
  if (code === WebApiErrorCode.RateLimitedError)
    return 'Slack is limiting how fast the bot may work right now, so it did not act: nothing was changed. Please try again in a minute.';
  return `Something went wrong inside the bot${code === undefined ? '' : ` (${code})`}. If a request had started, its thread shows how it ended.`;
}

/** The code to log for an error: ours, Bolt's, the Web API's or Node's. */
export function errorCode(error: unknown): string {
  return codeOf(originalError(error)) ?? 'UNKNOWN';
}

/** Every error family the bot meets names itself by a string `code`; a thrown non-Error has none. */
function codeOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
