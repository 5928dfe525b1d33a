import type { AccessDecision } from '../../domain/access-rules';
import type { Approvers, BackupRequest } from '../../domain/backup-request';
import { HELP_TEXT } from '../../domain/usage';
import type { CheckedRequest } from '../../flow/check-request';
import type { ChannelAccess } from '../../flow/ports';
import { code, composedText, escapeText, userText } from '../mrkdwn';
import type { Block, SlackMessage } from './kit';
import { context, message, packLines, section } from './kit';
import { buildPreviewBlocks } from './preview-blocks';
import { stateLine } from './request-blocks';

/** Replies only the asker sees (ephemeral): help, mistakes to fix, refusals, previews. */
function preformatted(text: string): string {
  return `\`\`\`${escapeText(text)}\`\`\``;
}

export function buildHelpMessage(): SlackMessage {
  return message('How to use /backup', [section(preformatted(HELP_TEXT))]);
}

export function buildProblemsMessage(problems: readonly string[], usage?: string): SlackMessage {
  const blocks: Block[] = packLines(
    problems.map((p) => `• ${composedText(p, 600)}`),
    problems.length === 1
      ? ':warning: Nothing was changed. Please fix this and try again:'
      : `:warning: Nothing was changed. Please fix these ${problems.length} things and try again:`,
  );
  if (usage !== undefined) blocks.push(section(preformatted(usage)));
  return message(`Nothing was changed: ${composedText(problems[0] ?? 'invalid command', 300)}`, blocks);
}

/** Why a request cannot be recorded in a channel (also a workflow step's error, as plain text). */
export const CANNOT_POST: Record<Extract<ChannelAccess, { canPost: false }>['why'], string> = {
  not_in_channel:
    'I cannot post in this channel, so I cannot keep a record of the request here. Invite me first: type `/invite @OTC Backup` in this channel (or open the channel details > Integrations > Add apps), then run the command again.',
  direct_message:
    'Backup requests need a channel where the record can be seen. Run the command in a channel (an incident channel is a good place).',
  archived: 'This channel is archived. Run the command in an active channel.',
  unknown: 'Slack could not tell me whether I may post in this channel. Please try again in a minute.',
};

export function buildCannotPostMessage(why: Extract<ChannelAccess, { canPost: false }>['why']): SlackMessage {
  return message(CANNOT_POST[why], [section(`:no_entry_sign: ${CANNOT_POST[why]}`)]);
}

export const UNKNOWN_USER_TEXT =
  'Slack could not tell me who you are right now, so I cannot check your access. Nothing was changed. Please try again in a minute.';

export function buildUnknownUserMessage(): SlackMessage {
  return message(UNKNOWN_USER_TEXT, [section(`:warning: ${UNKNOWN_USER_TEXT}`)]);
}

export function buildDeniedMessage(d: AccessDecision): SlackMessage {
  return message(`Denied by ${d.decidedBy}`, [
    section(`:no_entry: *Denied* by ${code(d.decidedBy)}. Nothing was changed.\n${userText(d.reason, 600)}.`),
    context('Ask a member of the on-call group, or an admin of the bot, if you need this.'),
  ]);
}

export function buildDryRunMessage(checked: CheckedRequest, approvers: Approvers | undefined): SlackMessage {
  return message(
    `Dry run: ${checked.volumes.length} volume(s) to ${code(checked.target.name, 100)}; decided by ${code(checked.decision.decidedBy)}`,
    [
      section(':mag: *Dry run*: nothing was changed. This is what the request would do:'),
      ...buildPreviewBlocks(checked, approvers),
    ],
  );
}

export function buildDuplicateMessage(existing: BackupRequest): SlackMessage {
  const text = `I am already working on this: request ${existing.id}, sent a moment ago with the same text. I will not start it twice.`;
  return message(text, [
    section(
      `:repeat: I am already working on that: request ${code(existing.id)} (${stateLine(existing)}). Same text from you within a few seconds, so I did not start it twice.`,
    ),
  ]);
}

export function buildNotesMessage(requestId: string, notes: readonly string[]): SlackMessage {
  return message(`Request ${requestId} started`, [
    section(
      `Request ${code(requestId)} is under way. Note:\n${notes.map((n) => `• ${composedText(n, 300)}`).join('\n')}`,
    ),
  ]);
}
