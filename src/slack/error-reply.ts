import { isOtcError } from '../otc/errors';
import { StoreUnavailableError } from '../store/request-store';
import { ConfigError } from '../config/config-error';

/** One sentence a person may see for a failure that reached the error handler. Never a secret, never a stack. */
export function userSafeSentence(error: unknown): string {
  const original = (error as { original?: unknown }).original ?? error;
  if (original instanceof StoreUnavailableError) {
    return 'The bot cannot record requests right now, so it did not act: nothing was changed. Please try again in a few minutes.';
  }
  if (isOtcError(original)) {
    const code = (original as { otcCode?: string }).otcCode ?? original.code;
    return `The cloud did not answer the bot's look-up (${code}), so nothing was changed. Please try again in a minute.`;
  }
  if (original instanceof ConfigError) return 'The bot is misconfigured; its administrators have been told in the log.';
  const code = (original as { code?: unknown }).code;
  return `Something went wrong inside the bot${typeof code === 'string' ? ` (${code})` : ''}. If a request had started, its thread shows how it ended.`;
}

/** The code to log for an error: ours, Bolt's, or the Web API's. */
export function errorCode(error: unknown): string {
  const original = (error as { original?: unknown }).original ?? error;
  const code = (original as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}
