import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../domain/actor';
import type { RequestId } from '../../domain/ids';
import type { FlowDeps } from '../../flow/flow-deps';
import type { HistoryDeps } from '../../flow/history';
import { exportRequests, requestHistory } from '../../flow/history';
import { buildRateLimitedMessage, buildWorkspaceRefusedMessage } from '../blocks/admission-text';
import { auditCsv, buildAuditSentMessage, buildHistoryRefusal, buildStatusMessage } from '../blocks/history-blocks';
import type { SlackMessage } from '../blocks/kit';
import { surfaceMarks } from '../blocks/sandbox-mark';
import { ephemeral } from '../respond';

type HistoryCommandDeps = HistoryDeps & Pick<FlowDeps, 'sandbox'>;

/** `/backup status <id>`: the request's state and history, only to the asker (requester or approver). */
export async function answerStatus(
  deps: HistoryCommandDeps,
  actor: Actor,
  requestId: RequestId,
  respond: RespondFn,
): Promise<void> {
  const result = await requestHistory(deps, actor, requestId);
  let reply: SlackMessage;
  if (result.ok) reply = buildStatusMessage(result.request, result.events);
  else if (result.why === 'rate_limited') reply = buildRateLimitedMessage(result.rate);
  else reply = buildHistoryRefusal(result.why, requestId);
  await ephemeral(respond, surfaceMarks(deps.sandbox).message(reply));
}

/**
 * `/backup audit [--days N]`: a CSV file of recent requests, sent in a direct message (a file
 * cannot be ephemeral, and the audit must not land in the channel the command was typed in).
 * A refusal sends no message and no file.
 */
export async function answerAudit(
  deps: HistoryCommandDeps,
  actor: Actor,
  days: number,
  client: WebClient,
  respond: RespondFn,
): Promise<void> {
  const marks = surfaceMarks(deps.sandbox);
  const result = await exportRequests(deps, actor, days);
  if (!result.ok) {
    const refusal =
      result.why === 'rate_limited' ? buildRateLimitedMessage(result.rate) : buildWorkspaceRefusedMessage();
    await ephemeral(respond, marks.message(refusal));
    return;
  }
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
  await ephemeral(respond, marks.message(buildAuditSentMessage(result)));
}
