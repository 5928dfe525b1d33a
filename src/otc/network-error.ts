import { OtcNetworkError } from './errors';
import type { OtcCallSite } from './errors';
import { ABORTED_REASON } from './retry-policy';

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  UND_ERR_HEADERS_TIMEOUT: 'response timeout (no headers)',
  UND_ERR_BODY_TIMEOUT: 'response timeout (body stalled)',
  UND_ERR_SOCKET: 'socket closed by the other side',
  UND_ERR_CLOSED: 'client closed',
  UND_ERR_DESTROYED: 'client destroyed',
  UND_ERR_ABORTED: ABORTED_REASON,
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'response body shorter than announced',
  UND_ERR_PRX_TLS: 'TLS to the proxy failed',
  ABORT_ERR: ABORTED_REASON,
};

/**
 * Turns whatever undici or the socket threw into an OtcNetworkError with a short reason built from
 * the error's `code` only (undici errors can carry request options; the constructor keeps just the
 * cause's class, code and redacted message).
 */
export function toNetworkError(site: OtcCallSite, error: unknown, signal: AbortSignal | undefined): OtcNetworkError {
  if (signal?.aborted) return new OtcNetworkError(site, ABORTED_REASON, error);
  const code = findCode(error);
  const reason =
    code === undefined
      ? 'request failed'
      : (REASONS[code] ??
        (code.startsWith('ERR_TLS') || code.includes('CERT') ? 'TLS error' : `request failed (${code})`));
  return new OtcNetworkError(site, reason, error);
}

function findCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, name, errors, cause } = error as { code?: unknown; name?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === 'string' && code !== '') return code;
  if (name === 'AbortError') return 'ABORT_ERR';
  // Node's happy-eyeballs connect throws an AggregateError whose parts carry the code.
  if (Array.isArray(errors)) {
    for (const part of errors) {
      const inner = findCode(part);
      if (inner !== undefined) return inner;
    }
  }
  return cause === undefined || cause === error ? undefined : findCode(cause);
}
