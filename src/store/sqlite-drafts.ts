/** Request drafts (a modal's request being put together) on SQLite. */
import type { EpochMs } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { DraftRow } from './outbox-audit-draft-codec';
import { decodeDraft } from './outbox-audit-draft-codec';
import type { RequestDraft } from './request-store';
import type { SqliteDatabase } from './sqlite-database';
import { SQL } from './sqlite-sql';

export function createDraft(db: SqliteDatabase, draft: RequestDraft): Promise<void> {
  return db.run(() => {
    db.prepare(SQL.createDraft).run({ ...draft, channelId: draft.channelId ?? null });
  });
}

export function getDraft(db: SqliteDatabase, id: RequestId, now: EpochMs): Promise<RequestDraft | undefined> {
  return db.run(() => {
    const row = db.prepare<[Record<string, unknown>], DraftRow>(SQL.getDraft).get({ id, now });
    return row === undefined ? undefined : decodeDraft(row);
  });
}

export function deleteExpiredDrafts(db: SqliteDatabase, now: EpochMs): Promise<number> {
  return db.run(() => db.prepare(SQL.deleteExpiredDrafts).run({ now }).changes);
}
