import type { PoolClient } from 'pg';
import type { AuditEvent, EpochMs } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import { encodeJson } from './json-column';
import type { PostgresPool } from './postgres-pool';
import { PG } from './postgres-sql';
import type { AuditLog, NewOutboxMessage, OutboxMessage, OutboxQueue, StoreEffects } from './request-store';
import type { AuditRow, OutboxRow } from './row-codecs';
import { decodeAudit, decodeOutbox, encodeIntent, encodeLastError } from './row-codecs';

function auditParams(e: AuditEvent): unknown[] {
  return [e.requestId, e.teamId, e.at, e.actor, e.kind, encodeJson(e.detail)];
}

/** Writes a state change's audit entries and messages on the client of the change's transaction. */
export async function applyEffects(
  client: PoolClient,
  requestId: RequestId,
  effects: StoreEffects,
  now: EpochMs,
): Promise<void> {
  for (const e of effects.audit ?? []) await client.query(PG.appendAudit, auditParams(e));
  await queueMessages(client, requestId, effects.messages ?? [], now);
}

async function queueMessages(
  client: PoolClient,
  requestId: RequestId,
  messages: readonly NewOutboxMessage[],
  now: EpochMs,
): Promise<OutboxMessage[]> {
  const out: OutboxMessage[] = [];
  for (const m of messages) {
    const { kind, payload } = encodeIntent(m);
    const { rows } = await client.query<OutboxRow>(PG.enqueue, [requestId, kind, payload, now]);
    out.push(...rows.map(decodeOutbox));
  }
  return out;
}

/** The audit trail on PostgreSQL. */
export class PostgresAuditLog implements AuditLog {
  constructor(private readonly db: PostgresPool) {}

  async append(event: AuditEvent): Promise<void> {
    await this.db.rows(PG.appendAudit, auditParams(event));
  }

  async list(requestId: RequestId): Promise<AuditEvent[]> {
    return (await this.db.rows<AuditRow>(PG.listAudit, [requestId])).map(decodeAudit);
  }
}

/** The outbox on PostgreSQL: claims skip rows another claimer holds locked. */
export class PostgresOutboxQueue implements OutboxQueue {
  constructor(private readonly db: PostgresPool) {}

  async enqueue(requestId: RequestId, messages: readonly NewOutboxMessage[], now: EpochMs): Promise<OutboxMessage[]> {
    if (messages.length === 0) return [];
    return this.db.transaction(async (client) => ({ value: await queueMessages(client, requestId, messages, now) }));
  }

  async claimDue(owner: string, now: EpochMs, leaseMs: number, limit: number): Promise<OutboxMessage[]> {
    const rows = await this.db.rows<OutboxRow>(PG.claimMany, [now, limit, owner, now + leaseMs]);
    return rows.map(decodeOutbox).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
  }

  async claim(id: number, owner: string, now: EpochMs, leaseMs: number): Promise<OutboxMessage | undefined> {
    const [row] = await this.db.rows<OutboxRow>(PG.claimOne, [id, now, owner, now + leaseMs]);
    return row === undefined ? undefined : decodeOutbox(row);
  }

  async complete(id: number, owner: string, now: EpochMs): Promise<void> {
    await this.db.rows(PG.complete, [id, owner, now]);
  }

  async fail(
    id: number,
    owner: string,
    error: string,
    nextAttemptAt: EpochMs | undefined,
    now: EpochMs,
  ): Promise<void> {
    await this.db.rows(PG.fail, [id, owner, encodeLastError(error), nextAttemptAt ?? null, now]);
  }

  async listOpen(requestId: RequestId): Promise<OutboxMessage[]> {
    return (await this.db.rows<OutboxRow>(PG.listOpen, [requestId])).map(decodeOutbox);
  }
}
