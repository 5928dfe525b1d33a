import { isFinal } from '../domain/request-state';
import type { FlowMetrics, RequestRecords } from './ports';

/**
 * The request records, counting each request this replica moves into a final state. Every way a
 * request ends (finished, denied, cancelled, expired) is a won compare-and-set here, so counting
 * at this one door misses none and counts none twice.
 */
export function countFinalStates(records: RequestRecords, metrics: Pick<FlowMetrics, 'requestClosed'>): RequestRecords {
  return {
    create: (...args) => records.create(...args),
    get: (id) => records.get(id),
    deduped: (...args) => records.deduped(...args),
    async transition(...args) {
      const changed = await records.transition(...args);
      if (changed !== undefined && isFinal(changed.state)) metrics.requestClosed(changed.state);
      return changed;
    },
    setMessages: (...args) => records.setMessages(...args),
    markReminded: (...args) => records.markReminded(...args),
    closeStep: (...args) => records.closeStep(...args),
    renewRun: (...args) => records.renewRun(...args),
    releaseRun: (...args) => records.releaseRun(...args),
    claimStaleRun: (...args) => records.claimStaleRun(...args),
    forgetExpiredDedupe: (now) => records.forgetExpiredDedupe(now),
  };
}
