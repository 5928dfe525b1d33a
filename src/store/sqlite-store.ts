import type Database from 'better-sqlite3';
import type { AuditEvent, BackupRequest, EpochMs, MessageRef } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import { redactSecrets } from '../domain/redact';
import type { Transition } from '../domain/request-state';
import type { AuditRow, DraftRow, OutboxRow, RequestRow } from './record-codec';
import {
  decodeAudit,
  decodeDraft,
  decodeOutbox,
  decodeRequest,
  encodeApproval,
  encodeBody,
  encodeJson,
  encodeMessageRef,
  encodeOptionalJson,
  MAX_ERROR_LENGTH,
} from './record-codec';
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
import { applySqliteMigrations, openSqliteDatabase, toSqliteStoreError } from './sqlite-connection';
import { SQL } from './sqlite-sql';
import type { StoreLogger } from './store-logger';
import { SILENT_STORE_LOGGER } from './store-logger';

export interface SqliteStoreOptions extends SqliteConnectionOptions {
  readonly logger?: StoreLogger;
}

/** RequestStore on better-sqlite3: synchronous calls behind async methods, WAL, one transaction per operation. */
export class SqliteRequestStore implements RequestStore {
  private readonly db: Database.Database;
  private readonly logger: StoreLogger;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(options: SqliteStoreOptions) {
    this.logger = options.logger ?? SILENT_STORE_LOGGER;
    this.db = openSqliteDatabase(options);
  }

