import type { BackupRequest } from '../../domain/backup-request';
import type { ThreadNote } from '../../domain/message-intent';
import { STATE_LABELS } from '../../domain/request-state';
import type { DirectNotice } from '../../flow/ports';
import { ACTION_CANCEL } from '../ids';
import { code, slackTime } from '../mrkdwn';
import { describeApprovers, decisionLine } from './approval-text';
import type { Block, SlackMessage } from './kit';
import { message, section } from './kit';

/**
 * A reply in the requester's thread about the approval: waiting (with Cancel), decided, cancelled,
 * expired; or that the workflow step which asked could not be told the end.
 */
export function buildThreadNote(note: ThreadNote, request: BackupRequest): SlackMessage {
  if (note === 'waiting' && request.approval !== undefined) {
    const text = `Waiting for approval by ${describeApprovers(request.approval.approvers)} (expires ${slackTime(request.approval.expiresAt)}).`;
    const blocks: Block[] = [
      section(
        `:raised_hand: ${text}\nThe approvers got a card with this request; you can withdraw it until someone decides.`,
      ),
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: ACTION_CANCEL,
            text: { type: 'plain_text', text: 'Cancel request' },
            value: request.id,
            confirm: {
              title: { type: 'plain_text', text: 'Cancel this request?' },
              text: { type: 'plain_text', text: 'Nothing will be changed in the cloud.' },
              confirm: { type: 'plain_text', text: 'Cancel it' },
              deny: { type: 'plain_text', text: 'Keep it' },
            },
          },
        ],
      },
    ];
    return message(`${request.id}: waiting for approval`, blocks);
  }
  if (note === 'step_unreachable') {
    const text = `The workflow step that asked for request ${request.id} could not be told how it ended: Slack no longer accepts the step's token. The request itself ended: ${STATE_LABELS[request.state]}.`;
    return message(text, [
      section(
        `:warning: The workflow step that asked for request ${code(request.id)} could not be told how it ended: ` +
          `Slack no longer accepts the step's token (it lapses when the step times out). The request itself ended: *${STATE_LABELS[request.state]}*.`,
      ),
    ]);
  }
  const line = decisionLine(request);
  // The notification drops the icon and the bold, not every colon: the time token needs its own.
  return message(`${request.id}: ${line.replace(/^:[a-z_]+: /, '').replace(/\*/g, '')}`, [section(line)]);
}

/**
 * A notice posted outside the outbox. `outcome_not_recorded`: the cloud was called (it may have
 * changed) but the result could not be written down; the bot will finish and summarise the request
 * once it can record again. Never "nothing was changed": that would be a guess.
 */
export function buildDirectNotice(notice: DirectNotice, request: BackupRequest): SlackMessage {
  const texts: Record<DirectNotice, readonly [fallback: string, shown: string]> = {
    outcome_not_recorded: [
      `Request ${request.id} may have changed the cloud; it will be finished and summarised`,
      `:warning: Request ${code(request.id)} may have changed the cloud, but the bot could not record the result ` +
        '(its database is not answering). It will be finished and summarised here as soon as the bot can record again.',
    ],
  };
  const [fallback, shown] = texts[notice];
  return message(fallback, [section(shown)]);
}
