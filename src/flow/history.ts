import type { AuditEvent, BackupRequest } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { Actor } from '../domain/actor';
import { approverStatus } from './approvals';
import type { FlowDeps } from './flow-deps';

/** `config.approvals.approvers`, the global approvers, may see everyone's requests. */
export type HistoryDeps = Pick<FlowDeps, 'config' | 'requests' | 'queries' | 'audit' | 'people' | 'clock'>;

export type HistoryResult =
  | { readonly ok: true; readonly request: BackupRequest; readonly events: readonly AuditEvent[] }
  | { readonly ok: false; readonly why: 'unknown_request' | 'not_allowed' };

const DAY_MS = 86_400_000;
/** Most requests one audit file holds. */
export const AUDIT_EXPORT_LIMIT = 5000;

async function isGlobalApprover(deps: HistoryDeps, userId: string): Promise<boolean> {
  const approvers = deps.config.approvals?.approvers;
  return approvers !== undefined && (await approverStatus(deps.people, approvers, userId)) === 'yes';
}

/**
 * A request's record and audit trail, for its requester and its approvers only: the record can
 * hold a reason and volume names from a private channel. A request of another workspace is
 * answered as unknown.
 */
export async function requestHistory(deps: HistoryDeps, actor: Actor, requestId: RequestId): Promise<HistoryResult> {
  const request = await deps.requests.get(requestId);
  if (request === undefined || request.teamId !== actor.teamId) return { ok: false, why: 'unknown_request' };
  const allowed =
    request.requesterId === actor.userId ||
    (request.approval !== undefined &&
      (await approverStatus(deps.people, request.approval.approvers, actor.userId)) === 'yes') ||
    (await isGlobalApprover(deps, actor.userId));
  if (!allowed) return { ok: false, why: 'not_allowed' };
  return { ok: true, request, events: await deps.audit.list(requestId) };
}

export interface AuditExport {
  readonly scope: 'everyone' | 'yours';
  readonly days: number;
  readonly requests: readonly BackupRequest[];
  readonly truncated: boolean;
}

/** Recent requests: an approver gets everyone's in the workspace, anyone else their own. */
export async function exportRequests(deps: HistoryDeps, actor: Actor, days: number): Promise<AuditExport> {
  const everyone = await isGlobalApprover(deps, actor.userId);
  const since = deps.clock.now() - days * DAY_MS;
  const requests = await deps.queries.listRequests({
    teamId: actor.teamId,
    since,
    limit: AUDIT_EXPORT_LIMIT + 1,
    ...(everyone ? {} : { requesterId: actor.userId }),
  });
  return {
    scope: everyone ? 'everyone' : 'yours',
    days,
    requests: requests.slice(0, AUDIT_EXPORT_LIMIT),
    truncated: requests.length > AUDIT_EXPORT_LIMIT,
  };
}
