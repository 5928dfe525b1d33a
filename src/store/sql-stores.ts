import type { AuditEvent, BackupRequest, EpochMs } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import { COMMON_SQL, openRequestsHoldingSql } from './common-sql';
import type { RequestRow } from './record-codec';
import { decodeRequest } from './record-codec';
import type {
  AuditLog,
  BackupWatches,
  DraftStore,
  OutboxBacklog,
  OutboxMessage,
  ReplayMemory,
  RequestDraft,
  RequestQueries,
  RequestQuery,
  StaleRunClaim,
} from './request-store';
import type { AuditRow, DraftRow, OutboxRow } from './row-codecs';
import { auditParams, decodeAudit, decodeDraft, decodeOutbox, draftParams, encodeLastError } from './row-codecs';
import type { SqlParams, SqlRunner } from './sql-runner';

/**
 * What both dialects do the same way: the statements of common-sql.ts through a SqlRunner. Each
 * dialect adds what needs its own transactions (create, transition, claims) in its own subclass.
 */

/** A compare-and-set by one row's key: it holds when the statement changed that row. */
export async function changedOne(runner: SqlRunner, sql: string, params: SqlParams): Promise<boolean> {
  return (await runner.changes(sql, params)) === 1;
}

async function requestRows(runner: SqlRunner, sql: string, params: SqlParams): Promise<BackupRequest[]> {
  return (await runner.rows<RequestRow>(sql, params)).map(decodeRequest);
}

/** The request reads and lease updates; each dialect's RequestRecords adds its transactional writes. */
export class SqlRequestReads {
  constructor(protected readonly runner: SqlRunner) {}

  async get(id: RequestId): Promise<BackupRequest | undefined> {
    const [request] = await requestRows(this.runner, COMMON_SQL.getRequest, { id });
    return request;
  }

  async deduped(key: string, windowMs: number, now: EpochMs): Promise<BackupRequest | undefined> {
    const [request] = await requestRows(this.runner, COMMON_SQL.dedupeHolder, { key, since: now - windowMs });
    return request;
  }

  async renewRun(id: RequestId, owner: string, leaseUntil: EpochMs): Promise<boolean> {
    return changedOne(this.runner, COMMON_SQL.renewRun, { id, owner, leaseUntil });
  }

  async releaseRun(id: RequestId, owner: string): Promise<boolean> {
    return changedOne(this.runner, COMMON_SQL.releaseRun, { id, owner });
  }

  async claimStaleRun(
    id: RequestId,
    owner: string,
    leaseUntil: EpochMs,
    now: EpochMs,
  ): Promise<StaleRunClaim | undefined> {
    if (await changedOne(this.runner, COMMON_SQL.claimReleasedRun, { id, owner, leaseUntil })) return 'handed_over';
    if (await changedOne(this.runner, COMMON_SQL.claimExpiredRun, { id, owner, leaseUntil, now })) return 'taken_over';
    return undefined;
  }

  forgetExpiredDedupe(now: EpochMs): Promise<number> {
    return this.runner.changes(COMMON_SQL.deleteExpiredDedupe, { now });
  }
}

/** The watch reads and claims; each dialect adds `save`, which writes its effects in a transaction. */
export abstract class SqlWatchReads implements Pick<BackupWatches, 'listDue' | 'claim'> {
  constructor(protected readonly runner: SqlRunner) {}

  listDue(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return requestRows(this.runner, COMMON_SQL.listWatchesDue, { now, limit });
  }

  async claim(id: RequestId, owner: string, leaseUntil: EpochMs, now: EpochMs): Promise<boolean> {
    return changedOne(this.runner, COMMON_SQL.claimWatch, { id, owner, leaseUntil, now });
  }
}

export class SqlRequestQueries implements RequestQueries {
  constructor(private readonly runner: SqlRunner) {}

  listStaleRunning(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return requestRows(this.runner, COMMON_SQL.listStaleRunning, { now, limit });
  }

  listStartable(before: EpochMs, limit: number): Promise<BackupRequest[]> {
    return requestRows(this.runner, COMMON_SQL.listStartable, { before, limit });
  }

  listExpired(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return requestRows(this.runner, COMMON_SQL.listExpired, { now, limit });
  }

  listDueReminders(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return requestRows(this.runner, COMMON_SQL.listDueReminders, { now, limit });
  }

  listPendingApprovals(teamId: string, limit: number): Promise<BackupRequest[]> {
    return requestRows(this.runner, COMMON_SQL.listPendingApprovals, { teamId, limit });
  }

  async listOpenHolding(teamId: string, volumeIds: readonly string[], limit: number): Promise<BackupRequest[]> {
    const ids = [...new Set(volumeIds)];
    if (ids.length === 0) return [];
    const params = Object.fromEntries(ids.map((id, i) => [`v${i}`, id]));
    return requestRows(this.runner, openRequestsHoldingSql(ids.length), { ...params, teamId, limit });
  }

