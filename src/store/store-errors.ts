import { BotError } from '../domain/bot-error';

/** Thrown when the database cannot be reached: the bot then refuses new work rather than act unrecorded. */
export class StoreUnavailableError extends BotError {
  readonly code = 'STORE_UNAVAILABLE';

  /** `cause` is the driver's error; only its class, code and redacted message are kept (it may name the URL). */
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }

  /** Without a record the bot does not act, so the user may be told that nothing changed. */
  override userSafeSentence(): string {
    return 'The bot cannot record requests right now, so it did not act: nothing was changed. Please try again in a few minutes.';
  }
}
