import { randomBytes } from 'node:crypto';
import type { AuditEvent, ExecutionOutcome, RequestVolume } from '../src/domain/backup-request';
import { asPolicyId, asProjectId, asVolumeId, formatRequestId } from '../src/domain/ids';
import type { RequestId } from '../src/domain/ids';
import { step } from '../src/domain/request-state';
import { messagesOnAccepted, messagesOnFinished } from '../src/flow/notify';
import { insertParams, setMessagesParams, transitionParams } from '../src/store/record-codec';
import type { NewRequest } from '../src/store/request-store';
import { SqliteDatabase } from '../src/store/sqlite-database';
import { applyEffects } from '../src/store/sqlite-outbox';
import { SQL } from '../src/store/sqlite-sql';
import { OPEN_MESSAGE } from '../src/store/common-sql';

/**
 * Fills a SQLite store with finished requests, as a bot that has served for a while leaves it: each
 * request recorded, started and finished through the store's own statements and record encoder
 * (the real schema, indexes and JSON columns), with its audit trail and its delivered messages.
 */
export interface HistoryShape {
  readonly path: string;
  readonly count: number;
  readonly teamId: string;
  readonly channel: { readonly id: string; readonly name: string };
  readonly users: readonly string[];
  readonly projectId: string;
  readonly policy: { readonly id: string; readonly name: string };
  readonly volumeIds: readonly string[];
  /** The newest request is this old; the oldest `spanMs` older. */
  readonly endAt: number;
  readonly spanMs: number;
}

const BATCH = 5000;

export async function seedHistory(shape: HistoryShape): Promise<void> {
  const db = new SqliteDatabase({ path: shape.path });
  try {
    await db.migrate();
    // Open messages only: the condition of the outbox's partial index, so this is a look-up, not a scan.
    const markDone = `UPDATE outbox SET done_at = @now, claims = 1, claimed_by = 'seed'
      WHERE request_id = @id AND ${OPEN_MESSAGE}`;
    for (let from = 0; from < shape.count; from += BATCH) {
      await db.write(() => {
        for (let i = from; i < Math.min(shape.count, from + BATCH); i += 1) seedOne(db, shape, i, markDone);
      });
    }
  } finally {
    await db.close();
  }
}

function seedOne(db: SqliteDatabase, shape: HistoryShape, i: number, markDone: string): void {
  const createdAt = shape.endAt - shape.spanMs + Math.floor((i / shape.count) * shape.spanMs);
  const id: RequestId = formatRequestId(randomBytes(8));
  const size = 1 + (i % 20);
  const volumes: RequestVolume[] = Array.from({ length: size }, (_, k) => {
    const n = (i * 7 + k) % shape.volumeIds.length;
    return {
      id: asVolumeId(shape.volumeIds[n] ?? ''),
      name: `bench-vol-${String(n).padStart(5, '0')}`,
      status: 'available',
      availabilityZone: 'eu-de-01',
      sizeGb: 10,
      serverId: undefined,
    };
  });
  const requesterId = shape.users[i % shape.users.length] ?? 'U0BENCH0000';
  const request: NewRequest = {
    id,
    teamId: shape.teamId,
    requesterId,
    channel: { id: shape.channel.id, name: shape.channel.name },
    project: { name: 'prod', id: asProjectId(shape.projectId), region: 'eu-de', service: 'vbs' },
    action: 'associate',
    target: { kind: 'policy', id: asPolicyId(shape.policy.id), name: shape.policy.name },
    volumes,
    moves: [],
    undoOf: undefined,
    thread: undefined,
    backupNow: false,
    reason: i % 3 === 0 ? `INC-${100000 + i}` : undefined,
    decision: { verdict: 'allow', decidedBy: 'sre-oncall', reason: 'rule sre-oncall allows it' },
    state: 'allowed',
    approval: undefined,
    createdAt,
  };
  const audit = (at: number, kind: AuditEvent['kind'], detail: AuditEvent['detail'], actor = 'bot'): AuditEvent => ({
    requestId: id,
    teamId: shape.teamId,
    at,
    actor,
    kind,
    detail,
  });
  db.prepare(SQL.insertRequest).get(insertParams(request, createdAt));
  applyEffects(
    db,
    id,
    {
      audit: [
        audit(
          createdAt,
          'received',
          {
            channel: shape.channel.id,
            project: 'prod',
            policy: shape.policy.name,
            policyId: shape.policy.id,
            volumes: volumes.map((v) => v.id),
            excluded: [],
            reason: request.reason ?? null,
          },
          requesterId,
        ),
        audit(createdAt, 'decided', { verdict: 'allow', rule: 'sre-oncall', why: 'rule sre-oncall allows it' }),
      ],
      messages: messagesOnAccepted('allowed'),
    },
    createdAt,
  );
  const ts = `${Math.floor(createdAt / 1000)}.${String(i % 1_000_000).padStart(6, '0')}`;
  db.prepare(SQL.setMessages).get(setMessagesParams(id, { root: { channel: shape.channel.id, ts } }, createdAt + 50));
  const started = createdAt + 100;
  db.prepare(SQL.transition).get(
    transitionParams(
      id,
      step('allowed', 'running'),
      { runner: { owner: 'seed', leaseUntil: started + 15_000 } },
      started,
    ),
  );
  applyEffects(db, id, { audit: [audit(started, 'started', { runner: 'seed' })] }, started);
  const finished = started + 400;
  const failed = i % 50 === 0 ? volumes.slice(0, 1) : [];
  const outcome: ExecutionOutcome = {
    added: volumes.slice(failed.length).map((v) => ({ volumeId: v.id, availabilityZone: 'eu-de-01', pod: 'pod01' })),
    failed: failed.map((v) => ({ volumeId: v.id, code: 'AutoBackup.0210', message: 'not supported' })),
    startedAt: started,
    finishedAt: finished,
  };
  const final = failed.length === 0 ? 'succeeded' : 'partially_failed';
  db.prepare(SQL.transition).get(transitionParams(id, step('running', final), { outcome }, finished));
  applyEffects(
    db,
    id,
    {
      audit: [
        audit(finished, 'cloud_call', {
          chunk: 0,
          volumes: size,
          attempts: 1,
          added: outcome.added.length,
          failed: failed.length,
          error: null,
        }),
        audit(finished, 'finished', { state: final, added: outcome.added.length, failed: failed.length }),
        ...['root.post', 'thread.summary', 'root.update'].map((kind) =>
          audit(finished + 50, 'message_posted', { kind }),
        ),
      ],
      messages: messagesOnFinished(false, {}, volumes.length),
    },
    finished,
  );
  db.prepare(markDone).run({ id, now: finished + 50 });
}
