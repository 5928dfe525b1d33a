import type { NewRequest, RequestStore } from '../../src/store/request-store';
import { HOUR, T0, TEAM } from './fixtures';

/**
 * After migration 8 on a store that already held `pending` (waiting for approval, due a reminder and
 * expired two days after T0) and `allowed` (never started): every list that reads one state still
 * finds them, through the new partial indexes.
 */
export async function expectOpenRequestsListed(
  store: RequestStore,
  pending: NewRequest,
  allowed: NewRequest,
): Promise<void> {
  const later = T0 + 48 * HOUR;
  expect((await store.queries.listExpired(later, 10)).map((r) => r.id)).toEqual([pending.id]);
  expect((await store.queries.listDueReminders(later, 10)).map((r) => r.id)).toEqual([pending.id]);
  expect((await store.queries.listPendingApprovals(TEAM, 10)).map((r) => r.id)).toEqual([pending.id]);
  expect(await store.queries.countPendingApprovals()).toBe(1);
  expect((await store.queries.listStartable(later, 10)).map((r) => r.id)).toEqual([allowed.id]);
}

/** The indexes of `requests` after migration 8: the per-state partial ones, none that carries every request's state. */
export function expectStateIndexes(names: readonly string[]): void {
  expect(names).toEqual(
    expect.arrayContaining([
      'requests_pending_expires',
      'requests_pending_remind',
      'requests_running_lease',
      'requests_startable_updated',
      'requests_pending_team_created',
    ]),
  );
  expect(names.filter((name) => name.startsWith('requests_state_') || name === 'requests_team_state_created')).toEqual(
    [],
  );
}
