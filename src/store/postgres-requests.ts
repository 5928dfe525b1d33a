import type { BackupRequest, EpochMs, MessageRef } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import { COMMON_SQL } from './common-sql';
import type { PostgresPool } from './postgres-pool';
import { queryNamed } from './postgres-pool';
import { applyEffects } from './postgres-outbox';
import { PG } from './postgres-sql';
import type { RequestRow } from './record-codec';
import {
  decodeRequest,
  insertParams,
  openVolumeParams,
  setMessagesParams,
  transitionParams,
  watchParams,
} from './record-codec';
import { isFinal } from '../domain/request-state';
import type { BackupWatches, CreateResult, NewRequest, RequestRecords, StoreEffects } from './request-store';
import type { SqlParams } from './sql-runner';
import { changedOne, SqlRequestReads, SqlWatchReads } from './sql-stores';

function isEmpty(effects: StoreEffects): boolean {
  return (effects.audit?.length ?? 0) === 0 && (effects.messages?.length ?? 0) === 0;
}

/** Requests on PostgreSQL: each state change is one UPDATE whose WHERE is the compare-and-set. */
export class PostgresRequestRecords extends SqlRequestReads implements RequestRecords {
  constructor(private readonly db: PostgresPool) {
    super(db);
  }

  private async row(sql: string, params: SqlParams): Promise<BackupRequest | undefined> {
    const [row] = await this.db.rows<RequestRow>(sql, params);
    return row === undefined ? undefined : decodeRequest(row);
  }

  async create(
    request: NewRequest,
    dedupe: { key: string; windowMs: number },
    now: EpochMs,
    effects: StoreEffects = {},
  ): Promise<CreateResult> {
    const dedupeParams = {
      key: dedupe.key,
      id: request.id,
      now,
      until: now + dedupe.windowMs,
      since: now - dedupe.windowMs,
    };
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const created = await this.db.transaction(async (client) => {
        const inserted = await queryNamed<RequestRow>(client, PG.insertRequest, insertParams(request, now));
        const took = await queryNamed(client, PG.takeDedupe, dedupeParams);
        const row = inserted.rows[0];
        if (took.rowCount !== 1 || row === undefined) return { value: undefined, rollback: true };
        for (const params of openVolumeParams(request)) await queryNamed(client, COMMON_SQL.openVolume, params);
        await applyEffects(client, request.id, effects, now);
        return { value: decodeRequest(row) };
      });
      if (created !== undefined) return { created: true, request: created };
      // A request with this id already exists (the same form submitted twice): that one stands.
      const existing = (await this.get(request.id)) ?? (await this.row(PG.dedupeHolder, { key: dedupe.key }));
      if (existing !== undefined) return { created: false, existing };
    }
    throw new Error('request dedupe key kept changing hands; giving up');
  }

  readonly transition: RequestRecords['transition'] = (id, step, patch, now, effects = {}) => {
    const params = transitionParams(id, step, patch, now);
    if (isEmpty(effects) && !isFinal(step.to)) return this.row(PG.transition, params);
    return this.db.transaction(async (client) => {
      const row = (await queryNamed<RequestRow>(client, PG.transition, params)).rows[0];
      if (row === undefined) return { value: undefined };
      if (isFinal(step.to)) await queryNamed(client, COMMON_SQL.closeVolumes, { id });
      await applyEffects(client, id, effects, now);
      return { value: decodeRequest(row) };
    });
  };

  setMessages(
    id: RequestId,
    messages: { readonly root?: MessageRef; readonly approval?: MessageRef },
    now: EpochMs,
  ): Promise<BackupRequest | undefined> {
    return this.row(PG.setMessages, setMessagesParams(id, messages, now));
  }

  async markReminded(id: RequestId, now: EpochMs, effects: StoreEffects = {}): Promise<boolean> {
    if (isEmpty(effects)) return changedOne(this.db, COMMON_SQL.markReminded, { id, now });
    return this.db.transaction(async (client) => {
      const won = ((await queryNamed(client, COMMON_SQL.markReminded, { id, now })).rowCount ?? 0) === 1;
      if (won) await applyEffects(client, id, effects, now);
      return { value: won };
    });
  }

  async closeStep(id: RequestId, now: EpochMs, effects: StoreEffects = {}): Promise<boolean> {
    if (isEmpty(effects)) return changedOne(this.db, COMMON_SQL.closeStep, { id });
    return this.db.transaction(async (client) => {
      const won = ((await queryNamed(client, COMMON_SQL.closeStep, { id })).rowCount ?? 0) === 1;
      if (won) await applyEffects(client, id, effects, now);
      return { value: won };
    });
  }
}

/** Watches on PostgreSQL: a save and the messages it owes are one transaction. */
export class PostgresBackupWatches extends SqlWatchReads implements BackupWatches {
  constructor(private readonly db: PostgresPool) {
    super(db);
  }

  readonly save: BackupWatches['save'] = (id, owner, watch, now, effects = {}) =>
    this.db.transaction(async (client) => {
      const row = (await queryNamed<RequestRow>(client, PG.saveWatch, { id, owner, ...watchParams(watch) })).rows[0];
      if (row === undefined) return { value: undefined };
      await applyEffects(client, id, effects, now);
      return { value: decodeRequest(row) };
    });
}
