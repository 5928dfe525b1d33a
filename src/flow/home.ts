import type { Approvers, BackupRequest } from '../domain/backup-request';
import type { Actor } from '../domain/actor';
import { approverStatus } from './approvals';
import type { FlowDeps } from './flow-deps';

export interface HomeContent {
  /** The user's own requests, newest first. */
  readonly recent: readonly BackupRequest[];
  /** Requests waiting for this user's decision (they are an approver and not the requester), oldest first. */
  readonly toDecide: readonly BackupRequest[];
}

const RECENT_DAYS = 30;
const RECENT_SHOWN = 10;
const PENDING_SCANNED = 50;

/** What the App Home shows one person. Approver status is looked up (cached); a decision re-checks it afresh. */
export async function homeContent(
  deps: Pick<FlowDeps, 'queries' | 'people' | 'clock'>,
  actor: Actor,
): Promise<HomeContent> {
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
  const statusByApprovers = new Map<string, Promise<'yes' | 'no' | 'unknown'>>();
  const isApprover = (approvers: Approvers) => {
    const key = JSON.stringify(approvers);
    let status = statusByApprovers.get(key);
    if (status === undefined) {
      status = approverStatus(deps.people, approvers, userId, { fresh: false });
      statusByApprovers.set(key, status);
    }
    return status;
  };
  const toDecide: BackupRequest[] = [];
  for (const request of pending) {
    if (request.requesterId === userId || request.approval === undefined) continue;
    if ((await isApprover(request.approval.approvers)) === 'yes') toDecide.push(request);
  }
  return { recent, toDecide };
}
