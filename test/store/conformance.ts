/**
 * One behavioural contract for every RequestStore. Each test gets a fresh, migrated store; `second()`
 * opens another connection (SQLite) or pool (PostgreSQL) to the same database, so "exactly one winner"
 * is proven across connections, not just within one.
 */
import type { RequestStore } from '../../src/store/request-store';
import { describeAuditConformance } from './conformance-audit';
import { describeDraftConformance } from './conformance-drafts';
import { describeHealthConformance } from './conformance-health';
import { describeEffectsConformance } from './conformance-effects';
import { describeLeaseConformance } from './conformance-leases';
import { describeListConformance } from './conformance-lists';
import { describeOpenVolumeConformance } from './conformance-open-volumes';
import { describeOutboxConformance } from './conformance-outbox';
import { describeReplayConformance } from './conformance-replays';
import { describeRequestConformance } from './conformance-requests';
import { describeWatchConformance } from './conformance-watches';
import { describeWorkflowStepConformance } from './conformance-workflow-steps';

export interface StoreHarness {
  /** A migrated store on a database no other test uses. */
  readonly store: RequestStore;
  /** Another connection to the same database (migrated); closed by `cleanup`. */
  readonly second: () => Promise<RequestStore>;
  /** Closes every connection opened for this harness and removes its database. */
  readonly cleanup: () => Promise<void>;
}

export type MakeStore = () => Promise<StoreHarness>;

/** What a conformance part sees: the current test's store and a way to get a second connection. */
export interface StoreContext {
  readonly store: RequestStore;
  /** The store plus a second connection to the same database. */
  both(): Promise<[RequestStore, RequestStore]>;
}

export function describeRequestStoreConformance(name: string, makeStore: MakeStore): void {
  describe(`${name} conformance`, () => {
    let harness: StoreHarness | undefined;

    beforeEach(async () => {
      harness = await makeStore();
    });

    afterEach(async () => {
      await harness?.cleanup();
      harness = undefined;
    });

    const context = (): StoreContext => {
      if (harness === undefined) throw new Error('store harness used outside a test');
      const { store, second } = harness;
      return { store, both: async () => [store, await second()] };
    };

    describeRequestConformance(context);
    describeLeaseConformance(context);
    describeWatchConformance(context);
    describeListConformance(context);
    describeOpenVolumeConformance(context);
    describeAuditConformance(context);
    describeOutboxConformance(context);
    describeDraftConformance(context);
    describeEffectsConformance(context);
    describeReplayConformance(context);
    describeHealthConformance(context);
    describeWorkflowStepConformance(context);
  });
}
