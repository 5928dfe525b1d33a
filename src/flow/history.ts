import type { AuditEvent, BackupRequest } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { Actor } from '../domain/actor';
import { admitRequest, refusalOf } from './admission';
import { approverStatus, requestApproverStatus } from './approvers';
import type { FlowDeps } from './flow-deps';
import type { RateLimit } from './request-limiter';

/** `config.approvals.approvers`, the global approvers, may see everyone's requests. */
export type HistoryDeps = Pick<
  FlowDeps,
  'config' | 'requests' | 'queries' | 'audit' | 'people' | 'clock' | 'workspaces' | 'limiter' | 'logger'
>;

type RateLimited = { readonly ok: false; readonly why: 'rate_limited'; readonly rate: RateLimit };

export type HistoryResult =
  | { readonly ok: true; readonly request: BackupRequest; readonly events: readonly AuditEvent[] }
  | { readonly ok: false; readonly why: 'unknown_request' | 'not_allowed' }
  | RateLimited;

const DAY_MS = 86_400_000;
/** Most requests one audit file holds. */
export const AUDIT_EXPORT_LIMIT = 5000;

/** Listings read group membership from the directory's short cache: asking is cheap, and decisions look afresh. */
async function isGlobalApprover(deps: HistoryDeps, userId: string): Promise<boolean> {
  const approvers = deps.config.approvals?.approvers;
  return approvers !== undefined && (await approverStatus(deps.people, approvers, userId, { fresh: false })) === 'yes';
}

/**
 * A request's record and audit trail, for its requester and its approvers only (as the
 * configuration names them now): the record can hold a reason and volume names from a private
 * channel. A request of another workspace, or from a workspace the bot does not serve, is
 * answered as unknown; entries other workspaces left on it (their refused attempts) are not shown.
 */
export async function requestHistory(deps: HistoryDeps, actor: Actor, requestId: RequestId): Promise<HistoryResult> {
  const admission = admitRequest(deps, actor);
  if (!admission.admitted) return refusalOf(admission, 'unknown_request');
  const request = await deps.requests.get(requestId);
  if (request === undefined || request.teamId !== actor.teamId) return { ok: false, why: 'unknown_request' };
  const allowed =
    request.requesterId === actor.userId ||
    (await requestApproverStatus(deps, request, actor.userId, { fresh: false })) === 'yes' ||
    (await isGlobalApprover(deps, actor.userId));
  if (!allowed) return { ok: false, why: 'not_allowed' };
  const events = await deps.audit.list(requestId);
  return { ok: true, request, events: events.filter((e) => e.teamId === request.teamId) };
}

export interface AuditExport {
  readonly scope: 'everyone' | 'yours';
  readonly days: number;
  readonly requests: readonly BackupRequest[];
  readonly truncated: boolean;
}

export type ExportResult =
  ({ readonly ok: true } & AuditExport) | { readonly ok: false; readonly why: 'not_allowed' } | RateLimited;

/** Recent requests: an approver gets everyone's in the workspace, anyone else their own; a workspace the bot does not serve, nothing. */
export async function exportRequests(deps: HistoryDeps, actor: Actor, days: number): Promise<ExportResult> {
  const admission = admitRequest(deps, actor);
  if (!admission.admitted) return refusalOf(admission, 'not_allowed');
  const everyone = await isGlobalApprover(deps, actor.userId);
  const since = deps.clock.now() - days * DAY_MS;
  const requests = await deps.queries.listRequests({
    teamId: actor.teamId,
    since,
    limit: AUDIT_EXPORT_LIMIT + 1,
    ...(everyone ? {} : { requesterId: actor.userId }),
  });
  return {
    ok: true,
    scope: everyone ? 'everyone' : 'yours',
    days,
    requests: requests.slice(0, AUDIT_EXPORT_LIMIT),
    truncated: requests.length > AUDIT_EXPORT_LIMIT,
  };
}
