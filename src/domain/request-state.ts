/**
 * The life of a backup request. Pure: the store applies transitions as compare-and-set, so only one
 * replica (or click) wins each step; the types make an illegal step a compile error.
 *
 *   allowed ----------------------------> running -> succeeded | partially_failed | failed
 *   pending_approval -> approved -------/
 *   pending_approval -> denied | expired | cancelled
 */
export const TRANSITIONS = {
  pending_approval: ['approved', 'denied', 'expired', 'cancelled'],
  approved: ['running'],
  allowed: ['running'],
  running: ['succeeded', 'partially_failed', 'failed'],
  succeeded: [],
  partially_failed: [],
  failed: [],
  denied: [],
  expired: [],
  cancelled: [],
} as const satisfies Record<string, readonly string[]>;

export type RequestState = keyof typeof TRANSITIONS;
export type NextState<S extends RequestState> = (typeof TRANSITIONS)[S][number];
export type StartState = 'allowed' | 'pending_approval';
export type FinalState = 'succeeded' | 'partially_failed' | 'failed' | 'denied' | 'expired' | 'cancelled';

/** A legal step: `from` and a `to` that `from` may go to. Build one with `step()`. */
export type Transition = { [S in RequestState]: { readonly from: S; readonly to: NextState<S> } }[RequestState];

export const REQUEST_STATES = Object.keys(TRANSITIONS) as RequestState[];

export function step<S extends RequestState>(from: S, to: NextState<S>): Transition {
  return { from, to } as Transition;
}

export function canTransition(from: RequestState, to: RequestState): boolean {
  return (TRANSITIONS[from] as readonly string[]).includes(to);
}

export function isFinal(state: RequestState): state is FinalState {
  return TRANSITIONS[state].length === 0;
}

export function isRequestState(text: string): text is RequestState {
  return Object.prototype.hasOwnProperty.call(TRANSITIONS, text);
}

/** The final state for an execution outcome. */
export function outcomeState(added: number, failed: number): 'succeeded' | 'partially_failed' | 'failed' {
  if (failed === 0 && added > 0) return 'succeeded';
  return added === 0 ? 'failed' : 'partially_failed';
}

export const STATE_LABELS: Record<RequestState, string> = {
  pending_approval: 'waiting for approval',
  approved: 'approved',
  allowed: 'allowed',
  running: 'working',
  succeeded: 'all added',
  partially_failed: 'partly failed',
  failed: 'failed',
  denied: 'denied',
  expired: 'expired',
  cancelled: 'cancelled',
};
