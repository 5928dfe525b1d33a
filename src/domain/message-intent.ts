import type { VolumeId } from './ids';
import { asVolumeId, isUuid } from './ids';

/**
 * Notes in the requester's thread, rendered from the request as it is then: about the approval, and
 * (`step_unreachable`) that the workflow step which asked could not be told how the request ended.
 */
export type ThreadNote = 'waiting' | 'decision' | 'cancelled' | 'expired' | 'step_unreachable';

export const THREAD_NOTES: readonly ThreadNote[] = ['waiting', 'decision', 'cancelled', 'expired', 'step_unreachable'];

/**
 * A Slack message the bot owes about a request. Only the intent is stored (in the outbox, with the
 * state change that owes it); the message itself is rendered from the request when it is delivered,
 * so a late delivery shows the latest state.
 */
export type MessageIntent =
  | { readonly kind: 'root.post' }
  | { readonly kind: 'root.update' }
  | { readonly kind: 'thread.note'; readonly note: ThreadNote }
  | { readonly kind: 'thread.summary' }
  /** The summary's CSV, a message of its own: a failed upload is retried without posting the summary twice. */
  | { readonly kind: 'thread.summary_file' }
  | { readonly kind: 'card.post' }
  | { readonly kind: 'card.update' }
  | { readonly kind: 'card.remind' }
  /** The first backup of one volume the request added has finished (or failed). */
  | { readonly kind: 'thread.first_backup'; readonly volumeId: VolumeId }
  /** The deadline passed and some volumes have no first backup. */
  | { readonly kind: 'thread.first_backup_missing' }
  /** Tells the workflow step that made the request how it ended (functions.completeSuccess or completeError). */
  | { readonly kind: 'step.complete' };

export type MessageKind = MessageIntent['kind'];

export function isThreadNote(value: unknown): value is ThreadNote {
  return typeof value === 'string' && (THREAD_NOTES as readonly string[]).includes(value);
}

/** The intents without a payload, by kind: a stored kind is looked up here, never cast. */
const PLAIN_INTENTS: ReadonlyMap<string, MessageIntent> = new Map(
  (
    [
      { kind: 'root.post' },
      { kind: 'root.update' },
      { kind: 'thread.summary' },
      { kind: 'thread.summary_file' },
      { kind: 'card.post' },
      { kind: 'card.update' },
      { kind: 'card.remind' },
      { kind: 'thread.first_backup_missing' },
      { kind: 'step.complete' },
    ] as const
  ).map((intent) => [intent.kind, intent]),
);

/** Splits an intent into its kind and the rest, as the outbox stores them. */
export function splitIntent(intent: MessageIntent): { kind: MessageKind; payload: Record<string, unknown> } {
  const { kind, ...payload } = intent;
  return { kind, payload };
}

/** The intent a stored kind and payload describe, or undefined for one this version does not know. */
export function joinIntent(kind: string, payload: Readonly<Record<string, unknown>>): MessageIntent | undefined {
  if (kind === 'thread.note') {
    const note = payload['note'];
    return isThreadNote(note) ? { kind, note } : undefined;
  }
  if (kind === 'thread.first_backup') {
    const volumeId = payload['volumeId'];
    return typeof volumeId === 'string' && isUuid(volumeId) ? { kind, volumeId: asVolumeId(volumeId) } : undefined;
  }
  return PLAIN_INTENTS.get(kind);
}
