import { askWords, targetWords, verbOf } from './request-words';
import type { types } from '@slack/bolt';
import type { BackupRequest } from '../../domain/backup-request';
import { BLOCK_COMMENT, COMMENT_MAX, INPUT_COMMENT, VIEW_APPROVE, VIEW_DENY, VIEW_INFO } from '../ids';
import { code, mention, plural } from '../mrkdwn';
import { context, LIMITS, plain, section } from './kit';
import { reasonLine } from './request-blocks';

export type ModalView = types.ModalView;
type Decision = 'approve' | 'deny';

const TITLES: Record<Decision, string> = { approve: 'Approve request', deny: 'Deny request' };

/** Opened at once on a click (the trigger lives 3 s), then replaced by the form or an explanation. */
export function buildLoadingModal(decision: Decision): ModalView {
  return {
    type: 'modal',
    callback_id: VIEW_INFO,
    title: plain(TITLES[decision]),
    close: plain('Close'),
    blocks: [section(':hourglass_flowing_sand: Checking the request…')],
  };
}

/** The confirmation step: what will happen, and a comment (required to deny). Carries the request id only. */
export function buildDecisionModal(request: BackupRequest, decision: Decision): ModalView {
  const what =
    decision === 'approve'
      ? `Approving ${request.action === 'associate' ? 'adds' : 'removes'} *${plural(request.volumes.length, 'volume')}* ${verbOf(request.action).prep} ${targetWords(request.target)} in ${code(request.project.name, 64)} right away.`
      : `Denying closes the request; nothing is changed in the cloud.`;
  return {
    type: 'modal',
    callback_id: decision === 'approve' ? VIEW_APPROVE : VIEW_DENY,
    private_metadata: request.id,
    title: plain(TITLES[decision]),
    submit: plain(decision === 'approve' ? 'Approve' : 'Deny'),
    close: plain('Back'),
    blocks: [
      section(
        `${mention(request.requesterId)} asks to ${askWords(request, { plain: true })}.\n${reasonLine(request.reason)}`,
      ),
      section(what),
      {
        type: 'input',
        block_id: BLOCK_COMMENT,
        optional: decision === 'approve',
        label: plain(decision === 'approve' ? 'Comment (optional)' : 'Why do you deny it?'),
        element: { type: 'plain_text_input', action_id: INPUT_COMMENT, multiline: true, max_length: COMMENT_MAX },
      },
      context(
        `Request ${code(request.id)} · your decision and comment are shown on the card, in the requester's thread and in the audit trail.`,
      ),
    ],
  };
}

/** A closing message in the modal: a refusal, or what happened. */
export function buildInfoModal(title: string, text: string): ModalView {
  return {
    type: 'modal',
    callback_id: VIEW_INFO,
    title: plain(title, LIMITS.modalTitle),
    close: plain('Close'),
    blocks: [section(text)],
  };
}
