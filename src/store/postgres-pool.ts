import type { CustomTypesConfig, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { Pool, types } from 'pg';
import {
  MIGRATION_LOCK_KEY,
  pendingMigrations,
  POSTGRES_MIGRATIONS,
  SCHEMA_MIGRATIONS_TABLE_POSTGRES,
} from './migrations';
import { codeOf, describeTarget, isDroppedConnection, toPostgresStoreError } from './postgres-errors';
import { StoreUnavailableError } from './request-store';
import type { PositionalSql, SqlParams, SqlRunner } from './sql-runner';
import { positionalValues, toPositional } from './sql-runner';
import type { StoreLogger } from './store-logger';
import { SILENT_LOGGER } from '../log/fields';

export interface PostgresStoreOptions {
  readonly connectionString: string;
  /** Schema for all tables (created by migrate() if missing; search_path of every connection). */
  readonly schema?: string;
  readonly logger?: StoreLogger;
  /** Connections in the pool. Default 10. */
  readonly poolMax?: number;
  /** How long to wait for a connection before failing with StoreUnavailableError. Default 5000 ms. */
  readonly connectionTimeoutMs?: number;
  readonly applicationName?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const INT8_OID = 20;

/** pg's own parser of a type; typed by the number the server sends (pg's enum of ids has no other members). */
const builtinParser = types.getTypeParser as (oid: number, format?: 'text' | 'binary') => unknown;

/** BIGINT columns (epoch ms, BIGSERIAL ids, counts) come back as numbers: all fit in 2^53. */
const NUMERIC_INT8: CustomTypesConfig = {
  getTypeParser: (oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8_OID && format !== 'binary' ? Number : builtinParser(oid, format),
};

const compiled = new Map<string, PositionalSql>();

/** Runs a statement written with `@name` parameters on a pool or a transaction's client. */
export function queryNamed<R extends QueryResultRow = QueryResultRow>(
  on: Pick<PoolClient, 'query'>,
  sql: string,
  params: SqlParams,
): Promise<QueryResult<R>> {
  let positional = compiled.get(sql);
  if (positional === undefined) {
    positional = toPositional(sql);
    compiled.set(sql, positional);
  }
  return on.query<R>(positional.text, positionalValues(positional, params));
}

/**
 * A pg Pool as the store uses it: statements with `@name` parameters, and every failure to reach
 * the server surfaced as StoreUnavailableError (never with the URL).
 */
export class PostgresPool implements SqlRunner {
  private readonly pool: Pool;
  private readonly target: string;
  private readonly schema: string | undefined;
  private readonly logger: StoreLogger;
  private ended = false;

  constructor(options: PostgresStoreOptions) {
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
      throw new Error('PostgreSQL schema must be a lower-case identifier (a-z, 0-9, _)');
    }
    this.schema = options.schema;
    this.target = describeTarget(options.connectionString);
    this.logger = options.logger ?? SILENT_LOGGER;
    this.pool = new Pool({
      connectionString: options.connectionString,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
      application_name: options.applicationName ?? 'otc-backup-bot',
      types: NUMERIC_INT8,
      ...(this.schema === undefined ? {} : { options: `-c search_path=${this.schema}` }),
    });
    // An idle connection dropped by the server must not crash the process; the pool replaces it.
    this.pool.on('error', (err: Error & { code?: string }) => {
      this.logger.warn('PostgreSQL idle connection failed', { code: err.code ?? 'unknown' });
    });
  }

  private fail(err: unknown): Error {
    return toPostgresStoreError(err, this.target);
  }

  /**
   * A read; one that met a connection the server had dropped is read once more, on the connection
   * the pool gives next (a read changes nothing, so reading it twice is harmless).
   */
  async rows<R>(sql: string, params: SqlParams = {}): Promise<R[]> {
    try {
      return (await queryNamed(this.pool, sql, params)).rows as R[];
    } catch (err) {
      if (this.ended || !isDroppedConnection(err)) throw this.fail(err);
      this.logger.warn('PostgreSQL dropped a connection; reading again on another', { code: codeOf(err) });
    }
    try {
      return (await queryNamed(this.pool, sql, params)).rows as R[];
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** Number of rows the statement changed. */
  async changes(sql: string, params: SqlParams): Promise<number> {
    try {
      return (await queryNamed(this.pool, sql, params)).rowCount ?? 0;
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** Runs `fn` in BEGIN/COMMIT on one connection; rolls back when it throws or returns `{ rollback: true }`. */
  async transaction<T>(fn: (client: PoolClient) => Promise<{ value: T; rollback?: boolean }>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.fail(err);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query(result.rollback === true ? 'ROLLBACK' : 'COMMIT');
      return result.value;
    } catch (err) {
      broken = this.fail(err);
      await client.query('ROLLBACK').catch(() => undefined);
      throw broken;
    } finally {
      // A connection that failed mid-transaction is destroyed rather than returned to the pool.
      client.release(broken instanceof StoreUnavailableError ? broken : undefined);
    }
  }

  /** Applies missing migrations under a transaction-scoped advisory lock, creating the schema if asked to. */
  async migrate(): Promise<void> {
    const applied = await this.transaction(async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      if (this.schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(SCHEMA_MIGRATIONS_TABLE_POSTGRES);
      const done = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const todo = pendingMigrations(POSTGRES_MIGRATIONS, new Set(done.rows.map((r) => r.version)));
      for (const migration of todo) {
        for (const statement of migration.statements) await client.query(statement);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          Date.now(),
        ]);
      }
      return { value: todo.map((m) => m.version) };
    });
    for (const version of applied) this.logger.info('store migration applied', { dialect: 'postgres', version });
  }

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.pool.end();
  }
}
