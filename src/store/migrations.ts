/**
 * Versioned, forward-only schema steps, one list per dialect. A step is never edited once released:
 * change the schema by appending a step. Each store applies the missing steps in one transaction
 * under a lock (PostgreSQL: `pg_advisory_xact_lock(MIGRATION_LOCK_KEY)`; SQLite: `BEGIN IMMEDIATE`)
 * and records them in `schema_migrations`, so two replicas starting at once apply each step once.
 *
 * Times are epoch milliseconds (INTEGER / BIGINT). `requests` keeps the searchable and mutable
 * fields in columns and the rest of the record (channel, project, policy, volumes, reason, access
 * decision) as JSON in `body`; approval expiry and reminder times are columns so they can be indexed.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

/** Key of the transaction-scoped advisory lock PostgreSQL migrations hold: "otcbkup1" read as a big-endian int8. */
export const MIGRATION_LOCK_KEY = '8031153309869240369';

export const SCHEMA_MIGRATIONS_TABLE_SQLITE =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)';
export const SCHEMA_MIGRATIONS_TABLE_POSTGRES =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)';

/**
 * Version 8, the same in both dialects. The scheduler's lists and the approvals list each read one
 * state. Indexes that carried every request's state were rewritten by every transition (four of
 * them, each a leaf page of a tree as large as the history); partial indexes hold only the requests
 * in the state their list reads, so a transition touches at most the one it enters and the one it
 * leaves.
 */
