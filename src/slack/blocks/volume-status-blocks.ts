import type { VolumeStatusOutcome } from '../../flow/volume-status';
import { code, composedText, slackTime, userText } from '../mrkdwn';
import { rateLimitText } from './admission-text';
import type { SlackMessage } from './kit';
import { message, section } from './kit';

/** `/backup status <volume>`, answered only to the person who asked. */
export function buildVolumeStatusMessage(result: VolumeStatusOutcome): SlackMessage {
  if (!result.ok) {
    const text =
      result.why === 'rate_limited'
        ? rateLimitText(result.rate)
        : result.why === 'not_allowed'
          ? 'I cannot tell you about volumes: ask a member of the on-call group, or an admin of the bot.'
          : // A problem sentence names what the person typed: escaped, as every problem reply is.
            composedText(result.text, 600);
    return message(text, [section(`:warning: ${text}`)]);
  }
  const v = result.volume;
  const head = `${code(v.name, 100)} ${code(v.id)} in project ${code(result.project, 64)} · ${v.sizeGb} GB · ${userText(v.status, 32)}`;
  const where =
    result.placement.kind === 'vault'
      ? `In vault ${code(result.placement.vault.name, 100)}${result.placement.vault.policy ? ` (policy ${code(result.placement.vault.policy.name, 64)})` : ' (no policy bound: no scheduled backups)'}.`
      : result.placement.kind === 'no_vault'
        ? 'In no vault: nothing backs it up on a schedule.'
        : 'VBS cannot list which policy holds a volume, so the cloud cannot tell; its backups below say whether any run.';
  const b = result.lastBackup;
  const last =
    b === 'unreadable'
      ? 'Its backups could not be read from the cloud just now; try again in a minute.'
      : b === undefined
        ? 'It has no backup yet.'
        : `Last backup: ${b.createdAt === undefined ? 'time unknown' : slackTime(b.createdAt)} · ${userText(b.status, 16)} (${code(b.cloudStatus, 32)})` +
          `${b.sizeGb === undefined ? '' : ` · ${b.sizeGb} GB`}${b.name === undefined ? '' : ` · ${code(b.name, 64)}`}` +
          `${b.message === undefined ? '' : ` — ${userText(b.message, 300)}`}.`;
  return message(`${v.name}: ${where}`, [section(`${head}\n${where}\n${last}`)]);
}
