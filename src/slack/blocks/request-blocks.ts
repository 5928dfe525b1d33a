import { askWords, shortAsk } from './request-words';
import { protectionLine } from './backup-notes';
import type { BackupRequest } from '../../domain/backup-request';
import type { RequestState } from '../../domain/request-state';
import { STATE_LABELS } from '../../domain/request-state';
import { hasVisibleText } from '../../domain/visible-text';
import { code, mention, userText } from '../mrkdwn';
import type { Block, SlackMessage } from './kit';
import { decisionLine } from './approval-text';
import { context, message, section } from './kit';

const STATE_ICONS: Record<RequestState, string> = {
  pending_approval: ':raised_hand:',
  approved: ':white_check_mark:',
  allowed: ':hourglass_flowing_sand:',
  running: ':hourglass_flowing_sand:',
  succeeded: ':white_check_mark:',
  partially_failed: ':warning:',
  failed: ':x:',
  denied: ':no_entry:',
  expired: ':hourglass:',
  cancelled: ':heavy_multiplication_x:',
};

/** Reasons are shown, escaped, up to this length; the record keeps what was typed (bounded by the store). */
export const REASON_DISPLAY_MAX = 300;

export function stateLine(request: BackupRequest): string {
  const label = request.state === 'allowed' ? STATE_LABELS.running : STATE_LABELS[request.state];
  const total = request.volumes.length;
  let counts = '';
  if (request.outcome !== undefined) {
    const added = request.outcome.added.length;
    const failed = request.outcome.failed.length;
    counts = failed === 0 ? ` (${added} of ${total} added)` : ` (${added} added, ${failed} failed)`;
  }
  return `${STATE_ICONS[request.state]} *${label.charAt(0).toUpperCase()}${label.slice(1)}*${counts}`;
}

export function describeAsk(request: BackupRequest): string {
  return `${mention(request.requesterId)} asks to ${askWords(request)} in project ${code(request.project.name, 64)}.`;
}

/** "• `db-data-1` `id` · eu-de-01 · 500 GB · in-use": a volume as it was when the request was made. */
export function volumeLine(v: BackupRequest['volumes'][number]): string {
  return `• ${code(v.name, 100)} ${code(v.id)} · ${userText(v.availabilityZone, 32)} · ${v.sizeGb} GB · ${userText(v.status, 32)}`;
}

export function reasonLine(reason: string | undefined): string {
  // A reason that shows nothing (zero-width characters only) is shown as none, not as an empty one.
  return reason !== undefined && hasVisibleText(reason)
    ? `Reason: ${userText(reason, REASON_DISPLAY_MAX)}`
    : '_No reason given._';
}

export function requestContext(request: BackupRequest): Block {
  return context(`Request ${code(request.id)} · rule ${code(request.decision.decidedBy)} · details in the thread`);
}

/** The message in the channel; edited as the request moves on. */
export function buildRootMessage(request: BackupRequest): SlackMessage {
  const decided =
    request.approval !== undefined && (request.approval.decidedBy !== undefined || request.state === 'expired');
  const protected_ = protectionLine(request);
  const blocks: Block[] = [
    section(`${stateLine(request)}\n${describeAsk(request)}\n${reasonLine(request.reason)}`),
    ...(decided ? [context(decisionLine(request))] : []),
    ...(protected_ === undefined ? [] : [context(protected_)]),
    requestContext(request),
  ];
  const fallback = `${STATE_LABELS[request.state]}: ${request.volumes.length} ${shortAsk(request)} (${request.id})`;
  return message(fallback, blocks);
}