  /** Runs `fn` now, as a settled promise; driver failures that mean "no database" become StoreUnavailableError. */
  private run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(toSqliteStoreError(err));
    }
  }

  /** A write transaction that takes the write lock at BEGIN (check-then-write stays atomic across connections). */
  private write<T>(fn: () => T): Promise<T> {
    return this.run(() => this.db.transaction(fn).immediate());
  }

  /** Prepared once per connection and reused. */
  private prepare<P extends unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement as unknown as Database.Statement<P, R>;
  }

  private requestRow(sql: string, params: Record<string, unknown>): BackupRequest | undefined {
    const row = this.prepare<[Record<string, unknown>], RequestRow>(sql).get(params);
    return row === undefined ? undefined : decodeRequest(row);
  }

  private requestRows(sql: string, params: Record<string, unknown>): BackupRequest[] {
    return this.prepare<[Record<string, unknown>], RequestRow>(sql).all(params).map(decodeRequest);
  }

  async migrate(): Promise<void> {
    const applied = await this.write(() => applySqliteMigrations(this.db, Date.now()));
    for (const version of applied) this.logger.info('store migration applied', { dialect: 'sqlite', version });
  }

  close(): Promise<void> {
    return this.run(() => {
      if (this.db.open) this.db.close();
    });
  }

  ping(): Promise<void> {
    return this.run(() => {
      this.db.prepare('SELECT 1').get();
    });
  }

  /** Writes a state change's audit entries and messages; call inside the same write transaction. */
  private apply(requestId: RequestId, effects: StoreEffects, now: EpochMs): void {
    for (const event of effects.audit ?? []) this.insertAudit(event);
    this.queue(requestId, effects.messages ?? [], now);
  }

  private insertAudit(event: AuditEvent): void {
    const { requestId, teamId, at, actor, kind } = event;
    this.prepare(SQL.appendAudit).run({ requestId, teamId, at, actor, kind, detail: encodeJson(event.detail) });
  }

  /** Queues outbox messages; call inside a write transaction. */
  private queue(requestId: RequestId, messages: readonly NewOutboxMessage[], now: EpochMs): OutboxMessage[] {
    const insert = this.prepare<[Record<string, unknown>], OutboxRow>(SQL.enqueue);
    return messages.map((m) => {
      const row = insert.get({ requestId, kind: m.kind, payload: encodeJson(m.payload), now });
      if (row === undefined) throw new Error('insert returned no row');
      return decodeOutbox(row);
    });
  }

  create(
    request: NewRequest,
    dedupe: { key: string; windowMs: number },
    now: EpochMs,
    effects: StoreEffects = {},
  ): Promise<CreateResult> {
    return this.write((): CreateResult => {
      const existing = this.requestRow(SQL.dedupeHit, { key: dedupe.key, since: now - dedupe.windowMs });
      if (existing !== undefined) return { created: false, existing };
      const approval = encodeApproval(request.approval);
      const created = this.requestRow(SQL.insertRequest, {
        id: request.id,
        teamId: request.teamId,
        requesterId: request.requesterId,
        state: request.state,
        createdAt: request.createdAt,
        updatedAt: now,
        body: encodeBody(request),
        ...approval,
      });
      if (created === undefined) {
        // A request with this id already exists (the same form submitted twice): that one stands.
        const same = this.requestRow('SELECT * FROM requests WHERE id = @id', { id: request.id });
        if (same === undefined) throw new Error('insert returned no row');
        return { created: false, existing: same };
      }
      this.prepare(SQL.upsertDedupe).run({ key: dedupe.key, id: request.id, now, until: now + dedupe.windowMs });
      this.apply(request.id, effects, now);
      return { created: true, request: created };
    });
  }

  get(id: RequestId): Promise<BackupRequest | undefined> {
    return this.run(() => this.requestRow('SELECT * FROM requests WHERE id = @id', { id }));
  }

  transition(
    id: RequestId,
    step: Transition,
    patch: TransitionPatch,
    now: EpochMs,
    effects: StoreEffects = {},
  ): Promise<BackupRequest | undefined> {
    return this.write(() => {
      const row = this.requestRow(SQL.transition, {
        id,
        from: step.from,
        to: step.to,
        now,
        hasApproval: patch.approval === undefined ? 0 : 1,
        ...encodeApproval(patch.approval),
        outcome: encodeOptionalJson(patch.outcome),
        owner: patch.runner?.owner ?? null,
        leaseUntil: patch.runner?.leaseUntil ?? null,
      });
      if (row !== undefined) this.apply(id, effects, now);
      return row;
    });
  }

  setMessages(
    id: RequestId,
    messages: { readonly root?: MessageRef; readonly approval?: MessageRef },
    now: EpochMs,
  ): Promise<BackupRequest | undefined> {
    const params = { id, root: encodeMessageRef(messages.root), approval: encodeMessageRef(messages.approval), now };
    return this.run(() => this.requestRow(SQL.setMessages, params));
  }

  markReminded(id: RequestId, now: EpochMs, effects: StoreEffects = {}): Promise<boolean> {
    return this.write(() => {
      const won = this.prepare(SQL.markReminded).run({ id, now }).changes === 1;
      if (won) this.apply(id, effects, now);
      return won;
    });
  }

  renewRun(id: RequestId, owner: string, leaseUntil: EpochMs): Promise<boolean> {
    return this.run(() => this.prepare(SQL.renewRun).run({ id, owner, leaseUntil }).changes === 1);
  }

  claimStaleRun(id: RequestId, owner: string, leaseUntil: EpochMs, now: EpochMs): Promise<boolean> {
    return this.run(() => this.prepare(SQL.claimStaleRun).run({ id, owner, leaseUntil, now }).changes === 1);
  }

  listStaleRunning(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return this.run(() => this.requestRows(SQL.listStaleRunning, { now, limit }));
  }

  listStartable(before: EpochMs, limit: number): Promise<BackupRequest[]> {
    return this.run(() => this.requestRows(SQL.listStartable, { before, limit }));
  }

  listExpired(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return this.run(() => this.requestRows(SQL.listExpired, { now, limit }));
  }

  listDueReminders(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return this.run(() => this.requestRows(SQL.listDueReminders, { now, limit }));
  }

  listPendingApprovals(teamId: string, limit: number): Promise<BackupRequest[]> {
    return this.run(() => this.requestRows(SQL.listPendingApprovals, { teamId, limit }));
  }

  listRequests(query: RequestQuery): Promise<BackupRequest[]> {
    const { teamId, requesterId, since, limit } = query;
    if (requesterId === undefined) return this.run(() => this.requestRows(SQL.listRequests, { teamId, since, limit }));
    return this.run(() => this.requestRows(SQL.listRequestsBy, { teamId, requesterId, since, limit }));
  }

  appendAudit(event: AuditEvent): Promise<void> {
    return this.run(() => this.insertAudit(event));
  }

  createDraft(draft: RequestDraft): Promise<void> {
    return this.run(() => {
      this.prepare(SQL.createDraft).run({ ...draft, channelId: draft.channelId ?? null });
    });
  }

  getDraft(id: RequestId, now: EpochMs): Promise<RequestDraft | undefined> {
    return this.run(() => {
      const row = this.prepare<[Record<string, unknown>], DraftRow>(SQL.getDraft).get({ id, now });
      return row === undefined ? undefined : decodeDraft(row);
    });
  }

  deleteExpiredDrafts(now: EpochMs): Promise<number> {
    return this.run(() => this.prepare(SQL.deleteExpiredDrafts).run({ now }).changes);
  }

  listAudit(requestId: RequestId): Promise<AuditEvent[]> {
    return this.run(() => this.prepare<[RequestId], AuditRow>(SQL.listAudit).all(requestId).map(decodeAudit));
  }

  enqueueMessages(requestId: RequestId, messages: readonly NewOutboxMessage[], now: EpochMs): Promise<OutboxMessage[]> {
    return this.write(() => this.queue(requestId, messages, now));
  }

  claimMessages(owner: string, now: EpochMs, leaseMs: number, limit: number): Promise<OutboxMessage[]> {
    return this.write(() => {
      const ids = this.prepare<[Record<string, unknown>], { id: number }>(SQL.claimableIds).all({ now, limit });
      const claim = this.prepare<[Record<string, unknown>], OutboxRow>(SQL.claim);
      return ids.flatMap(({ id }) => {
        const row = claim.get({ id, owner, now, until: now + leaseMs });
        return row === undefined ? [] : [decodeOutbox(row)];
      });
    });
  }

  claimMessage(id: number, owner: string, now: EpochMs, leaseMs: number): Promise<OutboxMessage | undefined> {
    return this.write(() => {
      const row = this.prepare<[Record<string, unknown>], OutboxRow>(SQL.claim).get({
        id,
        owner,
        now,
        until: now + leaseMs,
      });
      return row === undefined ? undefined : decodeOutbox(row);
    });
  }

  completeMessage(id: number, owner: string, now: EpochMs): Promise<void> {
    return this.run(() => {
      this.prepare(SQL.complete).run({ id, owner, now });
    });
  }

  failMessage(
    id: number,
    owner: string,
    error: string,
    nextAttemptAt: EpochMs | undefined,
    now: EpochMs,
  ): Promise<void> {
    const lastError = redactSecrets(error).slice(0, MAX_ERROR_LENGTH);
    return this.run(() => {
      this.prepare(SQL.fail).run({ id, owner, now, lastError, next: nextAttemptAt ?? null });
    });
  }

  listOpenMessages(requestId: RequestId): Promise<OutboxMessage[]> {
    return this.run(() => this.prepare<[RequestId], OutboxRow>(SQL.listOpen).all(requestId).map(decodeOutbox));
  }
}
