import type { AuditEvent, BackupRequest } from '../../domain/backup-request';
import { STATE_LABELS } from '../../domain/request-state';
import type { AuditExport } from '../../flow/history';
import { code, mention, plural, slackTime, userText } from '../mrkdwn';
import { csvRow } from './csv';
import type { SlackMessage } from './kit';
import { context, message, packLines, section } from './kit';
import { describeAsk, reasonLine, stateLine } from './request-blocks';

/** Events shown in `/backup status`; the audit file has them all. */
const SHOWN_EVENTS = 60;

function str(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** One audit event as a sentence. Values come from the store (user text among them), so they are escaped. */
export function describeEvent(e: AuditEvent): string | undefined {
  const d = e.detail;
  const who = e.actor === 'bot' ? 'the bot' : mention(e.actor);
  const line = (text: string) => `• ${slackTime(e.at)} · ${text}`;
  switch (e.kind) {
    case 'received':
      return line(
        `${who} asked (${plural(Array.isArray(d['volumes']) ? d['volumes'].length : 0, 'volume')} ${d['action'] === 'disassociate' ? 'out of' : 'to'} ${code(str(d['policy']), 100)} in ${code(str(d['project']), 64)})`,
      );
    case 'decided':
      return line(`rule ${code(str(d['rule']))} decided: ${userText(str(d['verdict']).replace('_', ' '), 32)}`);
    case 'approval_requested':
      return line('approval requested');
    case 'reminded':
      return line('the approvers were reminded');
    case 'approved':
    case 'denied':
      return line(`${e.kind} by ${who}${d['comment'] ? `: ${userText(str(d['comment']), 300)}` : ''}`);
    case 'cancelled':
      return line(`cancelled by ${who}`);
    case 'expired':
      return line('expired: nobody decided in time');
    case 'refused':
      return line(
        `refused a ${userText(str(d['action']), 16)} by ${who}: ${userText(str(d['why']).replace(/_/g, ' '), 64)}`,
      );
    case 'started':
      return line('the cloud call started');
    case 'resumed':
      return line('resumed after the bot restarted');
    case 'cloud_call': {
      const error = (d['error'] as { code?: unknown; otcCode?: unknown } | null) ?? null;
      const failure = error ? ` (${userText(str(error.otcCode) || str(error.code), 40)})` : '';
      return line(
        `call ${Number(d['chunk'] ?? 0) + 1}: ${str(d['added'])} added, ${str(d['failed'])} failed${failure}`,
      );
    }
    case 'backup_started':
      return line(
        d['started'] === true
          ? 'the backup was started (--now)'
          : `the backup could not be started: ${userText(str(d['code']), 40)}`,
      );
    case 'first_backup':
      return line(
        `first backup of ${code(str(d['volume']), 100)}: ${userText(str(d['status']), 16)}${d['name'] ? ` (${code(str(d['name']), 64)})` : ''}`,
      );
    case 'first_backup_missed':
      return line(`no first backup by the deadline for ${plural(Number(d['volumes'] ?? 0), 'volume')}`);
    case 'finished':
      return line(
        `finished: ${userText(str(d['state']).replace('_', ' '), 32)} (${str(d['added'])} added, ${str(d['failed'])} failed)`,
      );
    case 'message_failed':
      return line(
        `a Slack message could not be delivered (${userText(str(d['kind']), 32)}: ${userText(str(d['error']), 80)})`,
      );
    case 'message_posted':
    case 'cloud_call_sent':
      return undefined;
  }
}

export function buildStatusMessage(request: BackupRequest, events: readonly AuditEvent[]): SlackMessage {
  const lines = events.map(describeEvent).filter((l): l is string => l !== undefined);
  const shown = lines.slice(-SHOWN_EVENTS);
  return message(`${request.id}: ${STATE_LABELS[request.state]}`, [
    section(
      `${stateLine(request)} · request ${code(request.id)}\n${describeAsk(request)}\n${reasonLine(request.reason)}`,
    ),
    ...packLines(shown, `*History* (${plural(lines.length, 'event')})`),
    ...(lines.length > shown.length
      ? [context(`The ${lines.length - shown.length} oldest events are left out here.`)]
      : []),
  ]);
}

export function buildHistoryRefusal(why: 'unknown_request' | 'not_allowed', requestId: string): SlackMessage {
  const text =
    why === 'unknown_request'
      ? `There is no request ${code(requestId)} in this workspace.`
      : `Only the person who asked for ${code(requestId)} and its approvers can see its history.`;
  return message(text, [section(text)]);
}

const AUDIT_HEADER = [
  'request_id',
  'created_at',
  'requester',
  'channel',
  'project',
  'policy',
  'policy_id',
  'volumes',
  'state',
  'rule',
  'verdict',
  'decided_by',
  'decided_at',
  'comment',
  'added',
  'failed',
  'reason',
];

/** One row per request; times in ISO 8601 UTC; cells guarded against spreadsheet formulas. */
export function auditCsv(requests: readonly BackupRequest[]): string {
  const rows = requests.map((r) => [
    r.id,
    new Date(r.createdAt).toISOString(),
    r.requesterId,
    r.channel.name === undefined ? r.channel.id : `${r.channel.id} (#${r.channel.name})`,
    r.project.name,
    r.target.name,
    r.target.id,
    String(r.volumes.length),
    r.state,
    r.decision.decidedBy,
    r.decision.verdict,
    r.approval?.decidedBy ?? '',
    r.approval?.decidedAt === undefined ? '' : new Date(r.approval.decidedAt).toISOString(),
    r.approval?.comment ?? '',
    r.outcome === undefined ? '' : String(r.outcome.added.length),
    r.outcome === undefined ? '' : String(r.outcome.failed.length),
    r.reason ?? '',
  ]);
  return [AUDIT_HEADER, ...rows].map(csvRow).join('');
}

export function buildAuditSentMessage(result: AuditExport): SlackMessage {
  const whose = result.scope === 'everyone' ? "everyone's requests (you are an approver)" : 'your requests';
  const more = result.truncated
    ? ` It holds the newest ${result.requests.length}; ask for fewer days for the rest.`
    : '';
  const text = `I sent you the audit file in a direct message: ${whose} of the last ${plural(result.days, 'day')}, ${plural(result.requests.length, 'request')}.${more}`;
  return message(text, [section(`:page_facing_up: ${text}`)]);
}
