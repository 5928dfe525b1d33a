import type { AuditEvent, BackupRequest, EpochMs, MessageRef } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import { redactSecrets } from '../domain/redact';
import type { Transition } from '../domain/request-state';
import type { PostgresStoreOptions } from './postgres-pool';
import { PostgresPool } from './postgres-pool';
import type { PoolClient } from 'pg';
import { PG } from './postgres-sql';
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

export type { PostgresStoreOptions } from './postgres-pool';

/** RequestStore on a pg Pool. Connection failures surface as StoreUnavailableError without the URL. */
export class PostgresRequestStore implements RequestStore {
  private readonly db: PostgresPool;

  constructor(options: PostgresStoreOptions) {
    this.db = new PostgresPool(options);
  }

  private async requests(sql: string, params: readonly unknown[]): Promise<BackupRequest[]> {
    return (await this.db.rows<RequestRow>(sql, params)).map(decodeRequest);
  }

  private async firstRequest(sql: string, params: readonly unknown[]): Promise<BackupRequest | undefined> {
    const [row] = await this.db.rows<RequestRow>(sql, params);
    return row === undefined ? undefined : decodeRequest(row);
  }

  migrate(): Promise<void> {
    return this.db.migrate();
  }

  close(): Promise<void> {
    return this.db.end();
  }

  async ping(): Promise<void> {
    await this.db.rows('SELECT 1');
  }

  /** Writes a state change's audit entries and messages on the transaction's client. */
  private async apply(client: PoolClient, requestId: RequestId, effects: StoreEffects, now: EpochMs): Promise<void> {
    for (const e of effects.audit ?? []) {
      await client.query(PG.appendAudit, [e.requestId, e.teamId, e.at, e.actor, e.kind, encodeJson(e.detail)]);
    }
    await this.queue(client, requestId, effects.messages ?? [], now);
  }

