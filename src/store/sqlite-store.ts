import { SQLITE_MIGRATIONS } from './migrations';
import type { RequestStore, StoreHealth } from './request-store';
import { checkStoreHealth } from './schema-health';
import { isMissingSqliteTable } from './sqlite-connection';
import type { SqliteConnectionOptions } from './sqlite-connection';
import { SqliteDatabase } from './sqlite-database';
import { SqliteOutboxQueue } from './sqlite-outbox';
import { SqliteBackupWatches, SqliteRequestRecords } from './sqlite-requests';
import { SQL } from './sqlite-sql';
import type { SqlAuditLog, SqlDraftStore, SqlReplayMemory, SqlRequestQueries } from './sql-stores';
import { sharedStoreParts } from './sql-stores';
import type { StoreLogger } from './store-logger';
import { SILENT_LOGGER } from '../log/fields';

export interface SqliteStoreOptions extends SqliteConnectionOptions {
  readonly logger?: StoreLogger;
}

/** The store on better-sqlite3: synchronous calls behind async methods, WAL, one transaction per operation. */
export class SqliteRequestStore implements RequestStore {
  readonly requests: SqliteRequestRecords;
  readonly queries: SqlRequestQueries;
  readonly audit: SqlAuditLog;
  readonly outbox: SqliteOutboxQueue;
  readonly drafts: SqlDraftStore;
  readonly replays: SqlReplayMemory;
  readonly watches: SqliteBackupWatches;
  private readonly db: SqliteDatabase;
  private readonly logger: StoreLogger;

  constructor(options: SqliteStoreOptions) {
    this.logger = options.logger ?? SILENT_LOGGER;
    const logger = this.logger;
    this.db = new SqliteDatabase({
      ...options,
      // The thread's failure comes as text: `failure`, as for every failure told in words (`error` is an error object).
      onCheckpointFailure: (failure) =>
        logger.warn('the SQLite checkpoint thread failed; commits checkpoint the log again', { failure }),
    });
    this.watches = new SqliteBackupWatches(this.db);
    this.requests = new SqliteRequestRecords(this.db);
    this.outbox = new SqliteOutboxQueue(this.db);
    ({
      queries: this.queries,
      audit: this.audit,
      drafts: this.drafts,
      replays: this.replays,
    } = sharedStoreParts(this.db, SQL.appendAudit));
  }

  async migrate(): Promise<void> {
    const applied = await this.db.migrate();
    for (const version of applied) this.logger.info('store migration applied', { dialect: 'sqlite', version });
  }

  close(): Promise<void> {
    return this.db.close();
  }

  ping(): Promise<void> {
    return this.db.ping();
  }

  health(): Promise<StoreHealth> {
    return checkStoreHealth(this.db, SQLITE_MIGRATIONS, isMissingSqliteTable);
  }
}
