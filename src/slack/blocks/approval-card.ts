import { askWords, shortAsk } from './request-words';
import type { BackupRequest } from '../../domain/backup-request';
import { ACTION_APPROVE, ACTION_DENY } from '../ids';
import { channelLink, code, mention, slackTime } from '../mrkdwn';
import { decisionLine, describeApprovers } from './approval-text';
import type { Block, SlackMessage } from './kit';
import { context, header, message, packLines, section } from './kit';
import { reasonLine, volumeLine } from './request-blocks';

/** Volumes listed on a card; the rest are counted (the requester's thread has them all). */
const CARD_VOLUMES = 60;

/** Approve / Deny, on the card and in the App Home: they carry the request id only. */
export function approvalButtons(requestId: string): Block {
  return {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: ACTION_APPROVE,
        style: 'primary',
        text: { type: 'plain_text', text: 'Approve' },
        value: requestId,
      },
      {
        type: 'button',
        action_id: ACTION_DENY,
        style: 'danger',
        text: { type: 'plain_text', text: 'Deny' },
        value: requestId,
      },
    ],
  };
}

/** The approval card in the approvals channel: everything an approver needs, resolved at request time. */
export function buildApprovalCard(request: BackupRequest): SlackMessage {
  const shown = request.volumes.slice(0, CARD_VOLUMES);
  const blocks: Block[] = [
    header(request.state === 'pending_approval' ? 'Backup change needs approval' : 'Backup change request'),
    section(
      `${mention(request.requesterId)} asks to ${askWords(request)} ${code(request.target.id)} ` +
        `in project ${code(request.project.name, 64)}, ` +
        `from ${channelLink(request.channel.id)}.\n${reasonLine(request.reason)}`,
    ),
    ...packLines(shown.map(volumeLine), '*Volumes* (name · id · AZ · size · status when asked)'),
  ];
  if (request.volumes.length > shown.length)
    blocks.push(context(`…and ${request.volumes.length - shown.length} more; the requester's thread lists them all.`));
  blocks.push(
    context(
      `Request ${code(request.id)} · approval asked by rule ${code(request.decision.decidedBy)}` +
        (request.approval ? ` · approvers ${describeApprovers(request.approval.approvers)}` : '') +
        (request.approval && request.state === 'pending_approval'
          ? ` · expires ${slackTime(request.approval.expiresAt)}`
          : ''),
    ),
  );
  if (request.state === 'pending_approval') {
    blocks.push(approvalButtons(request.id));
  } else {
    blocks.push(section(decisionLine(request)));
    if (request.outcome !== undefined) {
      const { added, failed } = request.outcome;
      blocks.push(
        context(`Outcome: ${added.length} added, ${failed.length} failed · details in the requester's thread`),
      );
    }
  }
  return message(
    `${request.id}: ${shortAsk(request)} — ${request.state === 'pending_approval' ? 'needs approval' : request.state}`,
    blocks,
  );
}

export function buildApprovalReminder(request: BackupRequest): SlackMessage {
  const expires = request.approval === undefined ? '' : ` It expires ${slackTime(request.approval.expiresAt)}.`;
  return message(`Reminder: ${request.id} is waiting for approval`, [
    section(
      `:bell: Reminder: ${mention(request.requesterId)}'s request ${code(request.id)} is still waiting for a decision.${expires}`,
    ),
  ]);
}
