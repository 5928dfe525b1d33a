import type Database from 'better-sqlite3';
import type { BackupRequest } from '../domain/backup-request';
import type { RequestRow } from './record-codec';
import { decodeRequest } from './record-codec';
import type { SqliteConnectionOptions } from './sqlite-connection';
import type { SqlParams, SqlRunner } from './sql-runner';
import type { Checkpointer } from './sqlite-checkpointer';
import { CHECKPOINT_EVERY_MS, CHECKPOINT_START_AFTER_MS, startCheckpointer } from './sqlite-checkpointer';
import { applySqliteMigrations, openSqliteDatabase, toSqliteStoreError } from './sqlite-connection';

interface PendingWrite {
  readonly fn: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

type WriteOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** One better-sqlite3 connection as the store uses it: synchronous calls behind promises, statements cached. */
export class SqliteDatabase implements SqlRunner {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /**
   * One transaction wrapper for the connection, the work passed as its argument: `db.transaction(fn)`
   * builds four wrappers and defines their properties on every call (about 7 µs, per a micro-benchmark).
   */
  private readonly inTransaction: Database.Transaction<(fn: () => unknown) => unknown>;
  /** Writes asked for in this turn, committed together at its end (see `write`). */
  private pending: PendingWrite[] = [];
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

  /**
   * A write transaction that takes the write lock at BEGIN (check-then-write stays atomic across
   * connections). The writes asked for in one turn of the event loop share it, in the order asked, once the turn's synchronous work is done (a
   * microtask), and they commit together. A write that throws undoes only itself and fails only its
   * caller (the batch is run again with a savepoint around each write; a write may so run twice,
   * and must be nothing but statements); when the commit fails, or SQLite ended the transaction itself (a full disk, an I/O
   * error), every write of the batch fails and none of them holds. The lock is held for the batch
   * only, never across turns. Its caller's promise settles once its write is committed, as before:
   * what changes is that a batch of writes pays for one commit (the log's pages and locks) instead
   * of one each.
   */
  write<T>(fn: () => T): Promise<T> {
    // Its promise could not settle with the commit of the write it is inside: the statements belong
    // in that write's own function.
    if (this.db.inTransaction) return Promise.reject(new Error('a write was asked for inside another write'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.length === 1) queueMicrotask(() => this.commitPending());
    });
  }

  /** Runs and commits the writes asked for so far (see `write`). */
  private commitPending(): void {
    const batch = this.pending;
    this.pending = [];
    const [only] = batch;
    if (only === undefined) return;
    if (batch.length === 1) {
      try {
        only.resolve(this.inTransaction.immediate(only.fn));
      } catch (err) {
        only.reject(toSqliteStoreError(err));
      }
      return;
    }
    // Most batches have no write that throws: run them without a savepoint each (two statements
    // per write, a quarter of a command's statements). When one throws, the wrapper has rolled the
    // whole batch back; it runs again with savepoints, so that write fails alone. A write is only
    // statements, so running it twice leaves what running it once would.
    let failedInWrite = false as boolean; // set inside the transaction's callback
    try {
      const values = this.inTransaction.immediate(() =>
        batch.map((w) => {
          let value: unknown;
          try {
            value = w.fn();
          } catch (err) {
            failedInWrite = this.db.inTransaction;
            throw err;
          }
          // SQLite ended the transaction itself: what follows would run outside it, one by one.
          if (!this.db.inTransaction) throw new Error('the transaction was ended during the batch');
          return value;
        }),
      ) as unknown[];
      batch.forEach((w, i) => w.resolve(values[i]));
      return;
    } catch (err) {
      if (!failedInWrite) {
        const error = toSqliteStoreError(err);
        for (const w of batch) w.reject(error);
        return;
      }
    }
    let outcomes: readonly WriteOutcome[];
    try {
      outcomes = this.inTransaction.immediate(() => batch.map((w) => this.inSavepoint(w.fn))) as WriteOutcome[];
    } catch (err) {
      const error = toSqliteStoreError(err);
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok === true) w.resolve(outcome.value);
      else w.reject(toSqliteStoreError(outcome?.error ?? new Error('write not run')));
    });
  }

  /** One write of a batch; rethrows (failing the batch) when SQLite has ended the whole transaction. */
  private inSavepoint(fn: () => unknown): WriteOutcome {
    try {
      return { ok: true, value: this.inTransaction(fn) };
    } catch (error) {
      if (!this.db.inTransaction) throw error;
      return { ok: false, error };
    }
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

  /** A statement that changes rows: a write like any other (see `write`), batched with its turn's. */
  changes(sql: string, params: SqlParams): Promise<number> {
    return this.write(() => this.prepare<[SqlParams]>(sql).run(params).changes);
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
    // Writes asked for before the close are committed, as they would have been without it.
    if (this.db.open) this.commitPending();
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
