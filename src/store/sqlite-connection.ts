import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { pendingMigrations, SCHEMA_MIGRATIONS_TABLE_SQLITE, SQLITE_MIGRATIONS } from './migrations';
import { StoreUnavailableError } from './request-store';

export interface SqliteConnectionOptions {
  /** File path; parent directories are created. `:memory:` works for throwaway stores. */
  readonly path: string;
  /** How long a writer waits for another connection's lock before failing. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /**
   * Checkpoint the write-ahead log from a worker thread instead of inside commits
   * (store/sqlite-checkpointer.ts); the bot's own store does. Ignored for `:memory:`.
   */
  readonly checkpointInWorker?: boolean;
  /** How long after opening the checkpoint thread starts; default CHECKPOINT_START_AFTER_MS (3 s). */
  readonly checkpointStartAfterMs?: number;
  /** Told when the checkpoint thread failed and commits checkpoint again. */
  readonly onCheckpointFailure?: (error: string) => void;
}

/** Driver and file-system codes that mean "the database is not usable", not "this statement is wrong". */
const UNAVAILABLE_CODES =
  /^SQLITE_(CANTOPEN|BUSY|LOCKED|IOERR|FULL|READONLY|NOTADB|CORRUPT)|^(EACCES|EPERM|EROFS|ENOSPC|ENOTDIR)$/;

export function toSqliteStoreError(err: unknown): Error {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.test(code)) {
    return new StoreUnavailableError(`SQLite store unavailable (${code})`, err);
  }
  // better-sqlite3 throws a plain TypeError, without a code, once the connection is closed. The native
  // addon's errors may come from another realm (e.g. under a test runner's VM), so no instanceof here.
  const message = (err as { message?: unknown } | null)?.message;
  if (typeof message === 'string' && /connection is not open/.test(message)) {
    return new StoreUnavailableError('SQLite store unavailable (closed)', err);
  }
  if (err instanceof Error) return err;
  // Same message and code, as an Error of this realm.
  const copy = new Error(typeof message === 'string' ? message : String(err), { cause: err });
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}

/** "no such table": the schema is not there (the file was recreated empty, or a table was dropped). */
export function isMissingSqliteTable(err: unknown): boolean {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' && /^no such table/.test(message);
}

/** Opens the file (creating its directory) with WAL, a busy timeout and foreign keys on. */
export function openSqliteDatabase(options: SqliteConnectionOptions): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    db = new Database(options.path);
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    db?.close();
    throw toSqliteStoreError(err);
  }
}

/** Applies the missing migrations; call inside an immediate transaction. Returns the versions applied. */
export function applySqliteMigrations(db: Database.Database, now: number): number[] {
  db.exec(SCHEMA_MIGRATIONS_TABLE_SQLITE);
  const rows = db.prepare<[], { version: number }>('SELECT version FROM schema_migrations').all();
  const todo = pendingMigrations(SQLITE_MIGRATIONS, new Set(rows.map((r) => r.version)));
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of todo) {
    for (const statement of migration.statements) db.exec(statement);
    record.run(migration.version, migration.name, now);
  }
  return todo.map((m) => m.version);
}
