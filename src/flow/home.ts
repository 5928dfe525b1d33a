import type { BackupRequest } from '../domain/backup-request';
import type { Actor } from '../domain/actor';
import { admitRequest, refusalOf } from './admission';
import type { ApproverStatus } from './approvers';
import { requestApproverStatus } from './approvers';
import type { FlowDeps } from './flow-deps';
import type { RateLimit } from './request-limiter';

export interface HomeContent {
  /** The user's own requests, newest first. */
  readonly recent: readonly BackupRequest[];
  /** Requests waiting for this user's decision (they are an approver and not the requester), oldest first. */
  readonly toDecide: readonly BackupRequest[];
}

/** The App Home's content; a workspace the bot does not serve gets none. */
export type HomeResult =
  | ({ readonly ok: true } & HomeContent)
  | { readonly ok: false; readonly why: 'not_allowed' }
  | { readonly ok: false; readonly why: 'rate_limited'; readonly rate: RateLimit };

const RECENT_DAYS = 30;
const RECENT_SHOWN = 10;
const PENDING_SCANNED = 50;

/**
 * What the App Home shows one person. Approver status (under the recorded approvers and today's
 * configuration) is looked up from the directory's cache, once per set; a decision re-checks it afresh.
 */
export async function homeContent(
  deps: Pick<FlowDeps, 'config' | 'queries' | 'people' | 'clock' | 'workspaces' | 'limiter' | 'logger'>,
  actor: Actor,
): Promise<HomeResult> {
  const admission = admitRequest(deps, actor);
  if (!admission.admitted) return refusalOf(admission, 'not_allowed');
  const { teamId, userId } = actor;
  const [recent, pending] = await Promise.all([
    deps.queries.listRequests({
      teamId,
      requesterId: userId,
      since: deps.clock.now() - RECENT_DAYS * 86_400_000,
      limit: RECENT_SHOWN,
    }),
    deps.queries.listPendingApprovals(teamId, PENDING_SCANNED),
  ]);
  const statusBySet = new Map<string, Promise<ApproverStatus | 'revoked'>>();
  const isApprover = (request: BackupRequest) => {
    // The recorded approvers and the rule that asked decide the answer: requests that share both share it.
    const key = JSON.stringify([request.approval?.approvers, request.decision.decidedBy]);
    let status = statusBySet.get(key);
    if (status === undefined) {
      status = requestApproverStatus(deps, request, userId, { fresh: false });
      statusBySet.set(key, status);
    }
    return status;
  };
  const toDecide: BackupRequest[] = [];
  for (const request of pending) {
    if (request.requesterId === userId || request.approval === undefined) continue;
    if ((await isApprover(request)) === 'yes') toDecide.push(request);
  }
  return { ok: true, recent, toDecide };
}
