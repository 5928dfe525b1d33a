import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { DEFAULT_SQLITE_PATH, openStore, resolveStoreTarget, StoreUrlError } from '../../src/store/open-store';
import { StoreUnavailableError } from '../../src/store/request-store';
import { SqliteRequestStore } from '../../src/store/sqlite-store';
import { allowedRequest, createRequest } from './fixtures';

const PASSWORD = 'Xy7-very-secret-pw';

describe('resolveStoreTarget', () => {
  it.each([
    [{}, { kind: 'sqlite', path: DEFAULT_SQLITE_PATH }],
    [{ databaseUrl: '' }, { kind: 'sqlite', path: DEFAULT_SQLITE_PATH }],
    [{ sqlitePath: '/var/lib/bot/x.db' }, { kind: 'sqlite', path: '/var/lib/bot/x.db' }],
    [
      { databaseUrl: 'sqlite:./data/other.db', sqlitePath: '/ignored.db' },
      { kind: 'sqlite', path: './data/other.db' },
    ],
    [{ databaseUrl: 'sqlite:/srv/bot.db' }, { kind: 'sqlite', path: '/srv/bot.db' }],
    [{ databaseUrl: 'sqlite:///srv/bot.db' }, { kind: 'sqlite', path: '/srv/bot.db' }],
    [
      { databaseUrl: `postgres://bot:${PASSWORD}@db:5432/bot` },
      { kind: 'postgres', connectionString: `postgres://bot:${PASSWORD}@db:5432/bot` },
    ],
    [{ databaseUrl: 'postgresql://db/bot' }, { kind: 'postgres', connectionString: 'postgresql://db/bot' }],
  ])('maps %j to %j', (options, target) => {
    expect(resolveStoreTarget(options)).toEqual(target);
  });

  it('uses ./data/backup-bot.db when nothing is configured', () => {
    expect(DEFAULT_SQLITE_PATH).toBe('./data/backup-bot.db');
  });

  it.each([`mysql://bot:${PASSWORD}@db/bot`, `bot:${PASSWORD}@db/bot`, 'sqlite:'])(
    'rejects %s naming the accepted forms without echoing the password',
    (databaseUrl) => {
      let error: unknown;
      try {
        resolveStoreTarget({ databaseUrl });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(StoreUrlError);
      const message = (error as Error).message;
      expect(message).toMatch(/sqlite:/);
      expect(message).not.toContain(PASSWORD);
      expect(message).not.toContain('bot:');
    },
  );

  it('names the unsupported scheme so a typo is easy to spot', () => {
    expect(() => resolveStoreTarget({ databaseUrl: 'postgress://db/bot' })).toThrow(
      /"postgress:" is not supported: use postgres:\/\/…, postgresql:\/\/… or sqlite:<path>/,
    );
  });
});

describe('openStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'backup-bot-open-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens a migrated SQLite store at sqlitePath when no URL is given', async () => {
    const path = join(dir, 'data', 'bot.db');
    const store = await openStore({ sqlitePath: path });
    try {
      expect(store).toBeInstanceOf(SqliteRequestStore);
      expect(existsSync(path)).toBe(true);
      const stored = await createRequest(store, allowedRequest());
      expect(await store.requests.get(stored.id)).toStrictEqual(stored);
    } finally {
      await store.close();
    }
  });

  it('opens the SQLite file a sqlite: URL names', async () => {
    const path = join(dir, 'url.db');
    const store = await openStore({ databaseUrl: `sqlite:${path}`, sqlitePath: join(dir, 'unused.db') });
    await store.close();
    expect(existsSync(path)).toBe(true);
    expect(existsSync(join(dir, 'unused.db'))).toBe(false);
  });

  it('reports an unreachable PostgreSQL as StoreUnavailableError without the password anywhere in the error', async () => {
    const failure = openStore({ databaseUrl: `postgres://bot:${PASSWORD}@127.0.0.1:1/bot` });
    const error: unknown = await failure.catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).code).toBe('STORE_UNAVAILABLE');
    expect((error as Error).message).toMatch(/127\.0\.0\.1:1/);
    expect(inspect(error, { depth: 10 })).not.toContain(PASSWORD);
  });
});
