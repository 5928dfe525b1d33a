import type { RequestStore } from './request-store';
import { SqliteRequestStore } from './sqlite-store';
import type { StoreLogger } from './store-logger';

export const DEFAULT_SQLITE_PATH = './data/backup-bot.db';

export interface OpenStoreOptions {
  /** `postgres://…` / `postgresql://…` for PostgreSQL, `sqlite:<path>` for SQLite; unset: SQLite at `sqlitePath`. */
  readonly databaseUrl?: string | undefined;
  /** SQLite file used when `databaseUrl` is unset. Default `./data/backup-bot.db`. */
  readonly sqlitePath?: string | undefined;
  readonly logger?: StoreLogger | undefined;
}

export type StoreTarget =
  { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly connectionString: string };

/** Thrown for a database URL of no accepted form; the message names the forms, never the URL. */
export class StoreUrlError extends Error {
  readonly code = 'STORE_URL_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'StoreUrlError';
  }
}

/** Decides which store a configuration means, without touching anything. */
export function resolveStoreTarget(options: Pick<OpenStoreOptions, 'databaseUrl' | 'sqlitePath'>): StoreTarget {
  const url = options.databaseUrl?.trim();
  if (url === undefined || url === '') return { kind: 'sqlite', path: options.sqlitePath ?? DEFAULT_SQLITE_PATH };
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', connectionString: url };
  if (/^sqlite:/i.test(url)) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '')
      throw new StoreUrlError('database URL sqlite: needs a file path, e.g. sqlite:./data/backup-bot.db');
    return { kind: 'sqlite', path };
  }
  // Only a `scheme://` prefix is echoed: in `user:password@host` the part before `:` is not a scheme.
  const scheme = /^([a-z][a-z0-9+.-]{0,20}):\/\//i.exec(url)?.[1];
  throw new StoreUrlError(
    `database URL ${scheme === undefined ? 'has no recognised scheme' : `scheme "${scheme}:" is not supported`}: ` +
      'use postgres://…, postgresql://… or sqlite:<path> (or leave it unset for SQLite at the default path)',
  );
}

/**
 * Opens the configured store and brings its schema up to date before handing it out. The PostgreSQL
 * store (and its driver) is loaded only when it is the one configured: a bot on SQLite never pays
 * for it in memory (about 15 MB of RSS) or start-up time.
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<RequestStore> {
  const target = resolveStoreTarget(options);
  const store =
    target.kind === 'postgres'
      ? new (await import('./postgres-store')).PostgresRequestStore({
          connectionString: target.connectionString,
          ...(options.logger === undefined ? {} : { logger: options.logger }),
        })
      : new SqliteRequestStore({
          path: target.path,
          checkpointInWorker: true,
          ...(options.logger === undefined ? {} : { logger: options.logger }),
        });
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}
