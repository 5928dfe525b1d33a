/**
 * PostgreSQL statements ($n parameters, explicit casts where a parameter's type cannot be inferred).
 * Each state change is one UPDATE whose WHERE is the compare-and-set: under READ COMMITTED a
 * concurrent updater waits for the row lock, re-checks the WHERE on the new row and loses.
 * The outbox "head" of a request is its oldest open (not done, not dead) message. `attempts` counts
 * failed deliveries: a claim does not change it.
 */
const OPEN = 'done_at IS NULL AND dead_at IS NULL';
const headOf = (alias: string): string =>
  `${alias}.id = (SELECT MIN(p.id) FROM outbox p WHERE p.request_id = ${alias}.request_id AND p.done_at IS NULL AND p.dead_at IS NULL)`;
const claimable = (alias: string, now: string): string =>
  `${alias}.done_at IS NULL AND ${alias}.dead_at IS NULL AND ${alias}.next_attempt_at <= ${now}
    AND (${alias}.claim_until IS NULL OR ${alias}.claim_until <= ${now}) AND ${headOf(alias)}`;

export const PG = {
  insertRequest: `INSERT INTO requests
    (id, team_id, requester_id, state, created_at, updated_at, expires_at, remind_at, reminded_at, body, approval)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb) ON CONFLICT (id) DO NOTHING RETURNING *`,
  /** Takes the key unless its holder was created after $5 (= now - window); returns a row only when taken. */
  takeDedupe: `INSERT INTO request_dedupe (key, request_id, created_at, expires_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (key) DO UPDATE SET request_id = EXCLUDED.request_id, created_at = EXCLUDED.created_at,
    expires_at = EXCLUDED.expires_at WHERE request_dedupe.created_at <= $5 RETURNING request_id`,
  dedupeHolder: 'SELECT r.* FROM request_dedupe d JOIN requests r ON r.id = d.request_id WHERE d.key = $1',
  getRequest: 'SELECT * FROM requests WHERE id = $1',
  transition: `UPDATE requests SET state = $3, updated_at = $4,
    approval = CASE WHEN $5::boolean THEN $6::jsonb ELSE approval END,
    expires_at = CASE WHEN $5::boolean THEN $7::bigint ELSE expires_at END,
    remind_at = CASE WHEN $5::boolean THEN $8::bigint ELSE remind_at END,
    reminded_at = COALESCE($9::bigint, reminded_at),
    outcome = COALESCE($10::jsonb, outcome),
    runner_owner = COALESCE($11::text, runner_owner),
    run_lease_until = CASE WHEN $11::text IS NULL THEN run_lease_until ELSE $12::bigint END
    WHERE id = $1 AND state = $2 RETURNING *`,
  setMessages: `UPDATE requests SET
    updated_at = CASE WHEN (root_message IS NULL AND $2::jsonb IS NOT NULL)
      OR (approval_message IS NULL AND $3::jsonb IS NOT NULL) THEN $4::bigint ELSE updated_at END,
    root_message = COALESCE(root_message, $2::jsonb),
    approval_message = COALESCE(approval_message, $3::jsonb)
    WHERE id = $1 RETURNING *`,
  markReminded: `UPDATE requests SET reminded_at = $2, updated_at = $2
    WHERE id = $1 AND state = 'pending_approval' AND reminded_at IS NULL`,
  renewRun: `UPDATE requests SET run_lease_until = $3 WHERE id = $1 AND state = 'running' AND runner_owner = $2`,
  claimStaleRun: `UPDATE requests SET runner_owner = $2, run_lease_until = $3
    WHERE id = $1 AND state = 'running' AND (run_lease_until IS NULL OR run_lease_until < $4)`,
  listStaleRunning: `SELECT * FROM requests WHERE state = 'running' AND (run_lease_until IS NULL OR run_lease_until < $1)
    ORDER BY run_lease_until NULLS FIRST, id LIMIT $2`,
  createDraft: `INSERT INTO request_drafts (id, team_id, user_id, channel_id, created_at, expires_at)
    VALUES ($1, $2, $3, $4, $5, $6)`,
  getDraft: 'SELECT * FROM request_drafts WHERE id = $1 AND expires_at > $2',
  deleteExpiredDrafts: 'DELETE FROM request_drafts WHERE expires_at <= $1',
  listStartable: `SELECT * FROM requests WHERE state IN ('allowed', 'approved') AND updated_at <= $1
    ORDER BY updated_at, id LIMIT $2`,
  listExpired: `SELECT * FROM requests WHERE state = 'pending_approval' AND expires_at <= $1
    ORDER BY expires_at, id LIMIT $2`,
  listDueReminders: `SELECT * FROM requests WHERE state = 'pending_approval' AND remind_at <= $1 AND reminded_at IS NULL
    ORDER BY remind_at, id LIMIT $2`,
  listPendingApprovals: `SELECT * FROM requests WHERE team_id = $1 AND state = 'pending_approval'
    ORDER BY created_at, id LIMIT $2`,
  listRequests: `SELECT * FROM requests WHERE team_id = $1 AND created_at >= $2
    ORDER BY created_at DESC, id DESC LIMIT $3`,
  listRequestsBy: `SELECT * FROM requests WHERE team_id = $1 AND created_at >= $2 AND requester_id = $4
    ORDER BY created_at DESC, id DESC LIMIT $3`,
  appendAudit: `INSERT INTO audit_events (request_id, team_id, at, actor, kind, detail)
    VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
  listAudit: 'SELECT * FROM audit_events WHERE request_id = $1 ORDER BY at, id',
  enqueue: `INSERT INTO outbox (request_id, kind, payload, attempts, next_attempt_at, created_at)
    VALUES ($1, $2, $3::jsonb, 0, $4, $4) RETURNING *`,
  /** Skips rows another claimer has locked; a locked-then-committed row is re-checked and then excluded. */
  claimMany: `WITH picked AS (
      SELECT o.id FROM outbox o WHERE ${claimable('o', '$1')}
      ORDER BY o.next_attempt_at, o.id LIMIT $2
      FOR UPDATE OF o SKIP LOCKED
    )
    UPDATE outbox SET claimed_by = $3, claim_until = $4
    FROM picked WHERE outbox.id = picked.id RETURNING outbox.*`,
  claimOne: `UPDATE outbox SET claimed_by = $3, claim_until = $4
    WHERE id = $1 AND ${claimable('outbox', '$2')} RETURNING *`,
  complete: `UPDATE outbox SET done_at = $3 WHERE id = $1 AND claimed_by = $2 AND ${OPEN}`,
  fail: `UPDATE outbox SET last_error = $3, attempts = attempts + 1,
    next_attempt_at = COALESCE($4::bigint, next_attempt_at),
    dead_at = CASE WHEN $4::bigint IS NULL THEN $5::bigint ELSE NULL END,
    claimed_by = CASE WHEN $4::bigint IS NULL THEN claimed_by ELSE NULL END,
    claim_until = CASE WHEN $4::bigint IS NULL THEN claim_until ELSE NULL END
    WHERE id = $1 AND claimed_by = $2 AND ${OPEN}`,
  listOpen: `SELECT * FROM outbox WHERE request_id = $1 AND ${OPEN} ORDER BY id`,
} as const;
