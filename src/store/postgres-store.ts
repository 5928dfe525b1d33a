import type { AuditEvent, BackupRequest, EpochMs, MessageRef } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { Transition } from '../domain/request-state';
import { encodeJson } from './json-column';
import type { AuditRow } from './outbox-audit-draft-codec';
import { decodeAudit } from './outbox-audit-draft-codec';
import * as drafts from './postgres-drafts';
import * as outbox from './postgres-outbox';
import type { PostgresStoreOptions } from './postgres-pool';
import { PostgresPool } from './postgres-pool';
import * as requests from './postgres-requests';
import { requestRow, requestRows } from './postgres-requests';
import { PG } from './postgres-sql';
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

export type { PostgresStoreOptions } from './postgres-pool';

/**
 * RequestStore on a pg Pool. Connection failures surface as StoreUnavailableError without the URL.
 * Writes with effects, the outbox and drafts: postgres-requests.ts, postgres-outbox.ts, postgres-drafts.ts.
 */
export class PostgresRequestStore implements RequestStore {
  private readonly db: PostgresPool;

  constructor(options: PostgresStoreOptions) {
    this.db = new PostgresPool(options);
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

  create(
    request: NewRequest,
    dedupe: { key: string; windowMs: number },
    now: EpochMs,
    effects: StoreEffects = {},
  ): Promise<CreateResult> {
    return requests.createRequest(this.db, request, dedupe, now, effects);
  }

  get(id: RequestId): Promise<BackupRequest | undefined> {
    return requestRow(this.db, PG.getRequest, [id]);
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
    const params = [id, encodeMessageRef(messages.root), encodeMessageRef(messages.approval), now];
    return requestRow(this.db, PG.setMessages, params);
  }

  markReminded(id: RequestId, now: EpochMs, effects: StoreEffects = {}): Promise<boolean> {
    return requests.markReminded(this.db, id, now, effects);
  }

  async renewRun(id: RequestId, owner: string, leaseUntil: EpochMs): Promise<boolean> {
    return (await this.db.changes(PG.renewRun, [id, owner, leaseUntil])) === 1;
  }

  async claimStaleRun(id: RequestId, owner: string, leaseUntil: EpochMs, now: EpochMs): Promise<boolean> {
    return (await this.db.changes(PG.claimStaleRun, [id, owner, leaseUntil, now])) === 1;
  }

  listStaleRunning(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return requestRows(this.db, PG.listStaleRunning, [now, limit]);
  }

  listStartable(before: EpochMs, limit: number): Promise<BackupRequest[]> {
    return requestRows(this.db, PG.listStartable, [before, limit]);
  }

  listExpired(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return requestRows(this.db, PG.listExpired, [now, limit]);
  }

  listDueReminders(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return requestRows(this.db, PG.listDueReminders, [now, limit]);
  }

  listPendingApprovals(teamId: string, limit: number): Promise<BackupRequest[]> {
    return requestRows(this.db, PG.listPendingApprovals, [teamId, limit]);
  }

  listRequests(query: RequestQuery): Promise<BackupRequest[]> {
    const base = [query.teamId, query.since, query.limit];
    if (query.requesterId === undefined) return requestRows(this.db, PG.listRequests, base);
    return requestRows(this.db, PG.listRequestsBy, [...base, query.requesterId]);
  }

  async appendAudit(event: AuditEvent): Promise<void> {
    const { requestId, teamId, at, actor, kind } = event;
    await this.db.rows(PG.appendAudit, [requestId, teamId, at, actor, kind, encodeJson(event.detail)]);
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

  async listAudit(requestId: RequestId): Promise<AuditEvent[]> {
    return (await this.db.rows<AuditRow>(PG.listAudit, [requestId])).map(decodeAudit);
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
