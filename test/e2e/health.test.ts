import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { DemoWorld } from '../../src/demo/demo-world';
import { startDemoWorld } from '../../src/demo/demo-world';
import type { TestSchema } from '../helpers/pg-schema';
import { createTestSchema } from '../helpers/pg-schema';
import { adminQuery } from '../store/pg-harness';

async function readiness(world: DemoWorld): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${world.bot.port}/readyz`);
  return { status: res.status, body: await res.json() };
}

const SCHEMA_OUTDATED = { status: 503, body: { status: 'degraded', mode: 'http', store: 'schema_outdated' } };

describe('/readyz on SQLite', () => {
  let dir: string;
  let world: DemoWorld | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'backup-bot-health-'));
  });
  afterEach(async () => {
    await world?.stop();
    world = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 schema_outdated once the database was recreated empty, and 200 before', async () => {
    const path = join(dir, 'requests.db');
    world = await startDemoWorld({ databaseUrl: `sqlite:${path}` });
    expect(await readiness(world)).toEqual({ status: 200, body: { status: 'ok', mode: 'http' } });

    const raw = new Database(path);
    const tables = raw
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all();
    raw.pragma('foreign_keys = OFF');
    for (const { name } of tables) raw.exec(`DROP TABLE ${name}`);
    raw.close();

    expect(await readiness(world)).toEqual(SCHEMA_OUTDATED);
    // Alive all the same: a restart would not bring the tables back.
    expect((await fetch(`http://127.0.0.1:${world.bot.port}/healthz`)).status).toBe(200);
  });

  it('answers 503 unavailable once the database cannot be used', async () => {
    world = await startDemoWorld({ databaseUrl: `sqlite:${join(dir, 'requests.db')}` });
    await world.bot.store.close();
    expect(await readiness(world)).toEqual({
      status: 503,
      body: { status: 'degraded', mode: 'http', store: 'unavailable' },
    });
  });
});

const databaseUrl = process.env['TEST_DATABASE_URL'] ?? '';
(databaseUrl === '' ? describe.skip : describe)('/readyz on PostgreSQL', () => {
  let schema: TestSchema | undefined;
  let world: DemoWorld | undefined;
  afterEach(async () => {
    await world?.stop();
    world = undefined;
    await schema?.drop();
    schema = undefined;
  });

  it('answers 503 schema_outdated once the schema was dropped', async () => {
    schema = await createTestSchema(databaseUrl);
    world = await startDemoWorld({ databaseUrl: schema.url });
    expect(await readiness(world)).toEqual({ status: 200, body: { status: 'ok', mode: 'http' } });
    await adminQuery(databaseUrl, `DROP SCHEMA ${schema.schema} CASCADE`);
    expect(await readiness(world)).toEqual(SCHEMA_OUTDATED);
  });
});
