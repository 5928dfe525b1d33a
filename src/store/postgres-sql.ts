import { OPEN_MESSAGE } from './common-sql';

/**
 * PostgreSQL's own statements (`@name` parameters, rewritten to `$n` by sql-runner.ts), beside the
 * ones both dialects share (common-sql.ts); explicit casts where a parameter's type cannot be
 * inferred. Each state change is one UPDATE whose WHERE is the compare-and-set: under READ
 * COMMITTED a concurrent updater waits for the row lock, re-checks the WHERE on the new row and
 * loses. `attempts` counts failed deliveries: a claim does not change it.
 */
const headOf = (alias: string): string =>
  `${alias}.id = (SELECT MIN(p.id) FROM outbox p WHERE p.request_id = ${alias}.request_id AND p.done_at IS NULL AND p.dead_at IS NULL)`;
const claimable = (alias: string): string =>
  `${alias}.done_at IS NULL AND ${alias}.dead_at IS NULL AND ${alias}.next_attempt_at <= @now
    AND (${alias}.claim_until IS NULL OR ${alias}.claim_until <= @now) AND ${headOf(alias)}`;

export const PG = {
  insertRequest: `INSERT INTO requests
    (id, team_id, requester_id, state, created_at, updated_at, expires_at, remind_at, reminded_at, body, approval,
      step_execution_id, step_token)
    VALUES (@id, @teamId, @requesterId, @state, @createdAt, @updatedAt, @expiresAt, @remindAt, @remindedAt,
      @body::jsonb, @approval::jsonb, @stepExecutionId::text, @stepToken::text)
    ON CONFLICT (id) DO NOTHING RETURNING *`,
  /** Takes the key unless its holder was created after @since (= now - window); returns a row only when taken. */
  takeDedupe: `INSERT INTO request_dedupe (key, request_id, created_at, expires_at) VALUES (@key, @id, @now, @until)
    ON CONFLICT (key) DO UPDATE SET request_id = EXCLUDED.request_id, created_at = EXCLUDED.created_at,
    expires_at = EXCLUDED.expires_at WHERE request_dedupe.created_at <= @since RETURNING request_id`,
  dedupeHolder: 'SELECT r.* FROM request_dedupe d JOIN requests r ON r.id = d.request_id WHERE d.key = @key',
  transition: `UPDATE requests SET state = @to, updated_at = @now,
    approval = CASE WHEN @hasApproval::int = 1 THEN @approval::jsonb ELSE approval END,
    expires_at = CASE WHEN @hasApproval::int = 1 THEN @expiresAt::bigint ELSE expires_at END,
    remind_at = CASE WHEN @hasApproval::int = 1 THEN @remindAt::bigint ELSE remind_at END,
    reminded_at = COALESCE(@remindedAt::bigint, reminded_at),
    outcome = COALESCE(@outcome::jsonb, outcome),
    watch = COALESCE(@watch::jsonb, watch),
    watch_next_at = CASE WHEN @watch::jsonb IS NULL THEN watch_next_at ELSE @watchNextAt::bigint END,
    runner_owner = COALESCE(@owner::text, runner_owner),
    run_lease_until = CASE WHEN @owner::text IS NULL THEN run_lease_until ELSE @leaseUntil::bigint END
    WHERE id = @id AND state = @from AND (@heldBy::text IS NULL OR runner_owner = @heldBy::text) RETURNING *`,
  setMessages: `UPDATE requests SET
    updated_at = CASE WHEN (root_message IS NULL AND @root::jsonb IS NOT NULL)
      OR (approval_message IS NULL AND @approval::jsonb IS NOT NULL) THEN @now::bigint ELSE updated_at END,
    root_message = COALESCE(root_message, @root::jsonb),
    approval_message = COALESCE(approval_message, @approval::jsonb)
    WHERE id = @id RETURNING *`,
  saveWatch: `UPDATE requests SET watch = @watch::jsonb, watch_next_at = @watchNextAt::bigint, watch_lease_until = NULL
    WHERE id = @id AND watch_owner = @owner RETURNING *`,
  appendAudit: `INSERT INTO audit_events (request_id, team_id, at, actor, kind, detail)
    VALUES (@requestId, @teamId, @at, @actor, @kind, @detail::jsonb)`,
  enqueue: `INSERT INTO outbox (request_id, kind, payload, attempts, next_attempt_at, created_at)
    VALUES (@requestId, @kind, @payload::jsonb, 0, @now, @now) RETURNING *`,
  /** Skips rows another claimer has locked; a locked-then-committed row is re-checked and then excluded. */
  claimMany: `WITH picked AS (
      SELECT o.id, o.claimed_by AS holder FROM outbox o WHERE ${claimable('o')}
      ORDER BY o.next_attempt_at, o.id LIMIT @limit
      FOR UPDATE OF o SKIP LOCKED
    )
    UPDATE outbox SET claimed_by = @owner, claim_until = @until, claims = outbox.claims + 1
    FROM picked WHERE outbox.id = picked.id RETURNING outbox.*, picked.holder IS NOT NULL AS taken_over`,
  /** A holder still named on a claimable message is one whose claim ran out: the claim takes it over. */
  claimOne: `WITH held AS (SELECT id, claimed_by AS holder FROM outbox WHERE id = @id FOR UPDATE)
    UPDATE outbox SET claimed_by = @owner, claim_until = @until, claims = outbox.claims + 1
    FROM held WHERE outbox.id = held.id AND ${claimable('outbox')} RETURNING outbox.*, held.holder IS NOT NULL AS taken_over`,
  fail: `UPDATE outbox SET last_error = @lastError, attempts = attempts + 1,
    next_attempt_at = COALESCE(@next::bigint, next_attempt_at),
    dead_at = CASE WHEN @next::bigint IS NULL THEN @now::bigint ELSE NULL END,
    claimed_by = CASE WHEN @next::bigint IS NULL THEN claimed_by ELSE NULL END,
    claim_until = CASE WHEN @next::bigint IS NULL THEN claim_until ELSE NULL END
    WHERE id = @id AND claimed_by = @owner AND ${OPEN_MESSAGE}`,
} as const;