  /** Queues outbox messages on a client inside a transaction. */
  private async queue(
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

  async create(
    request: NewRequest,
    dedupe: { key: string; windowMs: number },
    now: EpochMs,
    effects: StoreEffects = {},
  ): Promise<CreateResult> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const approval = encodeApproval(request.approval);
      const created = await this.db.transaction(async (client) => {
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
        await this.apply(client, request.id, effects, now);
        return { value: decodeRequest(row) };
      });
      if (created !== undefined) return { created: true, request: created };
      // A request with this id already exists (the same form submitted twice): that one stands.
      const existing =
        (await this.firstRequest(PG.getRequest, [request.id])) ??
        (await this.firstRequest(PG.dedupeHolder, [dedupe.key]));
      if (existing !== undefined) return { created: false, existing };
    }
    throw new Error('request dedupe key kept changing hands; giving up');
  }

  get(id: RequestId): Promise<BackupRequest | undefined> {
    return this.firstRequest(PG.getRequest, [id]);
  }

  transition(
    id: RequestId,
    step: Transition,
    patch: TransitionPatch,
    now: EpochMs,
    effects: StoreEffects = {},
  ): Promise<BackupRequest | undefined> {
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
    if (isEmpty(effects)) return this.firstRequest(PG.transition, params);
    return this.db.transaction(async (client) => {
      const row = (await client.query<RequestRow>(PG.transition, params)).rows[0];
      if (row === undefined) return { value: undefined };
      await this.apply(client, id, effects, now);
      return { value: decodeRequest(row) };
    });
  }

  setMessages(
    id: RequestId,
    messages: { readonly root?: MessageRef; readonly approval?: MessageRef },
    now: EpochMs,
  ): Promise<BackupRequest | undefined> {
    const params = [id, encodeMessageRef(messages.root), encodeMessageRef(messages.approval), now];
    return this.firstRequest(PG.setMessages, params);
  }

  async markReminded(id: RequestId, now: EpochMs, effects: StoreEffects = {}): Promise<boolean> {
    if (isEmpty(effects)) return (await this.db.changes(PG.markReminded, [id, now])) === 1;
    return this.db.transaction(async (client) => {
      const won = ((await client.query(PG.markReminded, [id, now])).rowCount ?? 0) === 1;
      if (won) await this.apply(client, id, effects, now);
      return { value: won };
    });
  }

  async renewRun(id: RequestId, owner: string, leaseUntil: EpochMs): Promise<boolean> {
    return (await this.db.changes(PG.renewRun, [id, owner, leaseUntil])) === 1;
  }

  async claimStaleRun(id: RequestId, owner: string, leaseUntil: EpochMs, now: EpochMs): Promise<boolean> {
    return (await this.db.changes(PG.claimStaleRun, [id, owner, leaseUntil, now])) === 1;
  }

  listStaleRunning(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return this.requests(PG.listStaleRunning, [now, limit]);
  }

  listStartable(before: EpochMs, limit: number): Promise<BackupRequest[]> {
    return this.requests(PG.listStartable, [before, limit]);
  }

  listExpired(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return this.requests(PG.listExpired, [now, limit]);
  }

  listDueReminders(now: EpochMs, limit: number): Promise<BackupRequest[]> {
    return this.requests(PG.listDueReminders, [now, limit]);
  }

  listPendingApprovals(teamId: string, limit: number): Promise<BackupRequest[]> {
    return this.requests(PG.listPendingApprovals, [teamId, limit]);
  }

  listRequests(query: RequestQuery): Promise<BackupRequest[]> {
    const base = [query.teamId, query.since, query.limit];
    if (query.requesterId === undefined) return this.requests(PG.listRequests, base);
    return this.requests(PG.listRequestsBy, [...base, query.requesterId]);
  }

  async appendAudit(event: AuditEvent): Promise<void> {
    const { requestId, teamId, at, actor, kind } = event;
    await this.db.rows(PG.appendAudit, [requestId, teamId, at, actor, kind, encodeJson(event.detail)]);
  }

  async createDraft(draft: RequestDraft): Promise<void> {
    await this.db.changes(PG.createDraft, [
      draft.id,
      draft.teamId,
      draft.userId,
      draft.channelId ?? null,
      draft.createdAt,
      draft.expiresAt,
    ]);
  }

  async getDraft(id: RequestId, now: EpochMs): Promise<RequestDraft | undefined> {
    const [row] = await this.db.rows<DraftRow>(PG.getDraft, [id, now]);
    return row === undefined ? undefined : decodeDraft(row);
  }

  async deleteExpiredDrafts(now: EpochMs): Promise<number> {
    return this.db.changes(PG.deleteExpiredDrafts, [now]);
  }

  async listAudit(requestId: RequestId): Promise<AuditEvent[]> {
    return (await this.db.rows<AuditRow>(PG.listAudit, [requestId])).map(decodeAudit);
  }

  async enqueueMessages(
    requestId: RequestId,
    messages: readonly NewOutboxMessage[],
    now: EpochMs,
  ): Promise<OutboxMessage[]> {
    if (messages.length === 0) return [];
    return this.db.transaction(async (client) => ({ value: await this.queue(client, requestId, messages, now) }));
  }

  async claimMessages(owner: string, now: EpochMs, leaseMs: number, limit: number): Promise<OutboxMessage[]> {
    const rows = await this.db.rows<OutboxRow>(PG.claimMany, [now, limit, owner, now + leaseMs]);
    return rows.map(decodeOutbox).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
  }

  async claimMessage(id: number, owner: string, now: EpochMs, leaseMs: number): Promise<OutboxMessage | undefined> {
    const [row] = await this.db.rows<OutboxRow>(PG.claimOne, [id, now, owner, now + leaseMs]);
    return row === undefined ? undefined : decodeOutbox(row);
  }

  async completeMessage(id: number, owner: string, now: EpochMs): Promise<void> {
    await this.db.rows(PG.complete, [id, owner, now]);
  }

  async failMessage(
    id: number,
    owner: string,
    error: string,
    nextAttemptAt: EpochMs | undefined,
    now: EpochMs,
  ): Promise<void> {
    const lastError = redactSecrets(error).slice(0, MAX_ERROR_LENGTH);
    await this.db.rows(PG.fail, [id, owner, lastError, nextAttemptAt ?? null, now]);
  }

  async listOpenMessages(requestId: RequestId): Promise<OutboxMessage[]> {
    return (await this.db.rows<OutboxRow>(PG.listOpen, [requestId])).map(decodeOutbox);
  }
}

function isEmpty(effects: StoreEffects): boolean {
  return (effects.audit?.length ?? 0) === 0 && (effects.messages?.length ?? 0) === 0;
}
