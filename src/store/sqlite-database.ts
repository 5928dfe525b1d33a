import type Database from 'better-sqlite3';
import type { BackupRequest } from '../domain/backup-request';
import type { RequestRow } from './record-codec';
import { decodeRequest } from './record-codec';
import type { SqliteConnectionOptions } from './sqlite-connection';
import type { SqlParams, SqlRunner } from './sql-runner';
import type { Checkpointer } from './sqlite-checkpointer';
import { CHECKPOINT_EVERY_MS, startCheckpointer } from './sqlite-checkpointer';
import { applySqliteMigrations, openSqliteDatabase, toSqliteStoreError } from './sqlite-connection';

/** A write waiting for the commit of its group. */
interface Waiting {
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/** The writes of one group commit: one transaction, committed when the window closes. */
interface Group {
  readonly waiting: Waiting[];
  readonly timer: NodeJS.Timeout;
}

/**
 * Connections of this process with a group open, by file: a connection about to begin one first
 * commits the others' (they run on this same thread, so waiting for their lock would wait forever).
 */
const openGroups = new Map<string, Set<SqliteDatabase>>();

/**
 * One better-sqlite3 connection as the store uses it: synchronous calls behind promises, statements
 * cached.
 *
 * With `groupCommitMs`, writes are committed in groups: the first write opens a transaction
 * (BEGIN IMMEDIATE), each write runs in it at once as a savepoint of its own (a write that throws
 * is rolled back alone, as its own transaction would be), and the group commits `groupCommitMs`
 * later. A write's promise settles only when its group has committed, so whatever a caller does
 * after a write rests on what is durable; a commit that fails fails every write of the group.
 * Under a burst most pages a commit writes (the ends of the indexes, the audit and outbox tables)
 * are shared, so a group of writes costs a fraction of as many commits (measured on the bot's
 * write pattern: a third of the CPU per write for groups of 25). Reads on the connection see the
 * group's writes before they are committed; another connection does not until the commit.
 */
export class SqliteDatabase implements SqlRunner {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly checkpointer: Checkpointer | undefined;
  private readonly path: string;
  private readonly groupCommitMs: number;
  private group: Group | undefined;

  constructor(options: SqliteConnectionOptions) {
    this.db = openSqliteDatabase(options);
    this.path = options.path;
    this.groupCommitMs = options.path === ':memory:' ? 0 : Math.max(0, options.groupCommitMs ?? 0);
    if (options.checkpointInWorker === true && options.path !== ':memory:')
      this.checkpointer = startCheckpointer({
        path: options.path,
        everyMs: CHECKPOINT_EVERY_MS,
        pragma: (sql) => {
          if (this.db.open) this.db.pragma(sql);
        },
        onFailure: options.onCheckpointFailure ?? (() => undefined),
      });
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
    if (this.groupCommitMs === 0)
      return this.run(() => {
        this.commitOthers();
        return this.db.transaction(fn).immediate();
      });
    // Inside the group's transaction, better-sqlite3 runs `fn` as a savepoint.
    return this.inGroup(() => this.db.transaction(fn)());
  }

  /** Runs `fn` in the open group (opening one), and settles once the group has committed. */
  private inGroup<T>(fn: () => T): Promise<T> {
    let value: T;
    try {
      // SQLite rolls a whole transaction back on some failures (a full disk, an I/O error): the
      // group is lost, and its writes fail with the commit; the next ones start a group of their own.
      if (this.group !== undefined && !this.db.inTransaction) this.commitGroup();
      if (this.group === undefined) this.openGroup();
      value = fn();
    } catch (err) {
      return Promise.reject(toSqliteStoreError(err));
    }
    const group = this.group;
    if (group === undefined) return Promise.resolve(value);
    return new Promise<T>((resolve, reject) => group.waiting.push({ resolve: () => resolve(value), reject }));
  }

  /** Commits the groups other connections of this process hold on the file, before this one writes. */
  private commitOthers(): void {
    for (const other of openGroups.get(this.path) ?? []) if (other !== this) other.commitGroup();
  }

  private openGroup(): void {
    this.commitOthers();
    this.prepare('BEGIN IMMEDIATE').run();
    this.group = { waiting: [], timer: setTimeout(() => this.commitGroup(), this.groupCommitMs) };
    let here = openGroups.get(this.path);
    if (here === undefined) openGroups.set(this.path, (here = new Set()));
    here.add(this);
  }

  /** Commits the open group, if any, and settles its writes. */
  private commitGroup(): void {
    const group = this.group;
    if (group === undefined) return;
    this.group = undefined;
    clearTimeout(group.timer);
    openGroups.get(this.path)?.delete(this);
    try {
      this.prepare('COMMIT').run();
    } catch (err) {
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // the connection is gone: nothing of the group was committed either way
      }
      const failure = toSqliteStoreError(err);
      for (const w of group.waiting) w.reject(failure);
      return;
    }
    for (const w of group.waiting) w.resolve();
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
    const statement = (): number => this.prepare<[SqlParams]>(sql).run(params).changes;
    // A statement that fails inside the group is undone alone: SQLite rolls a failed statement back.
    if (this.groupCommitMs > 0) return this.inGroup(statement);
    return this.run(() => {
      this.commitOthers();
      return statement();
    });
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
    this.commitGroup();
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
