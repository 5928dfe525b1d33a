import { request } from 'undici';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { OtcAuthError, OtcError, OtcHttpError, OtcNetworkError, OtcResponseShapeError } from './errors';
import type { OtcCallSite } from './errors';
import type { AuthGrant, RequestAuthorizer } from './auth';
import { toNetworkError } from './network-error';
import { scrubError, scrubText } from './scrub';
import { firstHeader, formatIssues, parseErrorBody, parseJsonText, pickOtcRequestId } from './response-body';
import { ABORTED_REASON, decideRetry, parseRetryAfter } from './retry-policy';
import type { RetryPolicy } from './retry-policy';
import type { Clock, Sleeper } from '../domain/clock';
import type { OtcLogger } from './runtime';
import type { ProjectRef } from './types';

export const DEFAULT_RESPONSE_TIMEOUT_MS = 30_000;

export interface HttpCoreOptions {
  readonly dispatcher: Dispatcher;
  readonly retry: RetryPolicy;
  /** undici headersTimeout and bodyTimeout for each send. */
  readonly responseTimeoutMs: number;
  readonly clock: Clock & Sleeper;
  readonly random: () => number;
  readonly logger: OtcLogger;
  /** Told of every send that got an answer or a network failure: for metrics, without parsing logs. */
  readonly onCall?: ((call: CloudCall) => void) | undefined;
}

/** One send to the cloud as metrics see it; `status` is undefined when no HTTP answer came. */
export interface CloudCall {
  readonly method: string;
  /** The URL's path, without the query. */
  readonly path: string;
  readonly status: number | undefined;
  readonly durationMs: number;
}

export interface CallSpec<T> {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly body?: unknown;
  /** Validates every 2xx body; failures become OtcResponseShapeError. */
  readonly schema: z.ZodType<T>;
  /** Omitted for the IAM token call itself. */
  readonly auth?: { readonly authorizer: RequestAuthorizer; readonly project: ProjectRef } | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Secret values in this request (the IAM password) to scrub from anything the cloud echoes back. */
  readonly secrets?: readonly string[] | undefined;
}

export interface CallResult<T> {
  readonly value: T;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly otcRequestId: string | undefined;
  /** Sends made, the first one, retries and a 401 replay included. */
  readonly attempts: number;
}

export interface HttpCore {
  call<T>(spec: CallSpec<T>): Promise<CallResult<T>>;
}

/**
 * A GET of one resource: its body, or undefined when the service says it does not exist. Only the
 * service's own 404 means that, and the service names itself in its error body (`itemNotFound`,
 * `badrequest`, ...): the API gateway's 404 (`APIGW.*`) means a wrong endpoint or path, and a 404
 * with no code (a proxy's HTML page) says nothing of the resource. Both are errors like any other,
 * never "not found". Lists never use this: a 404 there is always an error.
 */
export async function getIfExists<T>(http: HttpCore, spec: Omit<CallSpec<T>, 'method'>): Promise<T | undefined> {
  try {
    return (await http.call({ ...spec, method: 'GET' })).value;
  } catch (e) {
    if (e instanceof OtcHttpError && isResourceNotFound(e)) return undefined;
    throw e;
  }
}

function isResourceNotFound(error: OtcHttpError): boolean {
  return error.status === 404 && error.otcCode !== undefined && !error.otcCode.startsWith('APIGW.');
}

/**
 * One cloud call: JSON in, zod-checked JSON out, with the retry policy, one token refresh + replay on
 * 401, and typed errors that hold no headers, bodies or secrets.
 */
