import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { COMMON_SQL, openRequestsHoldingSql } from '../../src/store/common-sql';
import { toPositional } from '../../src/store/sql-runner';
import { SqliteRequestStore } from '../../src/store/sqlite-store';
import { PostgresRequestStore } from '../../src/store/postgres-store';
import type { TestSchema } from '../helpers/pg-schema';
import { createTestSchema } from '../helpers/pg-schema';

/**
 * The statements a command, a click or a delivery runs, each of which must find its rows through an
 * index: a full scan of `requests`, the audit trail or the outbox would make every command cost
 * more as the history grows.
 */
const PER_COMMAND: Readonly<Record<string, string>> = {
  'a request by id': COMMON_SQL.getRequest,
  'the request a dedupe key stands for (a double submit)': COMMON_SQL.dedupeHolder,
  'open requests holding the volumes': openRequestsHoldingSql(3),
  "a request's audit trail": COMMON_SQL.listAudit,
  "a request's open messages": COMMON_SQL.listOpenMessages,
  'the open messages beside a completed one': COMMON_SQL.listOpenBeside,
  'an edit a delivery covered': COMMON_SQL.closeCoveredEdit,
  'a draft': COMMON_SQL.getDraft,
  'pending approvals of a workspace': COMMON_SQL.listPendingApprovals,
  "a person's recent requests": COMMON_SQL.listRequestsBy,
  'first-backup watches due': COMMON_SQL.listWatchesDue,
  "forgetting a workflow step's token": COMMON_SQL.closeStep,
};

/**
 * The scheduler's lists (every few seconds) and the pending-approvals gauge (every scrape), each with
 * the partial index it must read: one that holds only requests in the state the list reads, so a
 * list costs what is open, not what is stored, and a transition rewrites no index the size of the history.
 */
const BY_STATE: Readonly<Record<string, readonly [string, string]>> = {
  'running requests whose runner stopped': [COMMON_SQL.listStaleRunning, 'requests_running_lease'],
  'requests whose start was interrupted': [COMMON_SQL.listStartable, 'requests_startable_updated'],
  'approvals that expired': [COMMON_SQL.listExpired, 'requests_pending_expires'],
  'approvals due a reminder': [COMMON_SQL.listDueReminders, 'requests_pending_remind'],
  'pending approvals of a workspace': [COMMON_SQL.listPendingApprovals, 'requests_pending_team_created'],
  'approvals pending, counted': [COMMON_SQL.countPendingApprovals, 'requests_pending_'],
};

/** Every `@name` of a statement, bound to a value of the column's kind (the plan does not depend on it). */
/** Times, counts and the outbox's ids are numbers; a request's id and everything else is text. */
function isNumber(sql: string, name: string): boolean {
  return /^(now|since|limit|before|deliveredId)$/.test(name) || (name === 'id' && /\boutbox\b/.test(sql));
}

function dummyParams(sql: string): Record<string, string | number> {
  const params: Record<string, string | number> = {};
  for (const [, name] of sql.matchAll(/@([A-Za-z_]\w*)/g))
    if (name !== undefined) params[name] = isNumber(sql, name) ? 1 : 'x';
  return params;
}

describe('per-command statements use an index (SQLite)', () => {
  let dir: string;
  let db: Database.Database;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'backup-bot-plans-'));
    const store = new SqliteRequestStore({ path: join(dir, 'plans.db') });
    await store.migrate();
    await store.close();
    db = new Database(join(dir, 'plans.db'));
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(Object.entries(PER_COMMAND))('%s', (_, sql) => {
    const plan = db
      .prepare<[Record<string, string | number>], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
      .all(dummyParams(sql))
      .map((row) => row.detail);
    expect(
      plan.filter((step) => /^SCAN (requests|audit_events|outbox|request_drafts|open_request_volumes)\b/.test(step)),
    ).toEqual([]);
  });

  it.each(Object.entries(BY_STATE))('%s: through its partial index', (_, [sql, index]) => {
    const plan = db
      .prepare<[Record<string, string | number>], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
      .all(dummyParams(sql))
      .map((row) => row.detail);
    const requestSteps = plan.filter((step) => /^(SCAN|SEARCH) requests\b/.test(step));
    expect(requestSteps).toHaveLength(1);
    expect(requestSteps[0]).toContain(`INDEX ${index}`);
  });
});

const url = process.env['TEST_DATABASE_URL'];
(url === undefined ? describe.skip : describe)('per-command statements use an index (PostgreSQL)', () => {
  let schema: TestSchema;
  let client: Client;
  beforeAll(async () => {
    schema = await createTestSchema(url ?? '');
    const store = new PostgresRequestStore({ connectionString: schema.url });
    await store.migrate();
    await store.close();
    client = new Client({ connectionString: schema.url });
    await client.connect();
    // Empty tables make a sequential scan the cheapest plan; forbid it to see whether an index could serve.
    await client.query('SET enable_seqscan = off');
  });
  afterAll(async () => {
    await client.end();
    await schema.drop();
  });

  it.each(Object.entries(PER_COMMAND))('%s', async (_, sql) => {
    const { text, names } = toPositional(sql);
    const values = names.map((name) => dummyParams(sql)[name]);
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values);
    expect(rows.map((r) => r['QUERY PLAN']).filter((step) => step.includes('Seq Scan'))).toEqual([]);
  });

  it.each(Object.entries(BY_STATE))('%s: through its partial index', async (_, [sql, index]) => {
    const { text, names } = toPositional(sql);
    const values = names.map((name) => dummyParams(sql)[name]);
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values);
    const plan = rows.map((r) => r['QUERY PLAN']);
    expect(plan.filter((step) => step.includes('Seq Scan'))).toEqual([]);
    expect(plan.filter((step) => step.includes(`using ${index}`))).toHaveLength(1);
  });
});
