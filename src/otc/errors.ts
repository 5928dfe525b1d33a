import { BotError } from '../domain/bot-error';
import { redactSecrets } from '../domain/redact';

/** Where a failed call went; never includes query strings with credentials, headers or bodies. */
export interface OtcCallSite {
  readonly method: string;
  readonly path: string;
}

/** Base of every cloud-layer failure. `code` is stable and safe to log; `message` is redacted (by BotError). */
export abstract class OtcError extends BotError {
  readonly method: string;
  readonly path: string;
  /** How many times the call was sent before this error surfaced; the retry loop sets it (1 = no retry). */
  attempts = 1;

  protected constructor(message: string, site: OtcCallSite, options?: { cause?: unknown }) {
    super(message, options);
    this.method = site.method;
    this.path = redactSecrets(site.path);
  }

  /**
   * A cloud error reaches the error handler only from a look-up: the executor turns failed associate
   * calls into per-volume outcomes instead of throwing. So the user may be told nothing changed.
   */
  override userSafeSentence(): string {
    return cloudSentence(this.code);
  }
}

/** The cloud answered with a non-success status. `otcCode` is e.g. `AutoBackup.0205` when the body names one. */
export class OtcHttpError extends OtcError {
  readonly code = 'OTC_HTTP';
  readonly status: number;
  readonly otcCode: string | undefined;
  readonly otcMessage: string | undefined;
  /** The cloud's X-Request-Id (or the body's request_id): what OTC support asks for. */
  readonly otcRequestId: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    site: OtcCallSite;
    status: number;
    otcCode?: string | undefined;
    otcMessage?: string | undefined;
    otcRequestId?: string | undefined;
    retryAfterMs?: number | undefined;
  }) {
    const what = init.otcCode ? `${init.otcCode}: ${init.otcMessage ?? 'no message'}` : `HTTP ${init.status}`;
    super(`${init.site.method} ${init.site.path} failed with ${init.status} (${what})`, init.site);
    this.status = init.status;
    this.otcCode = init.otcCode;
    this.otcMessage = init.otcMessage === undefined ? undefined : redactSecrets(init.otcMessage);
    this.otcRequestId = init.otcRequestId;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** The cloud's own code (`APIGW.0202`) tells an operator more than ours when the body named one. */
  override userSafeSentence(): string {
    return cloudSentence(this.otcCode ?? this.code);
  }
}

/** The call never got an HTTP answer: refused, reset, DNS, TLS or timed out. */
export class OtcNetworkError extends OtcError {
  readonly code = 'OTC_NETWORK';
  readonly reason: string;

  constructor(site: OtcCallSite, reason: string, cause?: unknown) {
    super(`${site.method} ${site.path} failed: ${reason}`, site, { cause });
    this.reason = redactSecrets(reason);
  }
}

/** The cloud answered 2xx but the body is not the documented shape. */
export class OtcResponseShapeError extends OtcError {
  readonly code = 'OTC_RESPONSE_SHAPE';
  readonly status: number;
  readonly issues: readonly string[];
  readonly otcRequestId: string | undefined;

  constructor(site: OtcCallSite, status: number, issues: readonly string[], otcRequestId?: string) {
    super(`${site.method} ${site.path} returned an unexpected body: ${issues.slice(0, 5).join('; ')}`, site);
    this.status = status;
    this.issues = issues.map(redactSecrets);
    this.otcRequestId = otcRequestId;
  }
}

/** Credentials were refused (IAM 401/403 on token issue, or 401 again after a token refresh). */
export class OtcAuthError extends OtcError {
  readonly code = 'OTC_AUTH';
  readonly status: number;

  constructor(site: OtcCallSite, status: number, detail: string) {
    super(`${site.method} ${site.path}: authentication failed (${status}): ${detail}`, site);
    this.status = status;
  }
}

export function isOtcError(e: unknown): e is OtcError {
  return e instanceof OtcError;
}

function cloudSentence(code: string): string {
  return `The cloud did not answer the bot's look-up (${code}), so nothing was changed. Please try again in a minute.`;
}
