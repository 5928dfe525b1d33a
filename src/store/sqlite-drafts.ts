import type { EpochMs } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { DraftRow } from './row-codecs';
import { decodeDraft } from './row-codecs';
import type { DraftStore, RequestDraft } from './request-store';
import type { SqliteDatabase } from './sqlite-database';
import { SQL } from './sqlite-sql';

/** Request drafts (a modal's request being put together) on SQLite. */
export class SqliteDraftStore implements DraftStore {
  constructor(private readonly db: SqliteDatabase) {}

  create(draft: RequestDraft): Promise<void> {
    return this.db.run(() => {
      this.db.prepare(SQL.createDraft).run({ ...draft, channelId: draft.channelId ?? null });
    });
  }

  get(id: RequestId, now: EpochMs): Promise<RequestDraft | undefined> {
    return this.db.run(() => {
      const row = this.db.prepare<[Record<string, unknown>], DraftRow>(SQL.getDraft).get({ id, now });
      return row === undefined ? undefined : decodeDraft(row);
    });
  }

  deleteExpired(now: EpochMs): Promise<number> {
    return this.db.run(() => this.db.prepare(SQL.deleteExpiredDrafts).run({ now }).changes);
  }
}
