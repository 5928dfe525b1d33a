import type { BackupRequest, EpochMs, MessageRef } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import { COMMON_SQL } from './common-sql';
import { insertParams, openVolumeParams, setMessagesParams, transitionParams, watchParams } from './record-codec';
import { isFinal } from '../domain/request-state';
import type { BackupWatches, CreateResult, NewRequest, RequestRecords, StoreEffects } from './request-store';
import type { SqliteDatabase } from './sqlite-database';
import { applyEffects } from './sqlite-outbox';
import { SQL } from './sqlite-sql';
import { SqlRequestReads, SqlWatchReads } from './sql-stores';

/** Requests on SQLite: each write is one transaction that takes the write lock at BEGIN. */
export class SqliteRequestRecords extends SqlRequestReads implements RequestRecords {
  constructor(private readonly db: SqliteDatabase) {
    super(db);
  }

  create(
    request: NewRequest,
    dedupe: { key: string; windowMs: number },
    now: EpochMs,
    effects: StoreEffects = {},
  ): Promise<CreateResult> {
    const db = this.db;
    return db.write((): CreateResult => {
      const existing = db.requestRow(COMMON_SQL.dedupeHolder, { key: dedupe.key, since: now - dedupe.windowMs });
      if (existing !== undefined) return { created: false, existing };
      const created = db.requestRow(SQL.insertRequest, insertParams(request, now));
      if (created === undefined) {
        // A request with this id already exists (the same form submitted twice): that one stands.
        const same = db.requestRow(COMMON_SQL.getRequest, { id: request.id });
        if (same === undefined) throw new Error('insert returned no row');
        return { created: false, existing: same };
      }
      db.prepare(SQL.upsertDedupe).run({ key: dedupe.key, id: request.id, now, until: now + dedupe.windowMs });
      const open = db.prepare(COMMON_SQL.openVolume);
      for (const params of openVolumeParams(request)) open.run(params);
      applyEffects(db, request.id, effects, now);
      return { created: true, request: created };
    });
  }

  readonly transition: RequestRecords['transition'] = (id, step, patch, now, effects = {}) => {
    const db = this.db;
    return db.write(() => {
      const row = db.requestRow(SQL.transition, transitionParams(id, step, patch, now));
      if (row === undefined) return row;
      if (isFinal(step.to)) db.prepare(COMMON_SQL.closeVolumes).run({ id });
      applyEffects(db, id, effects, now);
      return row;
    });
  };

  setMessages(
    id: RequestId,
    messages: { readonly root?: MessageRef; readonly approval?: MessageRef },
    now: EpochMs,
  ): Promise<BackupRequest | undefined> {
    return this.db.write(() => this.db.requestRow(SQL.setMessages, setMessagesParams(id, messages, now)));
  }

  markReminded(id: RequestId, now: EpochMs, effects: StoreEffects = {}): Promise<boolean> {
    const db = this.db;
    return db.write(() => {
      const won = db.prepare(COMMON_SQL.markReminded).run({ id, now }).changes === 1;
      if (won) applyEffects(db, id, effects, now);
      return won;
    });
  }

  closeStep(id: RequestId, now: EpochMs, effects: StoreEffects = {}): Promise<boolean> {
    const db = this.db;
    return db.write(() => {
      const won = db.prepare(COMMON_SQL.closeStep).run({ id }).changes === 1;
      if (won) applyEffects(db, id, effects, now);
      return won;
    });
  }
}

/** Watches on SQLite: a save and the messages it owes are one write transaction. */
export class SqliteBackupWatches extends SqlWatchReads implements BackupWatches {
  constructor(private readonly db: SqliteDatabase) {
    super(db);
  }

  readonly save: BackupWatches['save'] = (id, owner, watch, now, effects = {}) => {
    const db = this.db;
    return db.write(() => {
      const row = db.requestRow(SQL.saveWatch, { id, owner, ...watchParams(watch) });
      if (row !== undefined) applyEffects(db, id, effects, now);
      return row;
    });
  };
}
