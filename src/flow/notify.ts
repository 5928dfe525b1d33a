import { INLINE_VOLUMES } from '../domain/summary';
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

/**
 * Whether a state change ends the workflow step that made the request: the step is told last, once
 * the thread and the root message show the end (its outputs name the thread).
 */
export interface StepEnd {
  readonly endsStep?: boolean;
}

const tellStep = (end: StepEnd): MessageIntent[] => (end.endsStep === true ? [{ kind: 'step.complete' }] : []);

/**
 * After an approver decided, the requester cancelled, or the request expired. `endsStep`: the request
 * came from a workflow step and will not run (denied, cancelled, expired).
 */
export function messagesOnClosedApproval(
  reason: 'decision' | 'cancelled' | 'expired',
  end: StepEnd = {},
): MessageIntent[] {
  return [{ kind: 'card.update' }, note(reason), { kind: 'root.update' }, ...tellStep(end)];
}

export function messagesOnReminder(): MessageIntent[] {
  return [{ kind: 'card.remind' }];
}

/**
 * After the cloud call: the summary (and its CSV, when it is about more than INLINE_VOLUMES
 * `volumes`), the final root state, the card's final line, and (`endsStep`: the request came from a
 * workflow step) the step's outputs.
 */
export function messagesOnFinished(hadApproval: boolean, end: StepEnd, volumes: number): MessageIntent[] {
  return [
    { kind: 'thread.summary' },
    // The CSV only exists for a summary too long to list every volume: a shorter one owes no message.
    ...(volumes > INLINE_VOLUMES ? [{ kind: 'thread.summary_file' } as const] : []),
    { kind: 'root.update' },
    ...(hadApproval ? [{ kind: 'card.update' } as const] : []),
    ...tellStep(end),
  ];
}
