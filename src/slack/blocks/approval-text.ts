import type { ApprovalInfo, Approvers, BackupRequest } from '../../domain/backup-request';
import type { Refusal } from '../../flow/approvals';
import { STATE_LABELS } from '../../domain/request-state';
import { mention, slackTime, usergroupMention, userText, utcTime } from '../mrkdwn';
import { rateLimitText } from './admission-text';

/** "@backup-admins or @bob" */
export function describeApprovers(approvers: Approvers): string {
  const names = [...approvers.usergroups.map(usergroupMention), ...approvers.users.map(mention)];
  return names.length <= 1 ? (names[0] ?? 'nobody') : `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
}

/** "Approved by @bob at 14:02 UTC: looks fine" (also for denied and cancelled). */
export function decisionLine(request: BackupRequest): string {
  const a: ApprovalInfo | undefined = request.approval;
  const at = a?.decidedAt === undefined ? '' : ` at ${slackTime(a.decidedAt)}`;
  const by = a?.decidedBy === undefined ? '' : ` by ${mention(a.decidedBy)}`;
  const comment = a?.comment === undefined ? '' : `: ${userText(a.comment, 500)}`;
  switch (request.state) {
    case 'denied':
      return `:no_entry: *Denied*${by}${at}${comment}`;
    case 'cancelled':
      return `:heavy_multiplication_x: *Cancelled*${by}${at}.`;
    case 'expired':
      return `:hourglass: *Expired* at ${a === undefined ? 'its deadline' : slackTime(a.expiresAt)}: nobody decided in time. Nothing was changed.`;
    case 'pending_approval':
      return `:raised_hand: *Waiting for approval* by ${a === undefined ? 'an approver' : describeApprovers(a.approvers)}.`;
    case 'allowed':
    case 'approved':
    case 'running':
    case 'succeeded':
    case 'partially_failed':
    case 'failed':
      return `:white_check_mark: *Approved*${by}${at}${comment}`;
  }
}

/** Why an approve, deny or cancel did not happen: one or two sentences, nothing changed. */
export function refusalText(refusal: Refusal): string {
  switch (refusal.why) {
    case 'unknown_request':
      return 'I do not know that request. Nothing was changed.';
    case 'not_an_approver':
      return 'You are not an approver of this request, so nothing was changed.';
    case 'approver_revoked':
      return 'You are no longer an approver of this request: the bot’s configuration changed since it was asked for. Nothing was changed.';
    case 'rate_limited':
      return `${rateLimitText(refusal.rate)} Nothing was changed.`;
    case 'approver_unknown':
      return 'Slack could not tell me whether you are an approver right now, so nothing was changed. Please try again in a minute.';
    case 'own_request':
      return 'You asked for this yourself; someone else must approve or deny it. Nothing was changed.';
    case 'not_requester':
      return 'Only the person who asked can cancel this request. Nothing was changed.';
    case 'comment_required':
      return 'Please say why you deny it.';
    case 'expired':
      return `This request expired at ${utcTime(refusal.request.approval?.expiresAt ?? 0)} and can no longer be decided. Nothing was changed.`;
    case 'no_longer_pending': {
      const state = `This request is not waiting for a decision (it is ${STATE_LABELS[refusal.request.state]}).`;
      if (refusal.request.approval === undefined) return `${state} It did not need approval. Nothing was changed.`;
      return `${state} ${decisionLine(refusal.request).replace(/^:[a-z_]+: /, '')} Nothing was changed.`;
    }
  }
}
