import type { BackupRequest, EpochMs, MessageRef } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { Transition } from '../domain/request-state';
import { encodeOptionalJson } from './json-column';
import { encodeApproval, encodeBody, encodeMessageRef } from './record-codec';
import type {
  CreateResult,
  NewRequest,
  RequestQueries,
  RequestQuery,
  RequestRecords,
  StoreEffects,
  TransitionPatch,
} from './request-store';
import type { SqliteDatabase } from './sqlite-database';
import { applyEffects } from './sqlite-outbox';
import { SQL } from './sqlite-sql';

/** Requests on SQLite: each write is one transaction that takes the write lock at BEGIN. */
export class SqliteRequestRecords implements RequestRecords {
  constructor(private readonly db: SqliteDatabase) {}

  create(
    request: NewRequest,
    dedupe: { key: string; windowMs: number },
    now: EpochMs,
    effects: StoreEffects = {},
  ): Promise<CreateResult> {
    const db = this.db;
    return db.write((): CreateResult => {
      const existing = db.requestRow(SQL.dedupeHit, { key: dedupe.key, since: now - dedupe.windowMs });
      if (existing !== undefined) return { created: false, existing };
      const approval = encodeApproval(request.approval);
      const created = db.requestRow(SQL.insertRequest, {
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
        const same = db.requestRow(SQL.getRequest, { id: request.id });
        if (same === undefined) throw new Error('insert returned no row');
        return { created: false, existing: same };
      }
      db.prepare(SQL.upsertDedupe).run({ key: dedupe.key, id: request.id, now, until: now + dedupe.windowMs });
      applyEffects(db, request.id, effects, now);
      return { created: true, request: created };
    });
  }

  get(id: RequestId): Promise<BackupRequest | undefined> {
    return this.db.run(() => this.db.requestRow(SQL.getRequest, { id }));
  }

  transition(
    id: RequestId,
    step: Transition,
    patch: TransitionPatch,
    now: EpochMs,
    effects: StoreEffects = {},
  ): Promise<BackupRequest | undefined> {
    const db = this.db;
    return db.write(() => {
      const row = db.requestRow(SQL.transition, {
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
      if (row !== undefined) applyEffects(db, id, effects, now);
      return row;
    });
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
    const db = this.db;
    return db.write(() => {
      const won = db.prepare(SQL.markReminded).run({ id, now }).changes === 1;
      if (won) applyEffects(db, id, effects, now);
      return won;
    });
  }

  renewRun(id: RequestId, owner: string, leaseUntil: EpochMs): Promise<boolean> {
    return this.db.run(() => this.db.prepare(SQL.renewRun).run({ id, owner, leaseUntil }).changes === 1);
  }

  claimStaleRun(id: RequestId, owner: string, leaseUntil: EpochMs, now: EpochMs): Promise<boolean> {
    return this.db.run(() => this.db.prepare(SQL.claimStaleRun).run({ id, owner, leaseUntil, now }).changes === 1);
  }
}

/** The request lists on SQLite. */
export class SqliteRequestQueries implements RequestQueries {
  constructor(private readonly db: SqliteDatabase) {}

  private rows(sql: string, params: Record<string, unknown>): Promise<BackupRequest[]> {
    return this.db.run(() => this.db.requestRows(sql, params));
  }

  listStaleRunning(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return this.rows(SQL.listStaleRunning, { now, limit });
  }

  listStartable(before: EpochMs, limit: number): Promise<BackupRequest[]> {
    return this.rows(SQL.listStartable, { before, limit });
  }

  listExpired(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return this.rows(SQL.listExpired, { now, limit });
  }

  listDueReminders(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return this.rows(SQL.listDueReminders, { now, limit });
  }

  listPendingApprovals(teamId: string, limit: number): Promise<BackupRequest[]> {
    return this.rows(SQL.listPendingApprovals, { teamId, limit });
  }

  listRequests(query: RequestQuery): Promise<BackupRequest[]> {
    const { teamId, requesterId, since, limit } = query;
    if (requesterId === undefined) return this.rows(SQL.listRequests, { teamId, since, limit });
    return this.rows(SQL.listRequestsBy, { teamId, requesterId, since, limit });
  }
}
