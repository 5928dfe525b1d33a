import type { AuditEvent, EpochMs } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type {
  AfterCompletion,
  Delivered,
  NewOutboxMessage,
  NextClaim,
  OutboxMessage,
  OutboxQueue,
  StoreEffects,
} from './request-store';
import type { OutboxRow } from './row-codecs';
import { setMessagesParams } from './record-codec';
import { auditParams, decodeOutbox, encodeIntent } from './row-codecs';
import type { SqliteDatabase } from './sqlite-database';
import { COMMON_SQL } from './common-sql';
import { SQL } from './sqlite-sql';
import { SqlOutboxUpdates } from './sql-stores';

/**
 * Writes a state change's audit entries and messages. Synchronous: call it inside the write
 * transaction of the change, so both commit or neither does.
 */
export function applyEffects(db: SqliteDatabase, requestId: RequestId, effects: StoreEffects, now: EpochMs): void {
  for (const event of effects.audit ?? []) insertAudit(db, event);
  queueMessages(db, requestId, effects.messages ?? [], now);
}

function insertAudit(db: SqliteDatabase, event: AuditEvent): void {
  db.prepare(SQL.appendAudit).run(auditParams(event));
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

/** Inside a write transaction: RETURNING shows only the new row, so the holder it replaces is read first. */
function claimOne(
  db: SqliteDatabase,
  id: number,
  owner: string,
  now: EpochMs,
  leaseMs: number,
): OutboxMessage | undefined {
  const held = db.prepare<[Record<string, unknown>], { claimed_by: string | null }>(COMMON_SQL.claimHolder).get({ id });
  const row = db.prepare<[Record<string, unknown>], OutboxRow>(SQL.claim).get({ id, owner, now, until: now + leaseMs });
  return row === undefined ? undefined : decodeOutbox({ ...row, taken_over: (held?.claimed_by ?? null) !== null });
}

/** The outbox on SQLite: claims are write transactions, so two connections never claim one message. */
export class SqliteOutboxQueue extends SqlOutboxUpdates implements OutboxQueue {
  constructor(private readonly db: SqliteDatabase) {
    super(db, SQL.fail);
  }

  enqueue(requestId: RequestId, messages: readonly NewOutboxMessage[], now: EpochMs): Promise<OutboxMessage[]> {
    return this.db.write(() => queueMessages(this.db, requestId, messages, now));
  }

  claimDue(owner: string, now: EpochMs, leaseMs: number, limit: number): Promise<OutboxMessage[]> {
    const db = this.db;
    return db.write(() => {
      const ids = db.prepare<[Record<string, unknown>], { id: number }>(SQL.claimableIds).all({ now, limit });
      return ids.flatMap(({ id }) => {
        const claimed = claimOne(db, id, owner, now, leaseMs);
        return claimed === undefined ? [] : [claimed];
      });
    });
  }

  claim(id: number, owner: string, now: EpochMs, leaseMs: number): Promise<OutboxMessage | undefined> {
    const db = this.db;
    return db.write(() => claimOne(db, id, owner, now, leaseMs));
  }

  complete(
    id: number,
    owner: string,
    now: EpochMs,
    delivered: Delivered = {},
    next?: NextClaim,
  ): Promise<AfterCompletion | undefined> {
    const db = this.db;
    const { posted, audit = [], covered } = delivered;
    return db.write((): AfterCompletion | undefined => {
      const completed = db.prepare(COMMON_SQL.completeMessage).run({ id, owner, now }).changes === 1;
      if (posted !== undefined) db.prepare(SQL.setMessages).run(setMessagesParams(posted.requestId, posted, now));
      if (!completed) return undefined;
      for (const edit of covered ?? []) db.prepare(COMMON_SQL.closeCoveredEdit).run({ id: edit, deliveredId: id, now });
      for (const event of audit) insertAudit(db, event);
      if (next === undefined) return undefined;
      const open = db
        .prepare<[Record<string, unknown>], OutboxRow>(COMMON_SQL.listOpenBeside)
        .all({ id })
        .map(decodeOutbox);
      const [head] = open;
      return { open, claimed: head === undefined ? undefined : claimOne(db, head.id, next.owner, now, next.leaseMs) };
    });
  }
}
