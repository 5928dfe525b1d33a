import { redactSecrets } from '../domain/redact';

/** Where a failed call went; never includes query strings with credentials, headers or bodies. */
export interface OtcCallSite {
  readonly method: string;
  readonly path: string;
}

/** Base of every cloud-layer failure. `code` is stable and safe to log; `message` is redacted. */
export abstract class OtcError extends Error {
  abstract readonly code: string;
  readonly method: string;
  readonly path: string;
  /** How many times the call was sent before this error surfaced; the retry loop sets it (1 = no retry). */
  attempts = 1;

  protected constructor(message: string, site: OtcCallSite, options?: { cause?: unknown }) {
    super(redactSecrets(message), options?.cause === undefined ? undefined : { cause: scrubCause(options.cause) });
    this.name = new.target.name;
    this.method = site.method;
    this.path = redactSecrets(site.path);
  }
}

/** The cloud answered with a non-success status. `otcCode` is e.g. `AutoBackup.0205` when the body names one. */
export class OtcHttpError extends OtcError {
  readonly code = 'OTC_HTTP';
  readonly status: number;
  readonly otcCode: string | undefined;
  readonly otcMessage: string | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    site: OtcCallSite;
    status: number;
    otcCode?: string | undefined;
    otcMessage?: string | undefined;
    requestId?: string | undefined;
    retryAfterMs?: number | undefined;
  }) {
    const what = init.otcCode ? `${init.otcCode}: ${init.otcMessage ?? 'no message'}` : `HTTP ${init.status}`;
    super(`${init.site.method} ${init.site.path} failed with ${init.status} (${what})`, init.site);
    this.status = init.status;
    this.otcCode = init.otcCode;
    this.otcMessage = init.otcMessage === undefined ? undefined : redactSecrets(init.otcMessage);
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
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
  readonly requestId: string | undefined;

  constructor(site: OtcCallSite, status: number, issues: readonly string[], requestId?: string) {
    super(`${site.method} ${site.path} returned an unexpected body: ${issues.slice(0, 5).join('; ')}`, site);
    this.status = status;
    this.issues = issues.map(redactSecrets);
    this.requestId = requestId;
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

/** Keep the cause's class and redacted message only: undici errors can hold request options (headers). */
function scrubCause(cause: unknown): unknown {
  if (cause instanceof Error) {
    const safe = new Error(redactSecrets(cause.message));
    safe.name = cause.name;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') (safe as Error & { code?: string }).code = code;
    return safe;
  }
  return undefined;
}
