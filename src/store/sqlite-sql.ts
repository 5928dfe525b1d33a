import { OPEN_MESSAGE } from './common-sql';

/**
 * SQLite's own statements (named `@params`), beside the ones both dialects share (common-sql.ts).
 * Every state change is one UPDATE whose WHERE is the compare-and-set; RETURNING hands back the
 * new row. `attempts` counts failed deliveries: a claim does not change it.
 */
const IS_HEAD = `id = (SELECT MIN(p.id) FROM outbox p WHERE p.request_id = outbox.request_id AND p.done_at IS NULL AND p.dead_at IS NULL)`;
const CLAIMABLE = `${OPEN_MESSAGE} AND next_attempt_at <= @now AND (claim_until IS NULL OR claim_until <= @now) AND ${IS_HEAD}`;

export const SQL = {
  insertRequest: `INSERT INTO requests
    (id, team_id, requester_id, state, created_at, updated_at, expires_at, remind_at, reminded_at, body, approval,
      step_execution_id, step_token)
    VALUES (@id, @teamId, @requesterId, @state, @createdAt, @updatedAt, @expiresAt, @remindAt, @remindedAt, @body, @approval,
      @stepExecutionId, @stepToken)
    ON CONFLICT (id) DO NOTHING RETURNING *`,
  upsertDedupe: `INSERT INTO request_dedupe (key, request_id, created_at, expires_at) VALUES (@key, @id, @now, @until)
    ON CONFLICT (key) DO UPDATE SET request_id = excluded.request_id, created_at = excluded.created_at,
    expires_at = excluded.expires_at`,
  transition: `UPDATE requests SET state = @to, updated_at = @now,
    approval = CASE WHEN @hasApproval = 1 THEN @approval ELSE approval END,
    expires_at = CASE WHEN @hasApproval = 1 THEN @expiresAt ELSE expires_at END,
    remind_at = CASE WHEN @hasApproval = 1 THEN @remindAt ELSE remind_at END,
    reminded_at = COALESCE(@remindedAt, reminded_at),
    outcome = COALESCE(@outcome, outcome),
    watch = COALESCE(@watch, watch),
    watch_next_at = CASE WHEN @watch IS NULL THEN watch_next_at ELSE @watchNextAt END,
    runner_owner = COALESCE(@owner, runner_owner),
    run_lease_until = CASE WHEN @owner IS NULL THEN run_lease_until ELSE @leaseUntil END
    WHERE id = @id AND state = @from AND (@heldBy IS NULL OR runner_owner = @heldBy) RETURNING *`,
  setMessages: `UPDATE requests SET
    updated_at = CASE WHEN (root_message IS NULL AND @root IS NOT NULL)
      OR (approval_message IS NULL AND @approval IS NOT NULL) THEN @now ELSE updated_at END,
    root_message = COALESCE(root_message, @root),
    approval_message = COALESCE(approval_message, @approval)
    WHERE id = @id RETURNING *`,
  saveWatch: `UPDATE requests SET watch = @watch, watch_next_at = @watchNextAt, watch_lease_until = NULL
    WHERE id = @id AND watch_owner = @owner RETURNING *`,
  appendAudit: `INSERT INTO audit_events (request_id, team_id, at, actor, kind, detail)
    VALUES (@requestId, @teamId, @at, @actor, @kind, @detail)`,
  enqueue: `INSERT INTO outbox (request_id, kind, payload, attempts, next_attempt_at, created_at)
    VALUES (@requestId, @kind, @payload, 0, @now, @now) RETURNING *`,
  claimableIds: `SELECT id FROM outbox WHERE ${CLAIMABLE} ORDER BY next_attempt_at, id LIMIT @limit`,
  claim: `UPDATE outbox SET claimed_by = @owner, claim_until = @until, claims = claims + 1
    WHERE id = @id AND ${CLAIMABLE} RETURNING *`,
  fail: `UPDATE outbox SET last_error = @lastError, attempts = attempts + 1,
    next_attempt_at = COALESCE(@next, next_attempt_at),
    dead_at = CASE WHEN @next IS NULL THEN @now ELSE NULL END,
    claimed_by = CASE WHEN @next IS NULL THEN claimed_by ELSE NULL END,
    claim_until = CASE WHEN @next IS NULL THEN claim_until ELSE NULL END
    WHERE id = @id AND claimed_by = @owner AND ${OPEN_MESSAGE}`,
} as const;
