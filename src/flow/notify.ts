import type { MessageIntent, ThreadNote } from '../domain/message-intent';

const note = (n: ThreadNote): MessageIntent => ({ kind: 'thread.note', note: n });

/**
 * The Slack messages each state change owes. They are written to the outbox in the same
 * transaction as the change (never lost to a crash in between) and rendered when delivered.
 */
export function messagesOnAccepted(state: 'allowed' | 'pending_approval'): MessageIntent[] {
  if (state === 'allowed') return [{ kind: 'root.post' }];
  return [{ kind: 'root.post' }, note('waiting'), { kind: 'card.post' }];
}

/** After an approver decided, the requester cancelled, or the request expired. */
export function messagesOnClosedApproval(reason: 'decision' | 'cancelled' | 'expired'): MessageIntent[] {
  return [{ kind: 'card.update' }, note(reason), { kind: 'root.update' }];
}

export function messagesOnReminder(): MessageIntent[] {
  return [{ kind: 'card.remind' }];
}

/** After the cloud call: the summary (and its CSV), the final root state, and the card's final line. */
export function messagesOnFinished(hadApproval: boolean): MessageIntent[] {
  return [
    { kind: 'thread.summary' },
    { kind: 'thread.summary_file' },
    { kind: 'root.update' },
    ...(hadApproval ? [{ kind: 'card.update' } as const] : []),
  ];
}
