import { PostgresDraftStore } from './postgres-drafts';
import { PostgresAuditLog, PostgresOutboxQueue } from './postgres-outbox';
import type { PostgresStoreOptions } from './postgres-pool';
import { PostgresPool } from './postgres-pool';
import { PostgresRequestQueries, PostgresRequestRecords } from './postgres-requests';
import type { RequestStore } from './request-store';

export type { PostgresStoreOptions } from './postgres-pool';

/** The store on a pg Pool. Connection failures surface as StoreUnavailableError without the URL. */
export class PostgresRequestStore implements RequestStore {
  readonly requests: PostgresRequestRecords;
  readonly queries: PostgresRequestQueries;
  readonly audit: PostgresAuditLog;
  readonly outbox: PostgresOutboxQueue;
  readonly drafts: PostgresDraftStore;
  private readonly db: PostgresPool;

  constructor(options: PostgresStoreOptions) {
    this.db = new PostgresPool(options);
    this.requests = new PostgresRequestRecords(this.db);
    this.queries = new PostgresRequestQueries(this.db);
    this.audit = new PostgresAuditLog(this.db);
    this.outbox = new PostgresOutboxQueue(this.db);
    this.drafts = new PostgresDraftStore(this.db);
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
}
