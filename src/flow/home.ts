import type { Approvers, BackupRequest } from '../domain/backup-request';
import type { RequestStore } from '../store/request-store';
import { approverStatus } from './approvals';
import type { Clock, PeopleDirectory } from './ports';

export interface HomeDeps {
  readonly store: RequestStore;
  readonly people: PeopleDirectory;
  readonly clock: Clock;
}

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
export async function homeContent(deps: HomeDeps, teamId: string, userId: string): Promise<HomeContent> {
  const [recent, pending] = await Promise.all([
    deps.store.queries.listRequests({
      teamId,
      requesterId: userId,
      since: deps.clock.now() - RECENT_DAYS * 86_400_000,
      limit: RECENT_SHOWN,
    }),
    deps.store.queries.listPendingApprovals(teamId, PENDING_SCANNED),
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
