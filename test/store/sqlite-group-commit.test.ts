import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDatabase } from '../../src/store/sqlite-database';

/** Long enough that nothing commits by the clock while a test looks. */
const WINDOW_MS = 10_000;

describe('group commit on SQLite', () => {
  let dir: string;
  let path: string;
  const opened: SqliteDatabase[] = [];
  const open = (groupCommitMs = 0): SqliteDatabase => {
    const db = new SqliteDatabase({ path, groupCommitMs });
    opened.push(db);
    return db;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
    path = join(dir, 'bot.db');
    const setup = open();
    await setup.write(() => {
      setup.prepare('CREATE TABLE t (v TEXT NOT NULL)').run();
      setup.prepare('CREATE TABLE parent (id INTEGER PRIMARY KEY)').run();
      setup
        .prepare('CREATE TABLE child (parent_id INTEGER NOT NULL REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)')
        .run();
    });
  });
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (db: SqliteDatabase, v: string): Promise<void> =>
    db.write(() => {
      db.prepare<[string]>('INSERT INTO t (v) VALUES (?)').run(v);
    });
  const values = async (db: SqliteDatabase): Promise<string[]> =>
    (await db.rows<{ v: string }>('SELECT v FROM t ORDER BY rowid', {})).map((r) => r.v);
  /** Changes whenever another connection commits. */
  const dataVersion = async (db: SqliteDatabase): Promise<number> =>
    (await db.rows<{ data_version: number }>('PRAGMA data_version', {}))[0]!.data_version;
  const settled = async (p: Promise<unknown>): Promise<boolean> => {
    let done = false;
    void p.then(
      () => (done = true),
      () => (done = true),
    );
    await new Promise((resolve) => setImmediate(resolve));
    return done;
  };

  it('settles a write only once its group committed, and commits the writes of a window together', async () => {
    const grouped = open(50);
    const other = open();
    const before = await dataVersion(other);
    const writes = [insert(grouped, 'a'), insert(grouped, 'b'), grouped.changes("INSERT INTO t (v) VALUES ('c')", {})];
    // The connection itself reads its group at once; nobody else does before the commit.
    expect(await values(grouped)).toEqual(['a', 'b', 'c']);
    expect(await values(other)).toEqual([]);
    expect(await settled(writes[0]!)).toBe(false);
    await Promise.all(writes);
    expect(await values(other)).toEqual(['a', 'b', 'c']);
    expect((await dataVersion(other)) - before).toBe(1);
  });

  it('undoes a write that throws alone; the rest of its group commits', async () => {
    const grouped = open(WINDOW_MS);
    const kept = insert(grouped, 'kept');
    const failed = grouped.write(() => {
      grouped.prepare("INSERT INTO t (v) VALUES ('undone')").run();
      throw new Error('a check failed');
    });
    const alsoFailed = grouped.changes('INSERT INTO t (v) VALUES (NULL)', {});
    const after = insert(grouped, 'after');
    await expect(failed).rejects.toThrow('a check failed');
    await expect(alsoFailed).rejects.toThrow(/NOT NULL/);
    await grouped.close();
    await Promise.all([kept, after]);
    expect(await values(open())).toEqual(['kept', 'after']);
  });

  it('fails every write of a group whose commit fails, and the next write starts afresh', async () => {
    const grouped = open(WINDOW_MS);
    const first = insert(grouped, 'lost');
    // Valid when written, refused at COMMIT: the foreign key is checked at the end of the transaction.
    const orphan = grouped.changes('INSERT INTO child (parent_id) VALUES (42)', {});
    const other = open();
    // Another connection's write commits this group first (and does not wait for its window).
    const next = insert(other, 'next');
    await expect(first).rejects.toThrow(/FOREIGN KEY/);
    await expect(orphan).rejects.toThrow(/FOREIGN KEY/);
    await next;
    const again = insert(grouped, 'again');
    await grouped.close();
    await again;
    expect(await values(other)).toEqual(['next', 'again']);
  });

  it("lets another connection of the process write at once, committing this one's group first", async () => {
    const grouped = open(WINDOW_MS);
    const other = open(WINDOW_MS);
    const mine = insert(grouped, 'mine');
    const theirs = insert(other, 'theirs');
    await mine;
    expect(await values(open())).toEqual(['mine']);
    await other.close();
    await theirs;
    expect(await values(open())).toEqual(['mine', 'theirs']);
  });

  it('commits what is open when closed', async () => {
    const grouped = open(WINDOW_MS);
    const write = insert(grouped, 'before close');
    await grouped.close();
    await write;
    expect(await values(open())).toEqual(['before close']);
  });
});
