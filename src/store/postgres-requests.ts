/** Reading request rows, and the request writes that carry a state change's effects, on PostgreSQL. */
import type { BackupRequest, EpochMs } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { Transition } from '../domain/request-state';
import { encodeOptionalJson } from './json-column';
import type { PostgresPool } from './postgres-pool';
import { applyEffects } from './postgres-outbox';
import { PG } from './postgres-sql';
import type { RequestRow } from './record-codec';
import { decodeRequest, encodeApproval, encodeBody } from './record-codec';
import type { CreateResult, NewRequest, StoreEffects, TransitionPatch } from './request-store';

export async function requestRows(db: PostgresPool, sql: string, params: readonly unknown[]): Promise<BackupRequest[]> {
  return (await db.rows<RequestRow>(sql, params)).map(decodeRequest);
}

export async function requestRow(
  db: PostgresPool,
  sql: string,
  params: readonly unknown[],
): Promise<BackupRequest | undefined> {
  const [row] = await db.rows<RequestRow>(sql, params);
  return row === undefined ? undefined : decodeRequest(row);
}

export async function createRequest(
  db: PostgresPool,
  request: NewRequest,
  dedupe: { key: string; windowMs: number },
  now: EpochMs,
  effects: StoreEffects,
): Promise<CreateResult> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const approval = encodeApproval(request.approval);
    const created = await db.transaction(async (client) => {
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
      await applyEffects(client, request.id, effects, now);
      return { value: decodeRequest(row) };
    });
    if (created !== undefined) return { created: true, request: created };
    // A request with this id already exists (the same form submitted twice): that one stands.
    const existing =
      (await requestRow(db, PG.getRequest, [request.id])) ?? (await requestRow(db, PG.dedupeHolder, [dedupe.key]));
    if (existing !== undefined) return { created: false, existing };
  }
  throw new Error('request dedupe key kept changing hands; giving up');
}

export function transitionRequest(
  db: PostgresPool,
  id: RequestId,
  step: Transition,
  patch: TransitionPatch,
  now: EpochMs,
  effects: StoreEffects,
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
  if (isEmpty(effects)) return requestRow(db, PG.transition, params);
  return db.transaction(async (client) => {
    const row = (await client.query<RequestRow>(PG.transition, params)).rows[0];
    if (row === undefined) return { value: undefined };
    await applyEffects(client, id, effects, now);
    return { value: decodeRequest(row) };
  });
}

export async function markReminded(
  db: PostgresPool,
  id: RequestId,
  now: EpochMs,
  effects: StoreEffects,
): Promise<boolean> {
  if (isEmpty(effects)) return (await db.changes(PG.markReminded, [id, now])) === 1;
  return db.transaction(async (client) => {
    const won = ((await client.query(PG.markReminded, [id, now])).rowCount ?? 0) === 1;
    if (won) await applyEffects(client, id, effects, now);
    return { value: won };
  });
}

function isEmpty(effects: StoreEffects): boolean {
  return (effects.audit?.length ?? 0) === 0 && (effects.messages?.length ?? 0) === 0;
}
