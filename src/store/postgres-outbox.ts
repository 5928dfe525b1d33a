/** The outbox on PostgreSQL, and the effects (audit entries, messages) a state change writes with it. */
import type { PoolClient } from 'pg';
import type { EpochMs } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import { encodeJson } from './json-column';
import type { OutboxRow } from './outbox-audit-draft-codec';
import { decodeOutbox, encodeLastError } from './outbox-audit-draft-codec';
import type { PostgresPool } from './postgres-pool';
import { PG } from './postgres-sql';
import type { NewOutboxMessage, OutboxMessage, StoreEffects } from './request-store';

/** Writes a state change's audit entries and messages on the transaction's client. */
export async function applyEffects(
  client: PoolClient,
  requestId: RequestId,
  effects: StoreEffects,
  now: EpochMs,
): Promise<void> {
  for (const e of effects.audit ?? []) {
    await client.query(PG.appendAudit, [e.requestId, e.teamId, e.at, e.actor, e.kind, encodeJson(e.detail)]);
  }
  await queueMessages(client, requestId, effects.messages ?? [], now);
}

/** Queues outbox messages on a client inside a transaction. */
export async function queueMessages(
  client: PoolClient,
  requestId: RequestId,
  messages: readonly NewOutboxMessage[],
  now: EpochMs,
): Promise<OutboxMessage[]> {
  const out: OutboxMessage[] = [];
  for (const m of messages) {
    const { rows } = await client.query<OutboxRow>(PG.enqueue, [requestId, m.kind, encodeJson(m.payload), now]);
    out.push(...rows.map(decodeOutbox));
  }
  return out;
}

export async function enqueueMessages(
  db: PostgresPool,
  requestId: RequestId,
  messages: readonly NewOutboxMessage[],
  now: EpochMs,
): Promise<OutboxMessage[]> {
  if (messages.length === 0) return [];
  return db.transaction(async (client) => ({ value: await queueMessages(client, requestId, messages, now) }));
}

export async function claimMessages(
  db: PostgresPool,
  owner: string,
  now: EpochMs,
  leaseMs: number,
  limit: number,
): Promise<OutboxMessage[]> {
  const rows = await db.rows<OutboxRow>(PG.claimMany, [now, limit, owner, now + leaseMs]);
  return rows.map(decodeOutbox).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
}

export async function claimMessage(
  db: PostgresPool,
  id: number,
  owner: string,
  now: EpochMs,
  leaseMs: number,
): Promise<OutboxMessage | undefined> {
  const [row] = await db.rows<OutboxRow>(PG.claimOne, [id, now, owner, now + leaseMs]);
  return row === undefined ? undefined : decodeOutbox(row);
}

export async function completeMessage(db: PostgresPool, id: number, owner: string, now: EpochMs): Promise<void> {
  await db.rows(PG.complete, [id, owner, now]);
}

export async function failMessage(
  db: PostgresPool,
  id: number,
  owner: string,
  error: string,
  nextAttemptAt: EpochMs | undefined,
  now: EpochMs,
): Promise<void> {
  const lastError = encodeLastError(error);
  await db.rows(PG.fail, [id, owner, lastError, nextAttemptAt ?? null, now]);
}

export async function listOpenMessages(db: PostgresPool, requestId: RequestId): Promise<OutboxMessage[]> {
  return (await db.rows<OutboxRow>(PG.listOpen, [requestId])).map(decodeOutbox);
}
