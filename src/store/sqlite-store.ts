import type { AuditEvent, BackupRequest, EpochMs, MessageRef } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { Transition } from '../domain/request-state';
import type { AuditRow } from './outbox-audit-draft-codec';
import { decodeAudit } from './outbox-audit-draft-codec';
import { encodeMessageRef } from './record-codec';
import type {
  CreateResult,
  NewOutboxMessage,
  NewRequest,
  OutboxMessage,
  RequestDraft,
  RequestQuery,
  RequestStore,
  StoreEffects,
  TransitionPatch,
} from './request-store';
import type { SqliteConnectionOptions } from './sqlite-connection';
import { SqliteDatabase } from './sqlite-database';
import * as drafts from './sqlite-drafts';
import * as outbox from './sqlite-outbox';
import * as requests from './sqlite-requests';
import { SQL } from './sqlite-sql';
import type { StoreLogger } from './store-logger';
import { SILENT_STORE_LOGGER } from './store-logger';

export interface SqliteStoreOptions extends SqliteConnectionOptions {
  readonly logger?: StoreLogger;
}

/**
 * RequestStore on better-sqlite3: synchronous calls behind async methods, WAL, one transaction per operation.
 * Writes with effects, the outbox and drafts: sqlite-requests.ts, sqlite-outbox.ts, sqlite-drafts.ts.
 */
export class SqliteRequestStore implements RequestStore {
  private readonly db: SqliteDatabase;
  private readonly logger: StoreLogger;

  constructor(options: SqliteStoreOptions) {
    this.logger = options.logger ?? SILENT_STORE_LOGGER;
    this.db = new SqliteDatabase(options);
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

  create(
    request: NewRequest,
    dedupe: { key: string; windowMs: number },
    now: EpochMs,
    effects: StoreEffects = {},
  ): Promise<CreateResult> {
    return requests.createRequest(this.db, request, dedupe, now, effects);
  }

  get(id: RequestId): Promise<BackupRequest | undefined> {
    return this.db.run(() => this.db.requestRow('SELECT * FROM requests WHERE id = @id', { id }));
  }

  transition(
    id: RequestId,
    step: Transition,
    patch: TransitionPatch,
    now: EpochMs,
    effects: StoreEffects = {},
  ): Promise<BackupRequest | undefined> {
    return requests.transitionRequest(this.db, id, step, patch, now, effects);
  }

  setMessages(
    id: RequestId,
    messages: { readonly root?: MessageRef; readonly approval?: MessageRef },
    now: EpochMs,
  ): Promise<BackupRequest | undefined> {
    const params = { id, root: encodeMessageRef(messages.root), approval: encodeMessageRef(messages.approval), now };
    return this.db.run(() => this.db.requestRow(SQL.setMessages, params));
  }

  markReminded(id: RequestId, now: EpochMs, effects: StoreEffects = {}): Promise<boolean> {
    return requests.markReminded(this.db, id, now, effects);
  }

  renewRun(id: RequestId, owner: string, leaseUntil: EpochMs): Promise<boolean> {
    return this.db.run(() => this.db.prepare(SQL.renewRun).run({ id, owner, leaseUntil }).changes === 1);
  }

  claimStaleRun(id: RequestId, owner: string, leaseUntil: EpochMs, now: EpochMs): Promise<boolean> {
    return this.db.run(() => this.db.prepare(SQL.claimStaleRun).run({ id, owner, leaseUntil, now }).changes === 1);
  }

  listStaleRunning(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return this.db.run(() => this.db.requestRows(SQL.listStaleRunning, { now, limit }));
  }

  listStartable(before: EpochMs, limit: number): Promise<BackupRequest[]> {
    return this.db.run(() => this.db.requestRows(SQL.listStartable, { before, limit }));
  }

  listExpired(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return this.db.run(() => this.db.requestRows(SQL.listExpired, { now, limit }));
  }

  listDueReminders(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return this.db.run(() => this.db.requestRows(SQL.listDueReminders, { now, limit }));
  }

  listPendingApprovals(teamId: string, limit: number): Promise<BackupRequest[]> {
    return this.db.run(() => this.db.requestRows(SQL.listPendingApprovals, { teamId, limit }));
  }

  listRequests(query: RequestQuery): Promise<BackupRequest[]> {
    const { teamId, requesterId, since, limit } = query;
    if (requesterId === undefined)
      return this.db.run(() => this.db.requestRows(SQL.listRequests, { teamId, since, limit }));
    return this.db.run(() => this.db.requestRows(SQL.listRequestsBy, { teamId, requesterId, since, limit }));
  }

  appendAudit(event: AuditEvent): Promise<void> {
    return this.db.run(() => outbox.insertAudit(this.db, event));
  }

  createDraft(draft: RequestDraft): Promise<void> {
    return drafts.createDraft(this.db, draft);
  }

  getDraft(id: RequestId, now: EpochMs): Promise<RequestDraft | undefined> {
    return drafts.getDraft(this.db, id, now);
  }

  deleteExpiredDrafts(now: EpochMs): Promise<number> {
    return drafts.deleteExpiredDrafts(this.db, now);
  }

  listAudit(requestId: RequestId): Promise<AuditEvent[]> {
    return this.db.run(() => this.db.prepare<[RequestId], AuditRow>(SQL.listAudit).all(requestId).map(decodeAudit));
  }

  enqueueMessages(requestId: RequestId, messages: readonly NewOutboxMessage[], now: EpochMs): Promise<OutboxMessage[]> {
    return outbox.enqueueMessages(this.db, requestId, messages, now);
  }

  claimMessages(owner: string, now: EpochMs, leaseMs: number, limit: number): Promise<OutboxMessage[]> {
    return outbox.claimMessages(this.db, owner, now, leaseMs, limit);
  }

  claimMessage(id: number, owner: string, now: EpochMs, leaseMs: number): Promise<OutboxMessage | undefined> {
    return outbox.claimMessage(this.db, id, owner, now, leaseMs);
  }

  completeMessage(id: number, owner: string, now: EpochMs): Promise<void> {
    return outbox.completeMessage(this.db, id, owner, now);
  }

  failMessage(
    id: number,
    owner: string,
    error: string,
    nextAttemptAt: EpochMs | undefined,
    now: EpochMs,
  ): Promise<void> {
    return outbox.failMessage(this.db, id, owner, error, nextAttemptAt, now);
  }

  listOpenMessages(requestId: RequestId): Promise<OutboxMessage[]> {
    return outbox.listOpenMessages(this.db, requestId);
  }
}
