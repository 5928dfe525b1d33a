import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteDatabase } from '../../src/store/sqlite-database';

describe('SQLite writes asked for in one turn', () => {
  let dir: string;
  let db: SqliteDatabase;
  let other: Database.Database;
  const insert = (value: string) => (): number => {
    db.prepare('INSERT INTO t (v) VALUES (?)').run(value);
    return value.length;
  };
  const values = (): string[] =>
    other
      .prepare<[], { v: string }>('SELECT v FROM t ORDER BY id')
      .all()
      .map((r) => r.v);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'backup-bot-batches-'));
    db = new SqliteDatabase({ path: join(dir, 'b.db') });
    await db.write(() => db.prepare('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)').run());
    other = new Database(join(dir, 'b.db'));
  });
  afterEach(async () => {
    other.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commit together, in the order asked, each answered with its own result', async () => {
    let seenDuringLast: string[] = [];
    const results = await Promise.all([
      db.write(insert('a')),
      db.write(insert('bb')),
      db.write(() => {
        // Another connection sees only what is committed: nothing of this turn's writes yet.
        seenDuringLast = values();
        return insert('ccc')();
      }),
    ]);
    expect(seenDuringLast).toEqual([]);
    expect(results).toEqual([1, 2, 3]);
    expect(values()).toEqual(['a', 'bb', 'ccc']);
  });

  it('asked for one after the other (each awaited), commit one by one', async () => {
    await db.write(insert('a'));
    let seen: string[] = [];
    await db.write(() => {
      seen = values();
      return insert('b')();
    });
    expect(seen).toEqual(['a']);
  });

  it('fail only the write that throws: its changes are undone, the others commit', async () => {
    const asked = [
      db.write(insert('a')),
      db.write(() => {
        insert('b')();
        insert('a')(); // UNIQUE: fails after b was written
      }),
      db.write(insert('c')),
    ];
    const [a, failed, c] = await Promise.allSettled(asked);
    expect(a).toEqual({ status: 'fulfilled', value: 1 });
    expect(failed?.status).toBe('rejected');
    expect(String((failed as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(c).toEqual({ status: 'fulfilled', value: 1 });
    expect(values()).toEqual(['a', 'c']);
  });

  it('all fail, and none holds, when SQLite ended the transaction during the batch', async () => {
    const asked = [
      db.write(insert('a')),
      // As SQLite does on a full disk or an I/O error: the whole transaction is rolled back.
      db.write(() => db.prepare('ROLLBACK').run()),
      db.write(insert('c')),
    ];
    const settled = await Promise.allSettled(asked);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(values()).toEqual([]);
    // The connection goes on: the next write commits.
    await db.write(insert('d'));
    expect(values()).toEqual(['d']);
  });

  it('refuse a write asked for inside another write, whose commit it could not wait for', async () => {
    let inner: Promise<unknown> | undefined;
    await db.write(() => {
      inner = db.write(insert('inner'));
      return insert('outer')();
    });
    await expect(inner).rejects.toThrow(/inside another write/);
    expect(values()).toEqual(['outer']);
  });

  it('commit the writes asked for before a close', async () => {
    const asked = db.write(insert('a'));
    await db.close();
    await expect(asked).resolves.toBe(1);
    expect(values()).toEqual(['a']);
  });
});
