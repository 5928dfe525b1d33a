import {
  REQUEST_STATES,
  TRANSITIONS,
  canTransition,
  isFinal,
  isRequestState,
  outcomeState,
  step,
} from '../../src/domain/request-state';
import type { RequestState } from '../../src/domain/request-state';

const LEGAL: Array<[RequestState, RequestState]> = [
  ['pending_approval', 'approved'],
  ['pending_approval', 'denied'],
  ['pending_approval', 'expired'],
  ['pending_approval', 'cancelled'],
  ['approved', 'running'],
  ['allowed', 'running'],
  ['running', 'succeeded'],
  ['running', 'partially_failed'],
  ['running', 'failed'],
];

describe('request state machine', () => {
  it('allows exactly the documented transitions (every pair checked)', () => {
    for (const from of REQUEST_STATES) {
      for (const to of REQUEST_STATES) {
        const legal = LEGAL.some(([f, t]) => f === from && t === to);
        expect([from, to, canTransition(from, to)]).toEqual([from, to, legal]);
      }
    }
  });

  it('has ten states, six of them final', () => {
    expect(REQUEST_STATES).toHaveLength(10);
    expect(REQUEST_STATES.filter(isFinal).sort()).toEqual([
      'cancelled',
      'denied',
      'expired',
      'failed',
      'partially_failed',
      'succeeded',
    ]);
  });

  it('builds typed steps and rejects illegal ones at compile time', () => {
    expect(step('approved', 'running')).toEqual({ from: 'approved', to: 'running' });
    // @ts-expect-error running cannot go back to pending_approval
    step('running', 'pending_approval');
    // @ts-expect-error a denied request is final
    step('denied', 'approved');
    expect(Object.keys(TRANSITIONS)).toEqual(REQUEST_STATES);
  });

  it('recognises state names from storage', () => {
    expect(isRequestState('running')).toBe(true);
    expect(isRequestState('toString')).toBe(false);
    expect(isRequestState('RUNNING')).toBe(false);
  });

  it.each([
    [3, 0, 'succeeded'],
    [2, 1, 'partially_failed'],
    [0, 3, 'failed'],
    [0, 0, 'failed'],
  ] as const)('%i added and %i failed is %s', (added, failed, state) => {
    expect(outcomeState(added, failed)).toBe(state);
  });
});
