/**
 * Statements both dialects run as they are (`@name` parameters; see sql-runner.ts). The outbox
 * "head" of a request is its oldest open (not done, not dead) message; statements whose text
 * differs by dialect (JSON casts, upserts, row locks) are in sqlite-sql.ts and postgres-sql.ts.
 */
export const OPEN_MESSAGE = 'done_at IS NULL AND dead_at IS NULL';

/**
 * The open requests of a workspace that hold any of `count` volumes (`@v0`…): an indexed look-up in
 * open_request_volumes, whatever the size of the history. Oldest first.
 */
export function openRequestsHoldingSql(count: number): string {
  const ids = Array.from({ length: count }, (_, i) => `@v${i}`).join(', ');
  return `SELECT * FROM requests WHERE id IN (
      SELECT request_id FROM open_request_volumes WHERE team_id = @teamId AND volume_id IN (${ids})
    ) ORDER BY created_at, id LIMIT @limit`;
}

export const COMMON_SQL = {
  getRequest: 'SELECT * FROM requests WHERE id = @id',
  dedupeHolder: `SELECT r.* FROM request_dedupe d JOIN requests r ON r.id = d.request_id
    WHERE d.key = @key AND d.created_at > @since`,
  listWatchesDue: `SELECT * FROM requests WHERE watch_next_at <= @now
    AND (watch_lease_until IS NULL OR watch_lease_until < @now) ORDER BY watch_next_at, id LIMIT @limit`,
  claimWatch: `UPDATE requests SET watch_owner = @owner, watch_lease_until = @leaseUntil
    WHERE id = @id AND watch_next_at <= @now AND (watch_lease_until IS NULL OR watch_lease_until < @now)`,
  openVolume: `INSERT INTO open_request_volumes (request_id, team_id, volume_id) VALUES (@id, @teamId, @volumeId)
    ON CONFLICT DO NOTHING`,
  closeVolumes: 'DELETE FROM open_request_volumes WHERE request_id = @id',
  markReminded: `UPDATE requests SET reminded_at = @now, updated_at = @now
    WHERE id = @id AND state = 'pending_approval' AND reminded_at IS NULL`,
  /** Forgets a workflow step's token; changes a row only the first time. */
  closeStep: 'UPDATE requests SET step_token = NULL WHERE id = @id AND step_token IS NOT NULL',
  renewRun: `UPDATE requests SET run_lease_until = @leaseUntil
    WHERE id = @id AND state = 'running' AND runner_owner = @owner`,
  /** A run given back by its runner (a stopping replica's): resumable at once, and no longer its runner's to finish. */
  releaseRun: `UPDATE requests SET runner_owner = NULL, run_lease_until = NULL
    WHERE id = @id AND state = 'running' AND runner_owner = @owner`,
  /** A run its runner gave back (releaseRun), claimed by a new one. */
  claimReleasedRun: `UPDATE requests SET runner_owner = @owner, run_lease_until = @leaseUntil
    WHERE id = @id AND state = 'running' AND run_lease_until IS NULL`,
  /** A run whose runner's lease ran out (it died or stalled), claimed by a new one. */
  claimExpiredRun: `UPDATE requests SET runner_owner = @owner, run_lease_until = @leaseUntil
    WHERE id = @id AND state = 'running' AND run_lease_until < @now`,
  listStaleRunning: `SELECT * FROM requests WHERE state = 'running' AND (run_lease_until IS NULL OR run_lease_until < @now)
    ORDER BY run_lease_until NULLS FIRST, id LIMIT @limit`,
  listStartable: `SELECT * FROM requests WHERE state IN ('allowed', 'approved') AND updated_at <= @before
    ORDER BY updated_at, id LIMIT @limit`,
  listExpired: `SELECT * FROM requests WHERE state = 'pending_approval' AND expires_at <= @now
    ORDER BY expires_at, id LIMIT @limit`,
  listDueReminders: `SELECT * FROM requests WHERE state = 'pending_approval' AND remind_at <= @now AND reminded_at IS NULL
    ORDER BY remind_at, id LIMIT @limit`,
  listPendingApprovals: `SELECT * FROM requests WHERE team_id = @teamId AND state = 'pending_approval'
    ORDER BY created_at, id LIMIT @limit`,
  listRequests: `SELECT * FROM requests WHERE team_id = @teamId AND created_at >= @since
    ORDER BY created_at DESC, id DESC LIMIT @limit`,
  listRequestsBy: `SELECT * FROM requests WHERE team_id = @teamId AND requester_id = @requesterId AND created_at >= @since
    ORDER BY created_at DESC, id DESC LIMIT @limit`,
  createDraft: `INSERT INTO request_drafts (id, team_id, user_id, channel_id, created_at, expires_at)
    VALUES (@id, @teamId, @userId, @channelId, @createdAt, @expiresAt)`,
  getDraft: 'SELECT * FROM request_drafts WHERE id = @id AND expires_at > @now',
  deleteExpiredDrafts: 'DELETE FROM request_drafts WHERE expires_at <= @now',
  listAudit: 'SELECT * FROM audit_events WHERE request_id = @requestId ORDER BY at, id',
  renewClaim: `UPDATE outbox SET claim_until = @until WHERE id = @id AND claimed_by = @owner AND ${OPEN_MESSAGE}`,
  /**
   * A claim given back before its message was attempted (a stopping deliverer's): claimable at once,
   * by anyone, and not counted, so its next holder does not look in Slack for a post that was never
   * made. A claim that was itself a takeover (`@takenOver` = 1: from a holder whose claim ran out)
   * keeps a holder's name, so that the next claim is a takeover too: that earlier holder may still
   * be posting it. Any other (a retry's, say) leaves none: nobody else can be posting it.
   */
  releaseClaim: `UPDATE outbox SET claimed_by = CASE WHEN @takenOver = 1 THEN claimed_by ELSE NULL END,
    claim_until = NULL, claims = claims - 1
    WHERE id = @id AND claimed_by = @owner AND claim_until IS NOT NULL AND ${OPEN_MESSAGE}`,
  completeMessage: `UPDATE outbox SET done_at = @now WHERE id = @id AND claimed_by = @owner AND ${OPEN_MESSAGE}`,
  /**
   * An owed edit of the root message that a delivery of the same request covered (Delivered.covered).
   * It waited behind that message, and only a request's oldest open message is ever claimed: no one
   * holds it.
   */
  closeCoveredEdit: `UPDATE outbox SET done_at = @now
    WHERE id = @id AND kind = 'root.update' AND ${OPEN_MESSAGE}
      AND request_id = (SELECT delivered.request_id FROM outbox delivered WHERE delivered.id = @deliveredId)`,
  /** Inserts the key, or takes over an expired one; changes no row when a live key holds it. */
  rememberReplayKey: `INSERT INTO replay_keys (key, expires_at) VALUES (@key, @expiresAt)
    ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE replay_keys.expires_at <= @now`,
  deleteExpiredReplayKeys: 'DELETE FROM replay_keys WHERE expires_at <= @now',
  deleteExpiredDedupe: 'DELETE FROM request_dedupe WHERE expires_at <= @now',
  newestMigration: 'SELECT MAX(version) AS version FROM schema_migrations',
  countPendingApprovals: "SELECT COUNT(*) AS n FROM requests WHERE state = 'pending_approval'",
  outboxBacklog: `SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE ${OPEN_MESSAGE}`,
  /** Read before a claim: a holder still named on a claimable message is one whose claim ran out. */
  claimHolder: 'SELECT claimed_by FROM outbox WHERE id = @id',
  listOpenMessages: `SELECT * FROM outbox WHERE request_id = @requestId AND ${OPEN_MESSAGE} ORDER BY id`,
  /** listOpenMessages of the request message `@id` belongs to. */
  listOpenBeside: `SELECT * FROM outbox WHERE ${OPEN_MESSAGE}
    AND request_id = (SELECT beside.request_id FROM outbox beside WHERE beside.id = @id) ORDER BY id`,
} as const;
