import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../src/demo/wait';
import { startCheckpointer } from '../../src/store/sqlite-checkpointer';
import { SqliteDatabase } from '../../src/store/sqlite-database';

describe('checkpoints in a thread of their own', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'checkpointer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const autocheckpoint = async (db: SqliteDatabase): Promise<number> =>
    (await db.run(() => db.prepare<[], { wal_autocheckpoint: number }>('PRAGMA wal_autocheckpoint').get()))
      ?.wal_autocheckpoint ?? -1;

  async function fill(db: SqliteDatabase, rows: number): Promise<void> {
    await db.write(() => db.prepare('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)').run());
    const insert = db.prepare<[string]>('INSERT INTO t (v) VALUES (?)');
    for (let i = 0; i < rows; i += 100)
      await db.write(() => {
        for (let j = 0; j < 100; j += 1) insert.run('x'.repeat(2000));
      });
  }

  it("moves the log into the database file from the worker, while the bot's connection never does", async () => {
    const path = join(dir, 'bot.db');
    const db = new SqliteDatabase({ path, checkpointInWorker: true, checkpointStartAfterMs: 0 });
    try {
      await waitFor('the checkpoint thread to start', async () =>
        (await autocheckpoint(db)) === 0 ? true : undefined,
      );
      // About 6 MB: past the 1000 pages at which a commit would checkpoint by itself.
      await fill(db, 3000);
      await waitFor(
        'the log to reach the database file',
        () => Promise.resolve(statSync(path).size > 6_000_000 ? true : undefined),
        10_000,
        50,
      );
      expect(await autocheckpoint(db)).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('leaves checkpoints in commits when not asked, for an in-memory store, and until the thread starts', async () => {
    const plain = new SqliteDatabase({ path: join(dir, 'plain.db') });
    const memory = new SqliteDatabase({ path: ':memory:', checkpointInWorker: true, checkpointStartAfterMs: 0 });
    const later = new SqliteDatabase({
      path: join(dir, 'later.db'),
      checkpointInWorker: true,
      checkpointStartAfterMs: 200,
    });
    try {
      expect(await autocheckpoint(plain)).toBe(1000);
      expect(await autocheckpoint(memory)).toBe(1000);
      expect(await autocheckpoint(later)).toBe(1000);
      await waitFor('the delayed thread to start', async () =>
        (await autocheckpoint(later)) === 0 ? true : undefined,
      );
    } finally {
      await plain.close();
      await memory.close();
      await later.close();
    }
  });

  it('gives checkpoints back to the connection, and says so once, when the thread fails', async () => {
    const pragmas: string[] = [];
    const failures: string[] = [];
    const checkpointer = startCheckpointer({
      path: join(dir, 'missing.db'),
      everyMs: 10,
      pragma: (sql) => pragmas.push(sql),
      onFailure: (error) => failures.push(error),
      driver: join(dir, 'no-such-driver.js'),
    });
    await waitFor('the thread to fail', () => Promise.resolve(failures.length > 0 ? true : undefined));
    expect(pragmas).toEqual(['wal_autocheckpoint = 1000']);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/no-such-driver/);
    await checkpointer.stop();
    expect(pragmas).toEqual(['wal_autocheckpoint = 1000']);
  });

  it('hands checkpoints back to the connection when stopped', async () => {
    const path = join(dir, 'stop.db');
    const db = new SqliteDatabase({ path });
    await fill(db, 100);
    const pragmas: string[] = [];
    const checkpointer = startCheckpointer({
      path,
      everyMs: 10,
      pragma: (sql) => pragmas.push(sql),
      onFailure: () => undefined,
    });
    await waitFor('the thread to start', () => Promise.resolve(pragmas.length > 0 ? true : undefined));
    await checkpointer.stop();
    await db.close();
    expect(pragmas).toEqual(['wal_autocheckpoint = 0', 'wal_autocheckpoint = 1000']);
  });
});
