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
  /**
   * False when the workspace has more requests waiting for approval than were looked at (the oldest
   * PENDING_SCANNED): whether this person may decide one is known only once it is read, so more of
   * theirs may be waiting. Absent means true.
   */
  readonly scannedAll?: boolean;
}

/** The App Home's content; a workspace the bot does not serve gets none. */
export type HomeResult =
  | ({ readonly ok: true } & HomeContent)
  | { readonly ok: false; readonly why: 'not_allowed' }
  | { readonly ok: false; readonly why: 'rate_limited'; readonly rate: RateLimit };

const RECENT_DAYS = 30;
const RECENT_SHOWN = 10;
/**
 * Requests waiting for approval read for one App Home: approvers are told apart only after reading
 * (a group's members come from Slack), so a burst of others' approvals must not hide a person's own.
 */
export const PENDING_SCANNED = 1000;

/**
 * What the App Home shows one person. Approver status (under the recorded approvers and today's
 * configuration) is looked up from the directory's cache, once per set; a decision re-checks it afresh.
 */
export async function homeContent(
  deps: Pick<FlowDeps, 'config' | 'queries' | 'people' | 'clock' | 'workspaces' | 'limiter' | 'logger'>,
  actor: Actor,
  scan = PENDING_SCANNED,
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
    // One more than looked at: whether there were more is then known.
    deps.queries.listPendingApprovals(teamId, scan + 1),
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
  for (const request of pending.slice(0, scan)) {
    if (request.requesterId === userId || request.approval === undefined) continue;
    if ((await isApprover(request)) === 'yes') toDecide.push(request);
  }
  return { ok: true, recent, toDecide, scannedAll: pending.length <= scan };
}
