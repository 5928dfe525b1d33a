import { startTcpProxy } from '../helpers/tcp-proxy';
import { Client } from 'pg';
import { POSTGRES_MIGRATIONS, SCHEMA_MIGRATIONS_TABLE_POSTGRES } from '../../src/store/migrations';
import { openStore } from '../../src/store/open-store';
import { PG } from '../../src/store/postgres-sql';
import { PostgresRequestStore } from '../../src/store/postgres-store';
import { insertParams } from '../../src/store/record-codec';
import { StoreUnavailableError } from '../../src/store/request-store';
import { toPositional } from '../../src/store/sql-runner';
import { describeRequestStoreConformance } from './conformance';
import { allowedRequest, createRequest, pendingRequest, T0, TEAM } from './fixtures';
import { expectOpenRequestsListed, expectStateIndexes } from './upgrade-checks';
import { adminQuery, pgHarnessFactory, randomSchema } from './pg-harness';

const databaseUrl = process.env.TEST_DATABASE_URL ?? '';
const describePostgres = databaseUrl === '' ? describe.skip : describe;
if (databaseUrl === '') console.warn('TEST_DATABASE_URL not set: PostgreSQL store tests skipped');

describePostgres('PostgreSQL (TEST_DATABASE_URL)', () => {
  describeRequestStoreConformance('PostgresRequestStore', pgHarnessFactory(databaseUrl));

  describe('PostgresRequestStore', () => {
    const schemas: string[] = [];
    const stores: PostgresRequestStore[] = [];
    const open = (schema: string, extra: { applicationName?: string } = {}): PostgresRequestStore => {
      const store = new PostgresRequestStore({ connectionString: databaseUrl, schema, ...extra });
      stores.push(store);
      return store;
    };
    const freshSchema = (): string => {
      const schema = randomSchema();
      schemas.push(schema);
      return schema;
    };

    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close();
      for (const schema of schemas.splice(0)) await adminQuery(databaseUrl, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    });

    it('applies each migration once when two pools migrate a fresh schema at the same time', async () => {
      const schema = freshSchema();
      const a = open(schema);
      const b = open(schema);
      await Promise.all([a.migrate(), b.migrate(), a.migrate()]);
      await b.migrate();
      const rows = await adminQuery(databaseUrl, `SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
      expect(rows).toEqual(POSTGRES_MIGRATIONS.map((m) => ({ version: m.version })));
    });

    it('keeps the audit trail append-only even for direct SQL', async () => {
      const schema = freshSchema();
      const store = open(schema);
      await store.migrate();
      await store.audit.append({
        requestId: allowedRequest().id,
        teamId: TEAM,
        at: T0,
        actor: 'bot',
        kind: 'received',
        detail: {},
      });
      const update = adminQuery(databaseUrl, `UPDATE ${schema}.audit_events SET actor = 'mallory'`);
      await expect(update).rejects.toThrow(/append-only/);
      await expect(adminQuery(databaseUrl, `DELETE FROM ${schema}.audit_events`)).rejects.toThrow(/append-only/);
      await expect(adminQuery(databaseUrl, `TRUNCATE ${schema}.audit_events`)).rejects.toThrow(/append-only/);
    });

    it('keeps working after the server drops its idle connections', async () => {
      const schema = freshSchema();
      const applicationName = `bot-test-${schema}`;
      const store = open(schema, { applicationName });
      await store.migrate();
      const stored = await createRequest(store, allowedRequest());
      const killed = await adminQuery<{ pid: number }>(
        databaseUrl,
        'SELECT pg_terminate_backend(pid) AS ok, pid FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      );
      expect(killed.length).toBeGreaterThan(0);
      // At once, before the pool may have heard of it: the read meets the dropped connection, and is read again.
      expect(await store.requests.get(stored.id)).toStrictEqual(stored);
      expect(await store.requests.get(stored.id)).toStrictEqual(stored);
    });

    it('reads again on another connection when the one it held was dropped without a word', async () => {
      const server = new URL(databaseUrl);
      const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
      try {
        const proxied = new URL(databaseUrl);
        proxied.hostname = '127.0.0.1';
        proxied.port = String(proxy.port);
        const store = new PostgresRequestStore({
          connectionString: proxied.toString(),
          schema: freshSchema(),
          poolMax: 1,
        });
        stores.push(store);
        await store.migrate();
        const stored = await createRequest(store, allowedRequest());
        // The pool's one connection is dead, and the pool cannot know: the read is its first word on it.
        proxy.cutSilently();
        expect(await store.requests.get(stored.id)).toStrictEqual(stored);
      } finally {
        for (const s of stores.splice(0)) await s.close();
        await proxy.stop();
      }
    });

    it('says its schema is outdated once the schema is dropped, and ok once migrated again', async () => {
      const schema = freshSchema();
      const store = open(schema);
      await store.migrate();
      expect(await store.health()).toBe('ok');
      await adminQuery(databaseUrl, `DROP SCHEMA ${schema} CASCADE`);
      expect(await store.health()).toBe('schema_outdated');
      await store.migrate();
      expect(await store.health()).toBe('ok');
    });

    it('moves a schema of v7 to the per-state partial indexes (v8); its open requests are still listed', async () => {
      const schema = freshSchema();
      const target = new URL(databaseUrl);
      target.searchParams.set('options', `-c search_path=${schema}`);
      const client = new Client({ connectionString: target.toString() });
      await client.connect();
      const pending = pendingRequest();
      const allowed = allowedRequest();
      try {
        await client.query(`CREATE SCHEMA ${schema}`);
        await client.query(SCHEMA_MIGRATIONS_TABLE_POSTGRES);
        for (const m of POSTGRES_MIGRATIONS.filter((x) => x.version <= 7)) {
          for (const statement of m.statements) await client.query(statement);
          await client.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [m.version, m.name, T0]);
        }
        const { text, names } = toPositional(PG.insertRequest);
        for (const request of [pending, allowed]) {
          const params: Record<string, unknown> = insertParams(request, T0);
          await client.query(
            text,
            names.map((name) => params[name]),
          );
        }
      } finally {
        await client.end();
      }
      const store = open(schema);
      await store.migrate();
      await expectOpenRequestsListed(store, pending, allowed);
      const indexes = await adminQuery<{ indexname: string }>(
        databaseUrl,
        "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'requests'",
        [schema],
      );
      expectStateIndexes(indexes.map((row) => row.indexname));
    });

    it('says unavailable, not outdated, when the server cannot be reached', async () => {
      const target = new URL(databaseUrl);
      target.pathname = '/no_such_database_for_bot_tests';
      const store = new PostgresRequestStore({ connectionString: target.toString() });
      stores.push(store);
      expect(await store.health()).toBe('unavailable');
    });

    it('rejects a schema name that is not a plain identifier', () => {
      expect(() => new PostgresRequestStore({ connectionString: databaseUrl, schema: 'x; DROP TABLE y' })).toThrow(
        /schema/,
      );
    });

    it('reports a database that does not exist as StoreUnavailableError without the password', async () => {
      const target = new URL(databaseUrl);
      target.password = 'Sup3rSecretPw';
      target.pathname = '/no_such_database_for_bot_tests';
      const store = new PostgresRequestStore({ connectionString: target.toString() });
      stores.push(store);
      const failure = store.ping();
      await expect(failure).rejects.toThrow(StoreUnavailableError);
      await expect(failure).rejects.not.toThrow(/Sup3rSecretPw/);
    });

    it('is opened by openStore from a postgres:// URL and migrated before it is returned', async () => {
      const schema = freshSchema();
      await adminQuery(databaseUrl, `CREATE SCHEMA ${schema}`);
      const target = new URL(databaseUrl);
      target.searchParams.set('options', `-c search_path=${schema}`);
      const store = await openStore({ databaseUrl: target.toString() });
      try {
        expect(store).toBeInstanceOf(PostgresRequestStore);
        const stored = await createRequest(store, allowedRequest());
        const rows = await adminQuery(databaseUrl, `SELECT id FROM ${schema}.requests`);
        expect(rows).toEqual([{ id: stored.id }]);
      } finally {
        await store.close();
      }
    });
  });
});
