import { COMMON_SQL } from './common-sql';
import type { Migration } from './migrations';
import { newestVersion } from './migrations';
import type { StoreHealth } from './request-store';
import type { SqlRunner } from './sql-runner';

/**
 * Answers and is at least at this build's newest migration. A newer schema is fine: steps are only
 * appended, and during a rolling upgrade the first new replica migrates while the old ones still
 * serve; flagging them would take every old replica out at once. A missing `schema_migrations`
 * (the database was recreated empty) is an outdated schema, not an unreachable store. Other
 * failures are `unavailable`; their text (SQL, a host) stays out of the answer.
 */
export async function checkStoreHealth(
  runner: SqlRunner,
  migrations: readonly Migration[],
  isMissingTable: (err: unknown) => boolean,
): Promise<StoreHealth> {
  try {
    const [row] = await runner.rows<{ version: number | null }>(COMMON_SQL.newestMigration, {});
    return (row?.version ?? 0) >= newestVersion(migrations) ? 'ok' : 'schema_outdated';
  } catch (err) {
    return isMissingTable(err) ? 'schema_outdated' : 'unavailable';
  }
}
