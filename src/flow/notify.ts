import type { NewOutboxMessage } from '../store/request-store';

/** Notes in the requester's thread, rendered by the Slack layer from the request as it is then. */
export type ThreadNote = 'waiting' | 'decision' | 'cancelled' | 'expired';

const note = (n: ThreadNote): NewOutboxMessage => ({ kind: 'thread.note', payload: { note: n } });
const ROOT_UPDATE: NewOutboxMessage = { kind: 'root.update', payload: {} };
const CARD_UPDATE: NewOutboxMessage = { kind: 'card.update', payload: {} };

/**
 * The Slack messages each state change owes. They are written to the outbox in the same
 * transaction as the change (never lost to a crash in between) and rendered when delivered.
 */
export function messagesOnAccepted(state: 'allowed' | 'pending_approval'): NewOutboxMessage[] {
  if (state === 'allowed') return [{ kind: 'root.post', payload: {} }];
  return [{ kind: 'root.post', payload: {} }, note('waiting'), { kind: 'card.post', payload: {} }];
}

/** After an approver decided, the requester cancelled, or the request expired. */
export function messagesOnClosedApproval(reason: 'decision' | 'cancelled' | 'expired'): NewOutboxMessage[] {
  return [CARD_UPDATE, note(reason), ROOT_UPDATE];
}

export function messagesOnReminder(): NewOutboxMessage[] {
  return [{ kind: 'card.remind', payload: {} }];
}

/** After the cloud call: the summary (and its CSV), the final root state, and the card's final line. */
export function messagesOnFinished(hadApproval: boolean): NewOutboxMessage[] {
  return [
    { kind: 'thread.summary', payload: {} },
    { kind: 'thread.summary_file', payload: {} },
    ROOT_UPDATE,
    ...(hadApproval ? [CARD_UPDATE] : []),
  ];
}