export function createHttpCore(options: HttpCoreOptions): HttpCore {
  const { clock, logger } = options;

  async function call<T>(spec: CallSpec<T>): Promise<CallResult<T>> {
    const site: OtcCallSite = { method: spec.method, path: spec.url.pathname };
    const bodyText = spec.body === undefined ? '' : JSON.stringify(spec.body);
    const started = clock.now();
    let sends = 0;
    let retryAttempt = 0;
    let replayed = false;
    for (;;) {
      // Token issue failures (IAM refused, IAM down after its own retries) surface as they are.
      const grant = spec.auth
        ? await spec.auth.authorizer.authorize({
            method: spec.method,
            url: spec.url,
            body: bodyText,
            project: spec.auth.project,
          })
        : undefined;
      sends += 1;
      retryAttempt += 1;
      let error: OtcError;
      try {
        const result = await sendOnce(spec, site, bodyText, grant, sends);
        return { ...result, attempts: sends };
      } catch (e) {
        if (!(e instanceof OtcError)) throw e;
        error = e;
      }
      if (grant && isAuthRejection(error)) {
        if (!replayed && grant.reject()) {
          replayed = true;
          retryAttempt -= 1;
          logger.warn('otc token refused, replaying once with a new token', logFields(site, error, sends));
          continue;
        }
        const status = error instanceof OtcHttpError ? error.status : 401;
        error = new OtcAuthError(
          site,
          status,
          replayed ? 'a freshly issued token was refused' : 'the request signature was refused',
        );
      }
      const delayMs = decideRetry(
        options.retry,
        { attempt: retryAttempt, elapsedMs: clock.now() - started, error },
        options.random,
      );
      if (delayMs === undefined) {
        error.attempts = sends;
        if (error instanceof OtcHttpError && error.status < 500)
          logger.debug('otc call failed', logFields(site, error, sends));
        else logger.warn('otc call failed', logFields(site, error, sends));
        throw error;
      }
      logger.warn('otc call failed, will retry', { ...logFields(site, error, sends), delayMs });
      try {
        await clock.sleep(delayMs, spec.signal);
      } catch (e) {
        const aborted = new OtcNetworkError(site, ABORTED_REASON, e);
        aborted.attempts = sends;
        throw aborted;
      }
    }
  }

  async function sendOnce<T>(
    spec: CallSpec<T>,
    site: OtcCallSite,
    bodyText: string,
    grant: AuthGrant | undefined,
    attempt: number,
  ): Promise<Omit<CallResult<T>, 'attempts'>> {
    const secrets = [
      ...(grant?.secrets ?? []),
      ...(spec.secrets ?? []),
      ...(spec.auth?.authorizer.knownSecrets() ?? []),
    ];
    const headers: Record<string, string> = { accept: 'application/json', ...grant?.headers };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    const startedAt = clock.now();
    let status: number;
    let responseHeaders: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      const response = await request(spec.url, {
        dispatcher: options.dispatcher,
        method: spec.method,
        headers,
        body: spec.body === undefined ? null : bodyText,
        headersTimeout: options.responseTimeoutMs,
        bodyTimeout: options.responseTimeoutMs,
        signal: spec.signal,
      });
      status = response.statusCode;
      responseHeaders = response.headers;
      text = await response.body.text();
    } catch (e) {
      options.onCall?.({ ...site, status: undefined, durationMs: clock.now() - startedAt });
      throw toNetworkError(site, scrubError(e, secrets), spec.signal);
    }
    const otcRequestId = pickOtcRequestId(responseHeaders);
    const durationMs = clock.now() - startedAt;
    options.onCall?.({ ...site, status, durationMs });
    logger.debug('otc call', { ...site, status, attempt, otcRequestId, durationMs });
    if (status < 200 || status >= 300) {
      const info = parseErrorBody(text);
      throw new OtcHttpError({
        site,
        status,
        otcCode: info.otcCode,
        otcMessage: info.otcMessage === undefined ? undefined : scrubText(info.otcMessage, secrets),
        otcRequestId: otcRequestId ?? info.otcRequestId,
        retryAfterMs: parseRetryAfter(firstHeader(responseHeaders, 'retry-after'), clock.now()),
      });
    }
    const parsed = parseJsonText(text);
    if (!parsed.ok) throw new OtcResponseShapeError(site, status, ['(root): not JSON'], otcRequestId);
    const checked = spec.schema.safeParse(parsed.value);
    if (!checked.success) {
      throw new OtcResponseShapeError(site, status, formatIssues(checked.error.issues), otcRequestId);
    }
    return { value: checked.data, status, headers: responseHeaders, otcRequestId };
  }

  return { call };
}

/** 401, or VBS's "token expired" code whatever status it comes with. */
function isAuthRejection(error: OtcError): boolean {
  return error instanceof OtcHttpError && (error.status === 401 || error.otcCode === 'AutoBackup.0003');
}

function logFields(site: OtcCallSite, error: OtcError, attempt: number): Record<string, string | number | undefined> {
  return {
    ...site,
    attempt,
    code: error.code,
    status: 'status' in error ? (error.status as number) : undefined,
    otcCode: error instanceof OtcHttpError ? error.otcCode : undefined,
    otcRequestId: 'otcRequestId' in error ? (error.otcRequestId as string | undefined) : undefined,
  };
}
