import { redactSecrets } from '../domain/redact';
import { StoreUnavailableError } from './request-store';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/**
 * SQLSTATEs meaning "the database is not there for us": connection exceptions (class 08), shutdown
 * and startup (57P01-57P03), too many connections, failed authentication, missing database.
 */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[1-3]|53300|28000|28P01|3D000)$/;

const POOL_MESSAGES =
  /timeout exceeded when trying to connect|connection terminated|connection timeout|Cannot use a pool after calling end|Client was closed|Connection refused/i;

export function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Node's happy-eyeballs connect (localhost -> ::1 and 127.0.0.1) fails with an AggregateError.
  if (err instanceof AggregateError) return codeOf(err.errors[0]);
  return undefined;
}

/** Is this failure the database (or the way to it) being down, rather than a bad statement? */
export function isConnectionFailure(err: unknown): boolean {
  const code = codeOf(err);
  if (code !== undefined && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  return err instanceof Error && POOL_MESSAGES.test(err.message);
}

/**
 * Is this failure a connection the server dropped while the pool held it (a restart, an idle
 * timeout, an administrator's kill), rather than a server that cannot be reached? The pool gives
 * the next statement another connection, so a read can be read again at once.
 */
export function isDroppedConnection(err: unknown): boolean {
  const code = codeOf(err);
  if (code === '57P01' || code === '57P02' || code === 'ECONNRESET' || code === 'EPIPE') return true;
  return err instanceof Error && /connection terminated unexpectedly/i.test(err.message);
}

/** "host:port" of a connection string, for messages; never the user or password. */
export function describeTarget(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return url.port === '' ? url.hostname : `${url.hostname}:${url.port}`;
  } catch {
    return 'the configured server';
  }
}

/**
 * Maps connection failures to StoreUnavailableError with a message built only from the failure
 * code and host (never the connection string); other errors pass through unchanged.
 */
export function toPostgresStoreError(err: unknown, target: string): Error {
  if (isConnectionFailure(err)) {
    const code = codeOf(err) ?? 'connection failed';
    return new StoreUnavailableError(redactSecrets(`PostgreSQL store unavailable at ${target} (${code})`), err);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** SQLSTATE 42P01 (undefined_table): the schema is not there, e.g. it was dropped or the database recreated. */
export function isMissingPostgresTable(err: unknown): boolean {
  return codeOf(err) === '42P01';
}
