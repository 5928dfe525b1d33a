import { decisionGrounds } from '../../domain/access-rules';
import type { Approvers } from '../../domain/backup-request';
import { unusableReason } from '../../domain/resolution';
import type { CheckedRequest } from '../../flow/check-request';
import { code, composedText, plural, userText } from '../mrkdwn';
import { describeApprovers } from './approval-text';
import { scheduleOf } from '../../otc/targets';
import { describeSchedule } from './policy-schedule';
import type { Block } from './kit';
import { context, packLines, section } from './kit';
import { volumeLine } from './request-blocks';
import { verbOf } from './request-words';

/** Volumes listed in a preview; the rest are counted. */
const PREVIEW_VOLUMES = 40;

export function policyLine(checked: CheckedRequest): string {
  const p = checked.target;
  const s = scheduleOf(p);
  const words = s === undefined ? undefined : describeSchedule(s);
  const schedule = [
    words?.at === undefined ? undefined : `starts ${userText(words.at, 40)}`,
    words?.when === undefined ? undefined : userText(words.when, 80),
    words?.keeps === undefined ? undefined : `keeps ${words.keeps}`,
    s === undefined || s.status === 'ON' ? undefined : `policy is ${userText(s.status, 8)}`,
  ].filter((x) => x !== undefined);
  if (p.kind === 'vault') {
    const bound = p.policy === undefined ? 'no backup policy bound' : `policy ${code(p.policy.name, 64)}`;
    const room = p.capacityGb === undefined ? undefined : `${p.allocatedGb ?? 0} of ${p.capacityGb} GB taken`;
    const policyFacts = schedule.length === 0 ? bound : `${bound}: ${schedule.join(', ')}`;
    const facts = [policyFacts, plural(p.resourceCount, 'volume'), room].filter((x) => x !== undefined);
    return `Vault ${code(p.name, 100)} ${code(p.id)} (${facts.join('; ')}) in project ${code(checked.project.name, 64)}`;
  }
  return `Policy ${code(p.name, 100)} ${code(p.id)}${schedule.length ? ` (${schedule.join(', ')})` : ''} in project ${code(checked.project.name, 64)}`;
}

/** "Allowed by rule x", "Needs approval by @backup-admins (rule y)", "Denied: … (rule z)". */
export function decisionPreview(checked: CheckedRequest, approvers: Approvers | undefined): string {
  const d = checked.decision;
  const why = userText(decisionGrounds(d), 600);
  if (d.verdict === 'allow') return `:white_check_mark: *Allowed* by rule ${code(d.decidedBy)}: ${why}.`;
  if (d.verdict === 'require_approval') {
    return `:raised_hand: *Needs approval* by ${approvers ? describeApprovers(approvers) : 'an approver'} (rule ${code(d.decidedBy)}: ${why}).`;
  }
  return `:no_entry: *Denied* by ${code(d.decidedBy)}: ${why}.`;
}

/** What will happen: the policy, each volume, what is left out and why, the move note, who decides. Shared by the form and --dry-run. */
export function buildPreviewBlocks(checked: CheckedRequest, approvers: Approvers | undefined): Block[] {
  const shown = checked.volumes.slice(0, PREVIEW_VOLUMES);
  const moves = new Map(checked.moves.map((m) => [m.volumeId, m.vault.name]));
  const movedWords = checked.action === 'associate' ? 'moves here from vault' : 'goes back to vault';
  const lines = shown.map((v) => {
    const vault = moves.get(v.id);
    return vault === undefined ? volumeLine(v) : `${volumeLine(v)} · ${movedWords} ${code(vault, 100)}`;
  });
  if (checked.volumes.length > shown.length) lines.push(`…and ${checked.volumes.length - shown.length} more`);
  const { done } = verbOf(checked.action);
  const blocks: Block[] = [
    section(policyLine(checked)),
    ...packLines(lines, `*${plural(checked.volumes.length, 'volume')}* will be ${done}:`),
  ];
  if (checked.excluded.length > 0) {
    blocks.push(
      ...packLines(
        checked.excluded.map((v) => `• ${composedText(unusableReason(v), 600)}`),
        `*Left out* (${checked.excluded.length}):`,
      ),
    );
  }
  blocks.push(section(decisionPreview(checked, approvers)));
  if (checked.action === 'associate' && checked.target.kind === 'policy')
    blocks.push(
      context(
        'A volume belongs to at most one backup policy: one that is in another policy will be moved to this one.',
      ),
    );
  if (checked.backupNow) {
    const count = checked.target.resourceCount;
    const all = checked.target.kind === 'policy' ? 'every volume of the policy' : 'every volume in the vault';
    blocks.push(
      context(
        `:arrow_forward: Back up now: right after the volumes are added, ${all} is backed up${count === undefined ? '' : ` (${plural(count, 'volume')} before this request)`}, not only these.`,
      ),
    );
  }
  if (checked.notes.length > 0)
    blocks.push(context(...checked.notes.slice(0, 9).map((n) => `Note: ${composedText(n, 300)}`)));
  return blocks;
}
