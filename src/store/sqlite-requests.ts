/** The request writes that carry a state change's effects on SQLite, each in one write transaction. */
import type { BackupRequest, EpochMs } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { Transition } from '../domain/request-state';
import { encodeOptionalJson } from './json-column';
import { encodeApproval, encodeBody } from './record-codec';
import type { CreateResult, NewRequest, StoreEffects, TransitionPatch } from './request-store';
import type { SqliteDatabase } from './sqlite-database';
import { applyEffects } from './sqlite-outbox';
import { SQL } from './sqlite-sql';

export function createRequest(
  db: SqliteDatabase,
  request: NewRequest,
  dedupe: { key: string; windowMs: number },
  now: EpochMs,
  effects: StoreEffects,
): Promise<CreateResult> {
  return db.write((): CreateResult => {
    const existing = db.requestRow(SQL.dedupeHit, { key: dedupe.key, since: now - dedupe.windowMs });
    if (existing !== undefined) return { created: false, existing };
    const approval = encodeApproval(request.approval);
    const created = db.requestRow(SQL.insertRequest, {
      id: request.id,
      teamId: request.teamId,
      requesterId: request.requesterId,
      state: request.state,
      createdAt: request.createdAt,
      updatedAt: now,
      body: encodeBody(request),
      ...approval,
    });
    if (created === undefined) {
      // A request with this id already exists (the same form submitted twice): that one stands.
      const same = db.requestRow('SELECT * FROM requests WHERE id = @id', { id: request.id });
      if (same === undefined) throw new Error('insert returned no row');
      return { created: false, existing: same };
    }
    db.prepare(SQL.upsertDedupe).run({ key: dedupe.key, id: request.id, now, until: now + dedupe.windowMs });
    applyEffects(db, request.id, effects, now);
    return { created: true, request: created };
  });
}

export function transitionRequest(
  db: SqliteDatabase,
  id: RequestId,
  step: Transition,
  patch: TransitionPatch,
  now: EpochMs,
  effects: StoreEffects,
): Promise<BackupRequest | undefined> {
  return db.write(() => {
    const row = db.requestRow(SQL.transition, {
      id,
      from: step.from,
      to: step.to,
      now,
      hasApproval: patch.approval === undefined ? 0 : 1,
      ...encodeApproval(patch.approval),
      outcome: encodeOptionalJson(patch.outcome),
      owner: patch.runner?.owner ?? null,
      leaseUntil: patch.runner?.leaseUntil ?? null,
    });
    if (row !== undefined) applyEffects(db, id, effects, now);
    return row;
  });
}

export function markReminded(db: SqliteDatabase, id: RequestId, now: EpochMs, effects: StoreEffects): Promise<boolean> {
  return db.write(() => {
    const won = db.prepare(SQL.markReminded).run({ id, now }).changes === 1;
    if (won) applyEffects(db, id, effects, now);
    return won;
  });
}
