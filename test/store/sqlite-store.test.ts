import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SCHEMA_MIGRATIONS_TABLE_SQLITE, SQLITE_MIGRATIONS } from '../../src/store/migrations';
import { insertParams } from '../../src/store/record-codec';
import type { RequestStore } from '../../src/store/request-store';
import { StoreUnavailableError } from '../../src/store/request-store';
import { SQL } from '../../src/store/sqlite-sql';
import { SqliteRequestStore } from '../../src/store/sqlite-store';
import { describeRequestStoreConformance } from './conformance';
import { allowedRequest, createRequest, expectedRecord, pendingRequest, T0, TEAM } from './fixtures';
import { expectOpenRequestsListed, expectStateIndexes } from './upgrade-checks';

/** A new database file with the migrations up to `version` applied, as an older build left it. */
function migratedUpTo(path: string, version: number): Database.Database {
  const raw = new Database(path);
  raw.exec(SCHEMA_MIGRATIONS_TABLE_SQLITE);
  for (const m of SQLITE_MIGRATIONS.filter((x) => x.version <= version)) {
    for (const statement of m.statements) raw.exec(statement);
    raw.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, T0);
  }
  return raw;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'backup-bot-store-'));
}

describeRequestStoreConformance('SqliteRequestStore', async () => {
  const dir = tempDir();
  const path = join(dir, 'nested', 'store.db');
  const opened: RequestStore[] = [];
  const open = async (): Promise<RequestStore> => {
    const store = new SqliteRequestStore({ path });
    opened.push(store);
    await store.migrate();
    return store;
  };
  const store = await open();
  return {
    store,
    second: open,
    cleanup: async () => {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteRequestStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the parent directories of the file and puts the database in WAL mode', async () => {
    const path = join(dir, 'a', 'b', 'bot.db');
    const store = new SqliteRequestStore({ path });
    await store.migrate();
    await store.ping();
    await store.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('applies each migration once when two connections both migrate the same fresh file', async () => {
    const path = join(dir, 'bot.db');
    const a = new SqliteRequestStore({ path });
    const b = new SqliteRequestStore({ path });
    await Promise.all([a.migrate(), b.migrate()]);
    await a.migrate();
    await Promise.all([a.close(), b.close()]);
    const raw = new Database(path, { readonly: true });
    const rows = raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
    raw.close();
    expect(rows).toEqual(SQLITE_MIGRATIONS.map((m) => ({ version: m.version })));
  });

  it('keeps the audit trail append-only even for direct SQL', async () => {
    const path = join(dir, 'bot.db');
    const store = new SqliteRequestStore({ path });
    await store.migrate();
    const request = allowedRequest();
    await store.audit.append({
      requestId: request.id,
      teamId: TEAM,
      at: T0,
      actor: 'bot',
      kind: 'received',
      detail: {},
    });
    await store.close();
    const raw = new Database(path);
    expect(() => raw.prepare("UPDATE audit_events SET actor = 'mallory'").run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    raw.close();
  });

  it('keeps data across reopening the file', async () => {
    const path = join(dir, 'bot.db');
    const first = new SqliteRequestStore({ path });
    await first.migrate();
    const stored = await createRequest(first, allowedRequest());
    await first.close();
    const reopened = new SqliteRequestStore({ path });
    await reopened.migrate();
    expect(await reopened.requests.get(stored.id)).toStrictEqual(stored);
    await reopened.close();
  });

  it('says its schema is outdated once the tables are dropped or a migration is missing', async () => {
    const path = join(dir, 'bot.db');
    const store = new SqliteRequestStore({ path });
    await store.migrate();
    const raw = new Database(path);
    try {
      raw.prepare('DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)').run();
      expect(await store.health()).toBe('schema_outdated');
      const tables = raw
        .prepare<[], { name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .all();
      raw.pragma('foreign_keys = OFF');
      for (const { name } of tables) raw.exec(`DROP TABLE ${name}`);
      expect(await store.health()).toBe('schema_outdated');
      await store.migrate();
      expect(await store.health()).toBe('ok');
    } finally {
      raw.close();
      await store.close();
    }
  });

  it('adds the workflow step columns (v6) to a database of v5, whose requests read back as before', async () => {
    const path = join(dir, 'bot.db');
    const raw = migratedUpTo(path, 5);
    const request = allowedRequest();
    const { stepExecutionId: _id, stepToken: _token, ...v5 } = insertParams(request, T0);
    raw
      .prepare(
        `INSERT INTO requests (id, team_id, requester_id, state, created_at, updated_at, expires_at, remind_at,
          reminded_at, body, approval) VALUES (@id, @teamId, @requesterId, @state, @createdAt, @updatedAt, @expiresAt,
          @remindAt, @remindedAt, @body, @approval)`,
      )
      .run(v5);
    raw.close();
    const store = new SqliteRequestStore({ path });
    await store.migrate();
    expect(await store.health()).toBe('ok');
    expect(await store.requests.get(request.id)).toStrictEqual(expectedRecord(request, T0));
    await store.close();
  });

  it('moves a database of v7 to the per-state partial indexes (v8); its open requests are still listed', async () => {
    const path = join(dir, 'bot.db');
    const raw = migratedUpTo(path, 7);
    const pending = pendingRequest();
    const allowed = allowedRequest();
    for (const request of [pending, allowed]) raw.prepare(SQL.insertRequest).run(insertParams(request, T0));
    raw.close();
    const store = new SqliteRequestStore({ path });
    await store.migrate();
    await expectOpenRequestsListed(store, pending, allowed);
    await store.close();
    const after = new Database(path, { readonly: true });
    expectStateIndexes(
      after
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'requests'")
        .all()
        .map((row) => row.name),
    );
    after.close();
  });

  it('reports a database file it cannot open as StoreUnavailableError', () => {
    // A directory where the file should be: cannot be opened, whoever runs the test.
    expect(() => new SqliteRequestStore({ path: dir })).toThrow(StoreUnavailableError);
  });
});
