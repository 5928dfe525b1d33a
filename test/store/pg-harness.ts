import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { PostgresStoreOptions } from '../../src/store/postgres-store';
import { PostgresRequestStore } from '../../src/store/postgres-store';
import type { StoreHarness } from './conformance';

export function randomSchema(): string {
  return `store_test_${randomBytes(6).toString('hex')}`;
}

/** Runs one statement on a short-lived connection outside any store. */
export async function adminQuery<R extends Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Stores on a fresh schema of their own; `cleanup` closes them all and drops the schema. */
export function pgHarnessFactory(url: string, extra: Partial<PostgresStoreOptions> = {}) {
  return async (): Promise<StoreHarness & { readonly schema: string }> => {
    const schema = randomSchema();
    const opened: PostgresRequestStore[] = [];
    const open = async (): Promise<PostgresRequestStore> => {
      const store = new PostgresRequestStore({ connectionString: url, schema, poolMax: 5, ...extra });
      opened.push(store);
      await store.migrate();
      return store;
    };
    const store = await open();
    return {
      schema,
      store,
      second: open,
      cleanup: async () => {
        for (const s of opened) await s.close();
        await adminQuery(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      },
    };
  };
}
