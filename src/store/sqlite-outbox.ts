import type { AuditEvent, EpochMs } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import { encodeJson } from './json-column';
import type { AuditRow, OutboxRow } from './row-codecs';
import { decodeAudit, decodeOutbox, encodeIntent, encodeLastError } from './row-codecs';
import type { AuditLog, NewOutboxMessage, OutboxMessage, OutboxQueue, StoreEffects } from './request-store';
import type { SqliteDatabase } from './sqlite-database';
import { SQL } from './sqlite-sql';

/**
 * Writes a state change's audit entries and messages. Synchronous: call it inside the write
 * transaction of the change, so both commit or neither does.
 */
export function applyEffects(db: SqliteDatabase, requestId: RequestId, effects: StoreEffects, now: EpochMs): void {
  for (const event of effects.audit ?? []) insertAudit(db, event);
  queueMessages(db, requestId, effects.messages ?? [], now);
}

function insertAudit(db: SqliteDatabase, event: AuditEvent): void {
  const { requestId, teamId, at, actor, kind } = event;
  db.prepare(SQL.appendAudit).run({ requestId, teamId, at, actor, kind, detail: encodeJson(event.detail) });
}

function queueMessages(
  db: SqliteDatabase,
  requestId: RequestId,
  messages: readonly NewOutboxMessage[],
  now: EpochMs,
): OutboxMessage[] {
  const insert = db.prepare<[Record<string, unknown>], OutboxRow>(SQL.enqueue);
  return messages.map((m) => {
    const row = insert.get({ requestId, now, ...encodeIntent(m) });
    if (row === undefined) throw new Error('insert returned no row');
    return decodeOutbox(row);
  });
}

/** The audit trail on SQLite. */
export class SqliteAuditLog implements AuditLog {
  constructor(private readonly db: SqliteDatabase) {}

  append(event: AuditEvent): Promise<void> {
    return this.db.run(() => insertAudit(this.db, event));
  }

  list(requestId: RequestId): Promise<AuditEvent[]> {
    return this.db.run(() => this.db.prepare<[RequestId], AuditRow>(SQL.listAudit).all(requestId).map(decodeAudit));
  }
}

/** The outbox on SQLite: claims are write transactions, so two connections never claim one message. */
export class SqliteOutboxQueue implements OutboxQueue {
  constructor(private readonly db: SqliteDatabase) {}

  enqueue(requestId: RequestId, messages: readonly NewOutboxMessage[], now: EpochMs): Promise<OutboxMessage[]> {
    return this.db.write(() => queueMessages(this.db, requestId, messages, now));
  }

  claimDue(owner: string, now: EpochMs, leaseMs: number, limit: number): Promise<OutboxMessage[]> {
    const db = this.db;
    return db.write(() => {
      const ids = db.prepare<[Record<string, unknown>], { id: number }>(SQL.claimableIds).all({ now, limit });
      const claim = db.prepare<[Record<string, unknown>], OutboxRow>(SQL.claim);
      return ids.flatMap(({ id }) => {
        const row = claim.get({ id, owner, now, until: now + leaseMs });
        return row === undefined ? [] : [decodeOutbox(row)];
      });
    });
  }

  claim(id: number, owner: string, now: EpochMs, leaseMs: number): Promise<OutboxMessage | undefined> {
    const db = this.db;
    return db.write(() => {
      const row = db.prepare<[Record<string, unknown>], OutboxRow>(SQL.claim).get({
        id,
        owner,
        now,
        until: now + leaseMs,
      });
      return row === undefined ? undefined : decodeOutbox(row);
    });
  }

  complete(id: number, owner: string, now: EpochMs): Promise<void> {
    return this.db.run(() => {
      this.db.prepare(SQL.complete).run({ id, owner, now });
    });
  }

  fail(id: number, owner: string, error: string, nextAttemptAt: EpochMs | undefined, now: EpochMs): Promise<void> {
    const lastError = encodeLastError(error);
    return this.db.run(() => {
      this.db.prepare(SQL.fail).run({ id, owner, now, lastError, next: nextAttemptAt ?? null });
    });
  }

  listOpen(requestId: RequestId): Promise<OutboxMessage[]> {
    return this.db.run(() => this.db.prepare<[RequestId], OutboxRow>(SQL.listOpen).all(requestId).map(decodeOutbox));
  }
}