  listRequests(query: RequestQuery): Promise<BackupRequest[]> {
    const { teamId, requesterId, since, limit } = query;
    if (requesterId === undefined) return requestRows(this.runner, COMMON_SQL.listRequests, { teamId, since, limit });
    return requestRows(this.runner, COMMON_SQL.listRequestsBy, { teamId, requesterId, since, limit });
  }

  async countPendingApprovals(): Promise<number> {
    const [row] = await this.runner.rows<{ n: number | string }>(COMMON_SQL.countPendingApprovals, {});
    // PostgreSQL's COUNT is a bigint, which pg hands over as a string.
    return Number(row?.n ?? 0);
  }
}

export class SqlDraftStore implements DraftStore {
  constructor(private readonly runner: SqlRunner) {}

  async create(draft: RequestDraft): Promise<void> {
    await this.runner.changes(COMMON_SQL.createDraft, draftParams(draft));
  }

  async get(id: RequestId, now: EpochMs): Promise<RequestDraft | undefined> {
    const [row] = await this.runner.rows<DraftRow>(COMMON_SQL.getDraft, { id, now });
    return row === undefined ? undefined : decodeDraft(row);
  }

  deleteExpired(now: EpochMs): Promise<number> {
    return this.runner.changes(COMMON_SQL.deleteExpiredDrafts, { now });
  }
}

/** One statement both ways: an upsert whose conflict branch only fires on an expired key, so a live key changes no row. */
export class SqlReplayMemory implements ReplayMemory {
  constructor(private readonly runner: SqlRunner) {}

  async remember(key: string, expiresAt: EpochMs, now: EpochMs): Promise<boolean> {
    return changedOne(this.runner, COMMON_SQL.rememberReplayKey, { key, expiresAt, now });
  }

  deleteExpired(now: EpochMs): Promise<number> {
    return this.runner.changes(COMMON_SQL.deleteExpiredReplayKeys, { now });
  }
}

/** `appendSql` is the dialect's insert (its JSON column is typed differently). */
export class SqlAuditLog implements AuditLog {
  constructor(
    private readonly runner: SqlRunner,
    private readonly appendSql: string,
  ) {}

  async append(event: AuditEvent): Promise<void> {
    await this.runner.changes(this.appendSql, auditParams(event));
  }

  async list(requestId: RequestId): Promise<AuditEvent[]> {
    return (await this.runner.rows<AuditRow>(COMMON_SQL.listAudit, { requestId })).map(decodeAudit);
  }
}

/** Completing, failing and listing messages; each dialect's OutboxQueue adds enqueue and claims. */
export class SqlOutboxUpdates {
  constructor(
    protected readonly runner: SqlRunner,
    private readonly failSql: string,
  ) {}

  async fail(
    id: number,
    owner: string,
    error: string,
    nextAttemptAt: EpochMs | undefined,
    now: EpochMs,
  ): Promise<boolean> {
    const lastError = encodeLastError(error);
    return changedOne(this.runner, this.failSql, { id, owner, now, lastError, next: nextAttemptAt ?? null });
  }

  async renewClaim(id: number, owner: string, until: EpochMs): Promise<boolean> {
    return changedOne(this.runner, COMMON_SQL.renewClaim, { id, owner, until });
  }

  async releaseClaim(id: number, owner: string, takenOver = false): Promise<boolean> {
    return changedOne(this.runner, COMMON_SQL.releaseClaim, { id, owner, takenOver: takenOver ? 1 : 0 });
  }

  async listOpen(requestId: RequestId): Promise<OutboxMessage[]> {
    return (await this.runner.rows<OutboxRow>(COMMON_SQL.listOpenMessages, { requestId })).map(decodeOutbox);
  }

  async backlog(): Promise<OutboxBacklog> {
    const [row] = await this.runner.rows<{ n: number | string; oldest: number | string | null }>(
      COMMON_SQL.outboxBacklog,
      {},
    );
    const oldest = row?.oldest ?? null;
    return { open: Number(row?.n ?? 0), oldestCreatedAt: oldest === null ? undefined : Number(oldest) };
  }
}

/** The parts of a store that both dialects build the same way over their runner. */
export function sharedStoreParts(
  runner: SqlRunner,
  appendAuditSql: string,
): {
  readonly queries: SqlRequestQueries;
  readonly audit: SqlAuditLog;
  readonly drafts: SqlDraftStore;
  readonly replays: SqlReplayMemory;
} {
  return {
    queries: new SqlRequestQueries(runner),
    audit: new SqlAuditLog(runner, appendAuditSql),
    drafts: new SqlDraftStore(runner),
    replays: new SqlReplayMemory(runner),
  };
}
