import { askWords, shortAsk } from './request-words';
import type { types } from '@slack/bolt';
import type { BackupRequest } from '../../domain/backup-request';
import { hasVisibleText } from '../../domain/visible-text';
import type { HomeContent } from '../../flow/home';
import { ACTION_HOME_REQUEST } from '../ids';
import { approvalButtons } from './approval-card';
import { channelLink, code, mention, slackTime, userText } from '../mrkdwn';
import type { Block } from './kit';
import { context, divider, header, LIMITS, section } from './kit';
import { stateLine } from './request-blocks';

/** Items per list: a home view holds at most 100 blocks. */
const SHOWN = 10;

function requestLine(r: BackupRequest): string {
  return `${stateLine(r)} · ${code(r.id)} · ${shortAsk(r)} in ${code(r.project.name, 64)} · ${slackTime(r.createdAt)}`;
}

function decisionBlocks(r: BackupRequest): Block[] {
  const reason = r.reason !== undefined && hasVisibleText(r.reason) ? `\n> ${userText(r.reason, 300)}` : '';
  return [
    section(
      `${mention(r.requesterId)} asks to ${askWords(r, { plain: true })} in ${code(r.project.name, 64)}, from ${channelLink(r.channel.id)}.${reason}`,
    ),
    context(
      `Request ${code(r.id)} · rule ${code(r.decision.decidedBy)}${r.approval ? ` · expires ${slackTime(r.approval.expiresAt)}` : ''}`,
    ),
    approvalButtons(r.id),
  ];
}

/** The App Home: request a backup, your recent requests, and (for approvers) what waits for you. */
export function buildHomeView(content: HomeContent): types.HomeView {
  const blocks: Block[] = [
    header('OTC Backup'),
    section(
      'Add EVS volumes to a backup policy (VBS) or vault (CBR): type `/backup associate` in a channel, or use the button. `/backup disassociate` takes them out; a finished summary has an Undo button.',
    ),
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION_HOME_REQUEST,
          style: 'primary',
          text: { type: 'plain_text', text: 'Request backup' },
        },
      ],
    },
  ];
  const complete = content.scannedAll !== false;
  if (content.toDecide.length > 0 || !complete) {
    blocks.push(
      divider(),
      header(`Waiting for your decision (${content.toDecide.length}${complete ? '' : ' or more'})`),
    );
    for (const r of content.toDecide.slice(0, SHOWN)) blocks.push(...decisionBlocks(r));
    if (content.toDecide.length > SHOWN)
      blocks.push(context(`…and ${content.toDecide.length - SHOWN} more in the approvals channel.`));
    if (!complete)
      blocks.push(
        context(
          'More requests wait for approval than this page reads: others may wait for you in the approvals channel.',
        ),
      );
  }
  blocks.push(divider(), header('Your recent requests'));
  if (content.recent.length === 0) blocks.push(context('No requests in the last 30 days.'));
  else blocks.push(section(content.recent.slice(0, SHOWN).map(requestLine).join('\n')));
  blocks.push(
    context('`/backup status &lt;id&gt;` shows a request’s history; `/backup audit` sends you a CSV of your requests.'),
  );
  return { type: 'home', blocks: blocks.slice(0, LIMITS.blocksPerView) };
}

/** The App Home when there is nothing to show this person: another workspace, or over their limit. */
export function buildClosedHomeView(text: string): types.HomeView {
  return { type: 'home', blocks: [header('OTC Backup'), section(text)] };
}
