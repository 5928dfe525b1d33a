/** Request drafts (a modal's request being put together) on PostgreSQL. */
import type { EpochMs } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { DraftRow } from './outbox-audit-draft-codec';
import { decodeDraft } from './outbox-audit-draft-codec';
import type { PostgresPool } from './postgres-pool';
import { PG } from './postgres-sql';
import type { RequestDraft } from './request-store';

export async function createDraft(db: PostgresPool, draft: RequestDraft): Promise<void> {
  await db.changes(PG.createDraft, [
    draft.id,
    draft.teamId,
    draft.userId,
    draft.channelId ?? null,
    draft.createdAt,
    draft.expiresAt,
  ]);
}

export async function getDraft(db: PostgresPool, id: RequestId, now: EpochMs): Promise<RequestDraft | undefined> {
  const [row] = await db.rows<DraftRow>(PG.getDraft, [id, now]);
  return row === undefined ? undefined : decodeDraft(row);
}

export async function deleteExpiredDrafts(db: PostgresPool, now: EpochMs): Promise<number> {
  return db.changes(PG.deleteExpiredDrafts, [now]);
}
