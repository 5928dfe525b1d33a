import type Database from 'better-sqlite3';
import type { BackupRequest } from '../domain/backup-request';
import type { RequestRow } from './record-codec';
import { decodeRequest } from './record-codec';
import type { SqliteConnectionOptions } from './sqlite-connection';
import type { SqlParams, SqlRunner } from './sql-runner';
import type { Checkpointer } from './sqlite-checkpointer';
import { CHECKPOINT_EVERY_MS, CHECKPOINT_START_AFTER_MS, startCheckpointer } from './sqlite-checkpointer';
import { applySqliteMigrations, openSqliteDatabase, toSqliteStoreError } from './sqlite-connection';

/** One better-sqlite3 connection as the store uses it: synchronous calls behind promises, statements cached. */
export class SqliteDatabase implements SqlRunner {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /**
   * One transaction wrapper for the connection, the work passed as its argument: `db.transaction(fn)`
   * builds four wrappers and defines their properties on every call (about 7 µs, per a micro-benchmark).
   */
  private readonly inTransaction: Database.Transaction<(fn: () => unknown) => unknown>;
  private checkpointer: Checkpointer | undefined;
  private checkpointStart: NodeJS.Timeout | undefined;

  constructor(options: SqliteConnectionOptions) {
    this.db = openSqliteDatabase(options);
    this.inTransaction = this.db.transaction((fn: () => unknown) => fn());
    if (options.checkpointInWorker !== true || options.path === ':memory:') return;
    const start = (): void => {
      this.checkpointStart = undefined;
      this.checkpointer = startCheckpointer({
        path: options.path,
        everyMs: CHECKPOINT_EVERY_MS,
        pragma: (sql) => {
          if (this.db.open) this.db.pragma(sql);
        },
        onFailure: options.onCheckpointFailure ?? (() => undefined),
      });
    };
    const after = options.checkpointStartAfterMs ?? CHECKPOINT_START_AFTER_MS;
    if (after <= 0) start();
    else this.checkpointStart = setTimeout(start, after).unref();
  }

  /** Runs `fn` now, as a settled promise; driver failures that mean "no database" become StoreUnavailableError. */
  run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(toSqliteStoreError(err));
    }
  }

  /** A write transaction that takes the write lock at BEGIN (check-then-write stays atomic across connections). */
  write<T>(fn: () => T): Promise<T> {
    return this.run(() => this.inTransaction.immediate(fn) as T);
  }

  /** Prepared once per connection and reused; the row type `R` is the caller's word for what the SQL selects. */
  prepare<P extends unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement as Database.Statement<P, R>;
  }

  rows<R>(sql: string, params: SqlParams): Promise<R[]> {
    return this.run(() => this.prepare<[SqlParams], R>(sql).all(params));
  }

  changes(sql: string, params: SqlParams): Promise<number> {
    return this.run(() => this.prepare<[SqlParams]>(sql).run(params).changes);
  }

  requestRow(sql: string, params: Record<string, unknown>): BackupRequest | undefined {
    const row = this.prepare<[Record<string, unknown>], RequestRow>(sql).get(params);
    return row === undefined ? undefined : decodeRequest(row);
  }

  /** Applies the missing migrations in one write transaction; returns the versions applied. */
  migrate(): Promise<number[]> {
    return this.write(() => applySqliteMigrations(this.db, Date.now()));
  }

  async close(): Promise<void> {
    clearTimeout(this.checkpointStart);
    await this.checkpointer?.stop();
    return this.run(() => {
      if (this.db.open) this.db.close();
    });
  }

  ping(): Promise<void> {
    return this.run(() => {
      this.db.prepare('SELECT 1').get();
    });
  }
}
