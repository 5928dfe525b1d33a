import type { SqliteConnectionOptions } from './sqlite-connection';
import type { RequestStore } from './request-store';
import { SqliteDatabase } from './sqlite-database';
import { SqliteDraftStore } from './sqlite-drafts';
import { SqliteAuditLog, SqliteOutboxQueue } from './sqlite-outbox';
import { SqliteRequestQueries, SqliteRequestRecords } from './sqlite-requests';
import type { StoreLogger } from './store-logger';
import { SILENT_STORE_LOGGER } from './store-logger';

export interface SqliteStoreOptions extends SqliteConnectionOptions {
  readonly logger?: StoreLogger;
}

/** The store on better-sqlite3: synchronous calls behind async methods, WAL, one transaction per operation. */
export class SqliteRequestStore implements RequestStore {
  readonly requests: SqliteRequestRecords;
  readonly queries: SqliteRequestQueries;
  readonly audit: SqliteAuditLog;
  readonly outbox: SqliteOutboxQueue;
  readonly drafts: SqliteDraftStore;
  private readonly db: SqliteDatabase;
  private readonly logger: StoreLogger;

  constructor(options: SqliteStoreOptions) {
    this.logger = options.logger ?? SILENT_STORE_LOGGER;
    this.db = new SqliteDatabase(options);
    this.requests = new SqliteRequestRecords(this.db);
    this.queries = new SqliteRequestQueries(this.db);
    this.audit = new SqliteAuditLog(this.db);
    this.outbox = new SqliteOutboxQueue(this.db);
    this.drafts = new SqliteDraftStore(this.db);
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
}
