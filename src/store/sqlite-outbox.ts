/**
 * The outbox on SQLite, and the effects (audit entries, messages) a state change writes with it.
 * applyEffects, insertAudit and queueMessages are synchronous: call them inside the caller's transaction.
 */
import type { AuditEvent, EpochMs } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import { encodeJson } from './json-column';
import type { OutboxRow } from './outbox-audit-draft-codec';
import { decodeOutbox, encodeLastError } from './outbox-audit-draft-codec';
import type { NewOutboxMessage, OutboxMessage, StoreEffects } from './request-store';
import type { SqliteDatabase } from './sqlite-database';
import { SQL } from './sqlite-sql';

/** Writes a state change's audit entries and messages; call inside the same write transaction. */
export function applyEffects(db: SqliteDatabase, requestId: RequestId, effects: StoreEffects, now: EpochMs): void {
  for (const event of effects.audit ?? []) insertAudit(db, event);
  queueMessages(db, requestId, effects.messages ?? [], now);
}

export function insertAudit(db: SqliteDatabase, event: AuditEvent): void {
  const { requestId, teamId, at, actor, kind } = event;
  db.prepare(SQL.appendAudit).run({ requestId, teamId, at, actor, kind, detail: encodeJson(event.detail) });
}

/** Queues outbox messages; call inside a write transaction. */
export function queueMessages(
  db: SqliteDatabase,
  requestId: RequestId,
  messages: readonly NewOutboxMessage[],
  now: EpochMs,
): OutboxMessage[] {
  const insert = db.prepare<[Record<string, unknown>], OutboxRow>(SQL.enqueue);
  return messages.map((m) => {
    const row = insert.get({ requestId, kind: m.kind, payload: encodeJson(m.payload), now });
    if (row === undefined) throw new Error('insert returned no row');
    return decodeOutbox(row);
  });
}

export function enqueueMessages(
  db: SqliteDatabase,
  requestId: RequestId,
  messages: readonly NewOutboxMessage[],
  now: EpochMs,
): Promise<OutboxMessage[]> {
  return db.write(() => queueMessages(db, requestId, messages, now));
}

export function claimMessages(
  db: SqliteDatabase,
  owner: string,
  now: EpochMs,
  leaseMs: number,
  limit: number,
): Promise<OutboxMessage[]> {
  return db.write(() => {
    const ids = db.prepare<[Record<string, unknown>], { id: number }>(SQL.claimableIds).all({ now, limit });
    const claim = db.prepare<[Record<string, unknown>], OutboxRow>(SQL.claim);
    return ids.flatMap(({ id }) => {
      const row = claim.get({ id, owner, now, until: now + leaseMs });
      return row === undefined ? [] : [decodeOutbox(row)];
    });
  });
}

export function claimMessage(
  db: SqliteDatabase,
  id: number,
  owner: string,
  now: EpochMs,
  leaseMs: number,
): Promise<OutboxMessage | undefined> {
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

export function completeMessage(db: SqliteDatabase, id: number, owner: string, now: EpochMs): Promise<void> {
  return db.run(() => {
    db.prepare(SQL.complete).run({ id, owner, now });
  });
}

export function failMessage(
  db: SqliteDatabase,
  id: number,
  owner: string,
  error: string,
  nextAttemptAt: EpochMs | undefined,
  now: EpochMs,
): Promise<void> {
  const lastError = encodeLastError(error);
  return db.run(() => {
    db.prepare(SQL.fail).run({ id, owner, now, lastError, next: nextAttemptAt ?? null });
  });
}

export function listOpenMessages(db: SqliteDatabase, requestId: RequestId): Promise<OutboxMessage[]> {
  return db.run(() => db.prepare<[RequestId], OutboxRow>(SQL.listOpen).all(requestId).map(decodeOutbox));
}
