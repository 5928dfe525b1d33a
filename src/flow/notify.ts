import type { BackupRequest } from '../domain/backup-request';
import type { NewOutboxMessage } from '../store/request-store';

/** Notes in the requester's thread, rendered by the Slack layer from the request as it is then. */
export type ThreadNote = 'waiting' | 'decision' | 'cancelled' | 'expired';

const note = (n: ThreadNote): NewOutboxMessage => ({ kind: 'thread.note', payload: { note: n } });
const ROOT_UPDATE: NewOutboxMessage = { kind: 'root.update', payload: {} };
const CARD_UPDATE: NewOutboxMessage = { kind: 'card.update', payload: {} };

/** What Slack must show when a request is recorded. */
export function messagesOnAccepted(request: BackupRequest): NewOutboxMessage[] {
  if (request.state !== 'pending_approval') return [{ kind: 'root.post', payload: {} }];
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
export function messagesOnFinished(request: BackupRequest): NewOutboxMessage[] {
  return [
    { kind: 'thread.summary', payload: {} },
    { kind: 'thread.summary_file', payload: {} },
    ROOT_UPDATE,
    ...(request.approval !== undefined ? [CARD_UPDATE] : []),
  ];
}
