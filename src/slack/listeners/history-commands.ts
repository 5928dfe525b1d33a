import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../domain/actor';
import type { RequestId } from '../../domain/ids';
import type { FlowDeps } from '../../flow/flow-deps';
import type { HistoryDeps } from '../../flow/history';
import { exportRequests, requestHistory } from '../../flow/history';
import { auditCsv, buildAuditSentMessage, buildHistoryRefusal, buildStatusMessage } from '../blocks/history-blocks';
import { ephemeral } from '../respond';

/** `/backup status <id>`: the request's state and history, only to the asker (requester or approver). */
export async function answerStatus(
  deps: HistoryDeps,
  actor: Actor,
  requestId: RequestId,
  respond: RespondFn,
): Promise<void> {
  const result = await requestHistory(deps, actor, requestId);
  await ephemeral(
    respond,
    result.ok ? buildStatusMessage(result.request, result.events) : buildHistoryRefusal(result.why, requestId),
  );
}

/**
 * `/backup audit [--days N]`: a CSV file of recent requests, sent in a direct message (a file
 * cannot be ephemeral, and the audit must not land in the channel the command was typed in).
 */
export async function answerAudit(
  deps: HistoryDeps & Pick<FlowDeps, 'clock'>,
  actor: Actor,
  days: number,
  client: WebClient,
  respond: RespondFn,
): Promise<void> {
  const result = await exportRequests(deps, actor, days);
  const dm = await client.conversations.open({ users: actor.userId });
  const channel = dm.channel?.id;
  if (channel === undefined) throw new Error('conversations.open returned no channel');
  const day = new Date(deps.clock.now()).toISOString().slice(0, 10);
  await client.files.uploadV2({
    channel_id: channel,
    filename: `backup-requests-${day}-${days}d.csv`,
    title: `Backup requests, last ${days} days (${result.scope})`,
    content: auditCsv(result.requests),
  });
  await ephemeral(respond, buildAuditSentMessage(result));
}
