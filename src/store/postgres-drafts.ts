import type { EpochMs } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { PostgresPool } from './postgres-pool';
import { PG } from './postgres-sql';
import type { DraftStore, RequestDraft } from './request-store';
import type { DraftRow } from './row-codecs';
import { decodeDraft } from './row-codecs';

/** Request drafts (a modal's request being put together) on PostgreSQL. */
export class PostgresDraftStore implements DraftStore {
  constructor(private readonly db: PostgresPool) {}

  async create(draft: RequestDraft): Promise<void> {
    const { id, teamId, userId, channelId, createdAt, expiresAt } = draft;
    await this.db.changes(PG.createDraft, [id, teamId, userId, channelId ?? null, createdAt, expiresAt]);
  }

  async get(id: RequestId, now: EpochMs): Promise<RequestDraft | undefined> {
    const [row] = await this.db.rows<DraftRow>(PG.getDraft, [id, now]);
    return row === undefined ? undefined : decodeDraft(row);
  }

  deleteExpired(now: EpochMs): Promise<number> {
    return this.db.changes(PG.deleteExpiredDrafts, [now]);
  }
}