const STATE_INDEXES: Migration = {
  version: 8,
  name: 'requests indexed by state only where a list reads them',
  statements: [
    'DROP INDEX requests_state_expires',
    'DROP INDEX requests_state_remind',
    'DROP INDEX requests_state_lease',
    'DROP INDEX requests_team_state_created',
    "CREATE INDEX requests_pending_expires ON requests (expires_at) WHERE state = 'pending_approval'",
    "CREATE INDEX requests_pending_remind ON requests (remind_at) WHERE state = 'pending_approval' AND reminded_at IS NULL",
    "CREATE INDEX requests_running_lease ON requests (run_lease_until) WHERE state = 'running'",
    "CREATE INDEX requests_startable_updated ON requests (updated_at) WHERE state IN ('allowed', 'approved')",
    "CREATE INDEX requests_pending_team_created ON requests (team_id, created_at) WHERE state = 'pending_approval'",
  ],
};

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'requests, dedupe, audit, outbox',
    statements: [
      `CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        team_id TEXT NOT NULL,
        requester_id TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        expires_at INTEGER,
        remind_at INTEGER,
        reminded_at INTEGER,
        runner_owner TEXT,
        run_lease_until INTEGER,
        body TEXT NOT NULL,
        approval TEXT,
        root_message TEXT,
        approval_message TEXT,
        outcome TEXT
      )`,
      'CREATE INDEX requests_state_expires ON requests (state, expires_at)',
      'CREATE INDEX requests_state_remind ON requests (state, remind_at)',
      'CREATE INDEX requests_state_lease ON requests (state, run_lease_until)',
      'CREATE INDEX requests_team_state_created ON requests (team_id, state, created_at)',
      'CREATE INDEX requests_team_created ON requests (team_id, created_at)',
      'CREATE INDEX requests_team_requester_created ON requests (team_id, requester_id, created_at)',
      `CREATE TABLE request_dedupe (
        key TEXT PRIMARY KEY,
        request_id TEXT NOT NULL REFERENCES requests (id),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      )`,
      'CREATE INDEX request_dedupe_expires ON request_dedupe (expires_at)',
      `CREATE TABLE audit_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT NOT NULL,
        team_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL
      )`,
      'CREATE INDEX audit_events_request ON audit_events (request_id, at, id)',
      'CREATE INDEX audit_events_team_at ON audit_events (team_id, at)',
      `CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`,
      `CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`,
      `CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT NOT NULL REFERENCES requests (id),
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        done_at INTEGER,
        dead_at INTEGER,
        claimed_by TEXT,
        claim_until INTEGER,
        last_error TEXT
      )`,
      'CREATE INDEX outbox_open_request ON outbox (request_id, id) WHERE done_at IS NULL AND dead_at IS NULL',
      'CREATE INDEX outbox_open_due ON outbox (next_attempt_at, id) WHERE done_at IS NULL AND dead_at IS NULL',
    ],
  },
  {
    version: 2,
    name: 'modal drafts',
    statements: [
      `CREATE TABLE request_drafts (
        id TEXT PRIMARY KEY,
        team_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        channel_id TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      )`,
      'CREATE INDEX request_drafts_expires ON request_drafts (expires_at)',
    ],
  },
  {
    version: 3,
    name: 'replay keys',
    statements: [
      'CREATE TABLE replay_keys (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)',
      'CREATE INDEX replay_keys_expires ON replay_keys (expires_at)',
    ],
  },
  {
    version: 4,
    name: 'outbox claims counted',
    // A message claimed more than once may have been posted by a claimer that died or timed out:
    // the deliverer looks for it in Slack before posting again.
    statements: ['ALTER TABLE outbox ADD COLUMN claims INTEGER NOT NULL DEFAULT 0'],
  },
  {
    version: 5,
    name: 'open requests by volume',
    // Which open requests hold a volume, so a new request's check finds them with one indexed
    // look-up however long the history is. Open requests of before this step are filled in.
    statements: [
      `CREATE TABLE open_request_volumes (
        request_id TEXT NOT NULL REFERENCES requests (id),
        team_id TEXT NOT NULL,
        volume_id TEXT NOT NULL,
        PRIMARY KEY (request_id, volume_id)
      )`,
      'CREATE INDEX open_request_volumes_team_volume ON open_request_volumes (team_id, volume_id)',
      `INSERT INTO open_request_volumes (request_id, team_id, volume_id)
        SELECT r.id, r.team_id, json_extract(v.value, '$.id') FROM requests r, json_each(r.body, '$.volumes') v
        WHERE r.state NOT IN ('succeeded', 'partially_failed', 'failed', 'denied', 'expired', 'cancelled')`,
    ],
  },
  {
    version: 6,
    name: 'workflow steps',
    // A request a Workflow Builder step made: the step's execution id, and its token until the step
    // was told how the request ended (then it is set to NULL: the token is a secret kept no longer).
    statements: [
      'ALTER TABLE requests ADD COLUMN step_execution_id TEXT',
      'ALTER TABLE requests ADD COLUMN step_token TEXT',
    ],
  },
  {
    version: 7,
    name: 'watching first backups',
    // Version 6 is the Workflow Builder step's. The watch lives on the request (it renders in its
    // messages); watch_next_at is set while it is open, so the due ones are an indexed look-up.
    statements: [
      'ALTER TABLE requests ADD COLUMN watch TEXT',
      'ALTER TABLE requests ADD COLUMN watch_next_at INTEGER',
      'ALTER TABLE requests ADD COLUMN watch_owner TEXT',
      'ALTER TABLE requests ADD COLUMN watch_lease_until INTEGER',
      'CREATE INDEX requests_watch_due ON requests (watch_next_at) WHERE watch_next_at IS NOT NULL',
    ],
  },
  STATE_INDEXES,
];

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'requests, dedupe, audit, outbox',
    statements: [
      `CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        team_id TEXT NOT NULL,
        requester_id TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        expires_at BIGINT,
        remind_at BIGINT,
        reminded_at BIGINT,
        runner_owner TEXT,
        run_lease_until BIGINT,
        body JSONB NOT NULL,
        approval JSONB,
        root_message JSONB,
        approval_message JSONB,
        outcome JSONB
      )`,
      'CREATE INDEX requests_state_expires ON requests (state, expires_at)',
      'CREATE INDEX requests_state_remind ON requests (state, remind_at)',
      'CREATE INDEX requests_state_lease ON requests (state, run_lease_until)',
      'CREATE INDEX requests_team_state_created ON requests (team_id, state, created_at)',
      'CREATE INDEX requests_team_created ON requests (team_id, created_at)',
      'CREATE INDEX requests_team_requester_created ON requests (team_id, requester_id, created_at)',
      `CREATE TABLE request_dedupe (
        key TEXT PRIMARY KEY,
        request_id TEXT NOT NULL REFERENCES requests (id),
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      )`,
      'CREATE INDEX request_dedupe_expires ON request_dedupe (expires_at)',
      `CREATE TABLE audit_events (
        id BIGSERIAL PRIMARY KEY,
        request_id TEXT NOT NULL,
        team_id TEXT NOT NULL,
        at BIGINT NOT NULL,
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail JSONB NOT NULL
      )`,
      'CREATE INDEX audit_events_request ON audit_events (request_id, at, id)',
      'CREATE INDEX audit_events_team_at ON audit_events (team_id, at)',
      `CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$`,
      `CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`,
      `CREATE TABLE outbox (
        id BIGSERIAL PRIMARY KEY,
        request_id TEXT NOT NULL REFERENCES requests (id),
        kind TEXT NOT NULL,
        payload JSONB NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        done_at BIGINT,
        dead_at BIGINT,
        claimed_by TEXT,
        claim_until BIGINT,
        last_error TEXT
      )`,
      'CREATE INDEX outbox_open_request ON outbox (request_id, id) WHERE done_at IS NULL AND dead_at IS NULL',
      'CREATE INDEX outbox_open_due ON outbox (next_attempt_at, id) WHERE done_at IS NULL AND dead_at IS NULL',
    ],
  },
  {
    version: 2,
    name: 'modal drafts',
    statements: [
      `CREATE TABLE request_drafts (
        id TEXT PRIMARY KEY,
        team_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        channel_id TEXT,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      )`,
      'CREATE INDEX request_drafts_expires ON request_drafts (expires_at)',
    ],
  },
  {
    version: 3,
    name: 'replay keys',
    statements: [
      'CREATE TABLE replay_keys (key TEXT PRIMARY KEY, expires_at BIGINT NOT NULL)',
      'CREATE INDEX replay_keys_expires ON replay_keys (expires_at)',
    ],
  },
  {
    version: 4,
    name: 'outbox claims counted',
    // A message claimed more than once may have been posted by a claimer that died or timed out:
    // the deliverer looks for it in Slack before posting again.
    statements: ['ALTER TABLE outbox ADD COLUMN claims INTEGER NOT NULL DEFAULT 0'],
  },
  {
    version: 5,
    name: 'open requests by volume',
    statements: [
      `CREATE TABLE open_request_volumes (
        request_id TEXT NOT NULL REFERENCES requests (id),
        team_id TEXT NOT NULL,
        volume_id TEXT NOT NULL,
        PRIMARY KEY (request_id, volume_id)
      )`,
      'CREATE INDEX open_request_volumes_team_volume ON open_request_volumes (team_id, volume_id)',
      `INSERT INTO open_request_volumes (request_id, team_id, volume_id)
        SELECT r.id, r.team_id, v->>'id' FROM requests r, jsonb_array_elements(r.body->'volumes') v
        WHERE r.state NOT IN ('succeeded', 'partially_failed', 'failed', 'denied', 'expired', 'cancelled') ON CONFLICT DO NOTHING`,
    ],
  },
  {
    version: 6,
    name: 'workflow steps',
    statements: [
      'ALTER TABLE requests ADD COLUMN step_execution_id TEXT',
      'ALTER TABLE requests ADD COLUMN step_token TEXT',
    ],
  },
  {
    version: 7,
    name: 'watching first backups',
    statements: [
      'ALTER TABLE requests ADD COLUMN watch JSONB',
      'ALTER TABLE requests ADD COLUMN watch_next_at BIGINT',
      'ALTER TABLE requests ADD COLUMN watch_owner TEXT',
      'ALTER TABLE requests ADD COLUMN watch_lease_until BIGINT',
      'CREATE INDEX requests_watch_due ON requests (watch_next_at) WHERE watch_next_at IS NOT NULL',
    ],
  },
  STATE_INDEXES,
];

/** The newest version of a list: the schema a build needs. */
export function newestVersion(all: readonly Migration[]): number {
  return Math.max(0, ...all.map((m) => m.version));
}

/** The steps not yet applied, in version order. */
export function pendingMigrations(all: readonly Migration[], applied: ReadonlySet<number>): Migration[] {
  return [...all].sort((a, b) => a.version - b.version).filter((m) => !applied.has(m.version));
}
