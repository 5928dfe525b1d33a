import { redactSecrets } from './redact';

/**
 * Base of every failure the bot throws on purpose (cloud, store, config). They all end in the one
 * `app.error` handler, which logs `code` and shows a person `userSafeSentence()`; so the base makes
 * both safe to show once, here, instead of trusting each place that builds an error: the message
 * and the cause are redacted in the constructor, before anything can log them.
 */
export abstract class BotError extends Error {
  /** Stable and safe to log (`OTC_HTTP`, `STORE_UNAVAILABLE`); never holds a value from the failure. */
  abstract readonly code: string;

  protected constructor(message: string, options?: { readonly cause?: unknown }) {
    super(redactSecrets(message), withScrubbedCause(options?.cause));
    this.name = new.target.name;
  }

  /** The one sentence a person in Slack may read about this failure: what happened to their request, what to do. */
  abstract userSafeSentence(): string;
}

export function isBotError(e: unknown): e is BotError {
  return e instanceof BotError;
}

/**
 * Keeps the cause's class, redacted message and `code` only: driver and HTTP errors can hold
 * request options (headers with tokens), connection strings or bodies, and loggers walk causes.
 * A cause that is not an Error (a string, a body) is dropped rather than guessed at.
 */
function withScrubbedCause(cause: unknown): ErrorOptions | undefined {
  if (!(cause instanceof Error)) return undefined;
  const safe = new Error(redactSecrets(cause.message));
  safe.name = cause.name;
  if ('code' in cause && typeof cause.code === 'string') Object.assign(safe, { code: cause.code });
  return { cause: safe };
}
