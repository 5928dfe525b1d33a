import type { PoolClient } from 'pg';
import type { EpochMs } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { PostgresPool } from './postgres-pool';
import { queryNamed } from './postgres-pool';
import { PG } from './postgres-sql';
import { COMMON_SQL } from './common-sql';
import { setMessagesParams } from './record-codec';
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
import { auditParams, decodeOutbox, encodeIntent } from './row-codecs';
import { SqlOutboxUpdates } from './sql-stores';

/** Writes a state change's audit entries and messages on the client of the change's transaction. */
export async function applyEffects(
  client: PoolClient,
  requestId: RequestId,
  effects: StoreEffects,
  now: EpochMs,
): Promise<void> {
  for (const event of effects.audit ?? []) await queryNamed(client, PG.appendAudit, auditParams(event));
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
    const { rows } = await queryNamed<OutboxRow>(client, PG.enqueue, { requestId, now, ...encodeIntent(m) });
    out.push(...rows.map(decodeOutbox));
  }
  return out;
}

type OutboxRows = (sql: string, params: Record<string, unknown>) => Promise<OutboxRow[]>;

/** Claims one message (see OutboxQueue.claim) through `rows`: the pool, or a transaction's client. */
async function claimOne(
  rows: OutboxRows,
  id: number,
  owner: string,
  now: EpochMs,
  leaseMs: number,
): Promise<OutboxMessage | undefined> {
  const [row] = await rows(PG.claimOne, { id, now, owner, until: now + leaseMs });
  return row === undefined ? undefined : decodeOutbox(row);
}

/** The outbox on PostgreSQL: claims skip rows another claimer holds locked. */
export class PostgresOutboxQueue extends SqlOutboxUpdates implements OutboxQueue {
  constructor(private readonly db: PostgresPool) {
    super(db, PG.fail);
  }

  async enqueue(requestId: RequestId, messages: readonly NewOutboxMessage[], now: EpochMs): Promise<OutboxMessage[]> {
    if (messages.length === 0) return [];
    return this.db.transaction(async (client) => ({ value: await queueMessages(client, requestId, messages, now) }));
  }

  async claimDue(owner: string, now: EpochMs, leaseMs: number, limit: number): Promise<OutboxMessage[]> {
    const rows = await this.db.rows<OutboxRow>(PG.claimMany, { now, limit, owner, until: now + leaseMs });
    return rows.map(decodeOutbox).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
  }

  claim(id: number, owner: string, now: EpochMs, leaseMs: number): Promise<OutboxMessage | undefined> {
    return claimOne((sql, params) => this.db.rows<OutboxRow>(sql, params), id, owner, now, leaseMs);
  }

  async complete(
    id: number,
    owner: string,
    now: EpochMs,
    delivered: Delivered = {},
    next?: NextClaim,
  ): Promise<AfterCompletion | undefined> {
    const { posted, audit = [], covered } = delivered;
    const completion = { id, owner, now };
    if (posted === undefined && audit.length === 0 && covered === undefined && next === undefined) {
      await this.db.changes(COMMON_SQL.completeMessage, completion);
      return undefined;
    }
    return this.db.transaction(async (client) => {
      const completed = (await queryNamed(client, COMMON_SQL.completeMessage, completion)).rowCount === 1;
      if (posted !== undefined)
        await queryNamed(client, PG.setMessages, setMessagesParams(posted.requestId, posted, now));
      if (!completed) return { value: undefined };
      for (const edit of covered ?? [])
        await queryNamed(client, COMMON_SQL.closeCoveredEdit, { id: edit, deliveredId: id, now });
      for (const event of audit) await queryNamed(client, PG.appendAudit, auditParams(event));
      if (next === undefined) return { value: undefined };
      const open = (await queryNamed<OutboxRow>(client, COMMON_SQL.listOpenBeside, { id })).rows.map(decodeOutbox);
      const [head] = open;
      const inTransaction: OutboxRows = async (sql, params) => (await queryNamed<OutboxRow>(client, sql, params)).rows;
      const claimed = head && (await claimOne(inTransaction, head.id, next.owner, now, next.leaseMs));
      return { value: { open, claimed } };
    });
  }
}
