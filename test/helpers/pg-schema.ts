import { adminQuery, randomSchema } from '../store/pg-harness';

export interface TestSchema {
  readonly schema: string;
  /** The server's URL with `search_path` set to the schema: every pool opened from it works only there. */
  readonly url: string;
  drop(): Promise<void>;
}

/** The URL with the schema as every connection's search_path (`openStore` and the bot read it from the URL). */
export function withSearchPath(url: string, schema: string): string {
  const target = new URL(url);
  target.searchParams.set('options', `-c search_path=${schema}`);
  return target.toString();
}

/** A fresh, empty schema for one test; `drop()` removes it with everything in it. */
export async function createTestSchema(url: string): Promise<TestSchema> {
  const schema = randomSchema();
  await adminQuery(url, `CREATE SCHEMA ${schema}`);
  return {
    schema,
    url: withSearchPath(url, schema),
    drop: async () => {
      await adminQuery(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}
