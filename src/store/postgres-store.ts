import { POSTGRES_MIGRATIONS } from './migrations';
import { isMissingPostgresTable } from './postgres-errors';
import { PostgresOutboxQueue } from './postgres-outbox';
import type { PostgresStoreOptions } from './postgres-pool';
import { PostgresPool } from './postgres-pool';
import { PostgresBackupWatches, PostgresRequestRecords } from './postgres-requests';
import { PG } from './postgres-sql';
import type { RequestStore, StoreHealth } from './request-store';
import { checkStoreHealth } from './schema-health';
import type { SqlAuditLog, SqlDraftStore, SqlReplayMemory, SqlRequestQueries } from './sql-stores';
import { sharedStoreParts } from './sql-stores';

export type { PostgresStoreOptions } from './postgres-pool';

/** The store on a pg Pool. Connection failures surface as StoreUnavailableError without the URL. */
export class PostgresRequestStore implements RequestStore {
  readonly requests: PostgresRequestRecords;
  readonly queries: SqlRequestQueries;
  readonly audit: SqlAuditLog;
  readonly outbox: PostgresOutboxQueue;
  readonly drafts: SqlDraftStore;
  readonly replays: SqlReplayMemory;
  readonly watches: PostgresBackupWatches;
  private readonly db: PostgresPool;

  constructor(options: PostgresStoreOptions) {
    this.db = new PostgresPool(options);
    this.watches = new PostgresBackupWatches(this.db);
    this.requests = new PostgresRequestRecords(this.db);
    this.outbox = new PostgresOutboxQueue(this.db);
    ({
      queries: this.queries,
      audit: this.audit,
      drafts: this.drafts,
      replays: this.replays,
    } = sharedStoreParts(this.db, PG.appendAudit));
  }

  migrate(): Promise<void> {
    return this.db.migrate();
  }

  close(): Promise<void> {
    return this.db.end();
  }

  async ping(): Promise<void> {
    await this.db.rows('SELECT 1');
  }

  health(): Promise<StoreHealth> {
    return checkStoreHealth(this.db, POSTGRES_MIGRATIONS, isMissingPostgresTable);
  }
}
