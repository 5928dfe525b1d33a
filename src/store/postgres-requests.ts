import type { BackupRequest, EpochMs, MessageRef } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { Transition } from '../domain/request-state';
import { encodeOptionalJson } from './json-column';
import type { PostgresPool } from './postgres-pool';
import { applyEffects } from './postgres-outbox';
import { PG } from './postgres-sql';
import type { RequestRow } from './record-codec';
import { decodeRequest, encodeApproval, encodeBody, encodeMessageRef } from './record-codec';
import type {
  CreateResult,
  NewRequest,
  RequestQueries,
  RequestQuery,
  RequestRecords,
  StoreEffects,
  TransitionPatch,
} from './request-store';

async function requestRows(db: PostgresPool, sql: string, params: readonly unknown[]): Promise<BackupRequest[]> {
  return (await db.rows<RequestRow>(sql, params)).map(decodeRequest);
}

async function requestRow(
  db: PostgresPool,
  sql: string,
  params: readonly unknown[],
): Promise<BackupRequest | undefined> {
  const [row] = await db.rows<RequestRow>(sql, params);
  return row === undefined ? undefined : decodeRequest(row);
}

/** Requests on PostgreSQL: each state change is one UPDATE whose WHERE is the compare-and-set. */
export class PostgresRequestRecords implements RequestRecords {
  constructor(private readonly db: PostgresPool) {}

  async create(
    request: NewRequest,
    dedupe: { key: string; windowMs: number },
    now: EpochMs,
    effects: StoreEffects = {},
  ): Promise<CreateResult> {
    const db = this.db;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const approval = encodeApproval(request.approval);
      const created = await db.transaction(async (client) => {
        const inserted = await client.query<RequestRow>(PG.insertRequest, [
          request.id,
          request.teamId,
          request.requesterId,
          request.state,
          request.createdAt,
          now,
          approval.expiresAt,
          approval.remindAt,
          approval.remindedAt,
          encodeBody(request),
          approval.approval,
        ]);
        const took = await client.query(PG.takeDedupe, [
          dedupe.key,
          request.id,
          now,
          now + dedupe.windowMs,
          now - dedupe.windowMs,
        ]);
        const row = inserted.rows[0];
        if (took.rowCount !== 1 || row === undefined) return { value: undefined, rollback: true };
        await applyEffects(client, request.id, effects, now);
        return { value: decodeRequest(row) };
      });
      if (created !== undefined) return { created: true, request: created };
      // A request with this id already exists (the same form submitted twice): that one stands.
      const existing =
        (await requestRow(db, PG.getRequest, [request.id])) ?? (await requestRow(db, PG.dedupeHolder, [dedupe.key]));
      if (existing !== undefined) return { created: false, existing };
    }
    throw new Error('request dedupe key kept changing hands; giving up');
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
    const db = this.db;
    const approval = encodeApproval(patch.approval);
    const params = [
      id,
      step.from,
      step.to,
      now,
      patch.approval !== undefined,
      approval.approval,
      approval.expiresAt,
      approval.remindAt,
      approval.remindedAt,
      encodeOptionalJson(patch.outcome),
      patch.runner?.owner ?? null,
      patch.runner?.leaseUntil ?? null,
    ];
    if (isEmpty(effects)) return requestRow(db, PG.transition, params);
    return db.transaction(async (client) => {
      const row = (await client.query<RequestRow>(PG.transition, params)).rows[0];
      if (row === undefined) return { value: undefined };
      await applyEffects(client, id, effects, now);
      return { value: decodeRequest(row) };
    });
  }

  setMessages(
    id: RequestId,
    messages: { readonly root?: MessageRef; readonly approval?: MessageRef },
    now: EpochMs,
  ): Promise<BackupRequest | undefined> {
    const params = [id, encodeMessageRef(messages.root), encodeMessageRef(messages.approval), now];
    return requestRow(this.db, PG.setMessages, params);
  }

  async markReminded(id: RequestId, now: EpochMs, effects: StoreEffects = {}): Promise<boolean> {
    const db = this.db;
    if (isEmpty(effects)) return (await db.changes(PG.markReminded, [id, now])) === 1;
    return db.transaction(async (client) => {
      const won = ((await client.query(PG.markReminded, [id, now])).rowCount ?? 0) === 1;
      if (won) await applyEffects(client, id, effects, now);
      return { value: won };
    });
  }

  async renewRun(id: RequestId, owner: string, leaseUntil: EpochMs): Promise<boolean> {
    return (await this.db.changes(PG.renewRun, [id, owner, leaseUntil])) === 1;
  }

  async claimStaleRun(id: RequestId, owner: string, leaseUntil: EpochMs, now: EpochMs): Promise<boolean> {
    return (await this.db.changes(PG.claimStaleRun, [id, owner, leaseUntil, now])) === 1;
  }
}

/** The request lists on PostgreSQL. */
export class PostgresRequestQueries implements RequestQueries {
  constructor(private readonly db: PostgresPool) {}

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
}

function isEmpty(effects: StoreEffects): boolean {
  return (effects.audit?.length ?? 0) === 0 && (effects.messages?.length ?? 0) === 0;
}
