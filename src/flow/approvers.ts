import type { Approvers, BackupRequest } from '../domain/backup-request';
import type { FlowDeps } from './flow-deps';
import type { PeopleDirectory } from './ports';
import { approversFor } from './record-request';

export type ApproverStatus = 'yes' | 'no' | 'unknown';

/**
 * Whether the person is one of each set of approvers: named, or in one of its groups. One group
 * look-up answers all sets. Never a guest or bot unless named.
 */
async function statusUnder(
  people: PeopleDirectory,
  sets: readonly Approvers[],
  userId: string,
  fresh: boolean,
): Promise<ApproverStatus[]> {
  const handles = [...new Set(sets.filter((s) => !s.users.includes(userId)).flatMap((s) => s.usergroups))];
  let groups: readonly string[] | undefined = [];
  if (handles.length > 0) {
    const facts = await people.userFacts(userId);
    if (facts === undefined) groups = undefined;
    else if (!facts.isGuest && !facts.isBot && !facts.deleted)
      groups = await people.groupsOf(userId, handles, { fresh });
  }
  return sets.map((s) => {
    if (s.users.includes(userId)) return 'yes';
    if (groups === undefined) return s.usergroups.length === 0 ? 'no' : 'unknown';
    return s.usergroups.some((g) => groups.includes(g)) ? 'yes' : 'no';
  });
}

/**
 * Is this person an approver: named, or in one of the groups. Decisions look the groups up afresh
 * (`fresh`, the default); listings use the directory's short cache.
 */
export async function approverStatus(
  people: PeopleDirectory,
  approvers: Approvers,
  userId: string,
  options: { readonly fresh?: boolean } = {},
): Promise<ApproverStatus> {
  const [status] = await statusUnder(people, [approvers], userId, options.fresh ?? true);
  return status ?? 'no';
}

/**
 * May this person decide (and see) this request as its approver: they must be one under the
 * approvers recorded with it AND under the configuration in force now for its rule. So removing
 * someone from the file takes their power over waiting requests at the next start, and naming
 * someone new gives none over requests made before. `revoked`: the record names them, today's
 * configuration no longer does.
 */
export async function requestApproverStatus(
  deps: Pick<FlowDeps, 'config' | 'people'>,
  request: BackupRequest,
  userId: string,
  options: { readonly fresh: boolean },
): Promise<ApproverStatus | 'revoked'> {
  const recorded = request.approval?.approvers;
  if (recorded === undefined) return 'no';
  const today = approversFor(deps.config, request.decision) ?? { users: [], usergroups: [] };
  const [then, now] = await statusUnder(deps.people, [recorded, today], userId, options.fresh);
  if (then !== 'yes') return then ?? 'no';
  return now === 'no' ? 'revoked' : (now ?? 'no');
}
