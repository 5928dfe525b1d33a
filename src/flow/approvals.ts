import type { ApprovalInfo, Approvers, AuditEvent, BackupRequest } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import { step } from '../domain/request-state';
import type { Actor } from '../domain/actor';
import type { FlowDeps } from './flow-deps';
import { messagesOnClosedApproval, messagesOnReminder } from './notify';
import type { PeopleDirectory } from './ports';
import { carryOn } from './record-request';

/** Approvals read and change requests; a decision carries the request on. */
export type ApprovalDeps = Pick<
  FlowDeps,
  'requests' | 'queries' | 'audit' | 'people' | 'outbox' | 'executor' | 'work' | 'clock' | 'logger'
>;

export type Refusal =
  | { readonly why: 'unknown_request' }
  | { readonly why: 'other_workspace' }
  | { readonly why: 'not_an_approver' }
  | { readonly why: 'approver_unknown' }
  | { readonly why: 'own_request' }
  | { readonly why: 'not_requester' }
  | { readonly why: 'comment_required' }
  | { readonly why: 'expired'; readonly request: BackupRequest }
  | { readonly why: 'no_longer_pending'; readonly request: BackupRequest };

export type ApprovalResult =
  { readonly ok: true; readonly request: BackupRequest } | { readonly ok: false; readonly refusal: Refusal };

export type ApprovalAction = 'approve' | 'deny' | 'cancel';

/** A request found pending, with its approval (which a pending request always has). */
type PendingResult =
  | { readonly ok: true; readonly request: BackupRequest; readonly approval: ApprovalInfo }
  | { readonly ok: false; readonly refusal: Refusal };

/**
 * Is this person an approver: named, or in one of the groups. Decisions look the groups up afresh
 * (`fresh`, the default); listings may use the directory's short cache. Never a guest or bot unless named.
 */
export async function approverStatus(
  people: PeopleDirectory,
  approvers: Approvers,
  userId: string,
  options: { readonly fresh?: boolean } = {},
): Promise<'yes' | 'no' | 'unknown'> {
  if (approvers.users.includes(userId)) return 'yes';
  if (approvers.usergroups.length === 0) return 'no';
  const facts = await people.userFacts(userId);
  if (facts === undefined) return 'unknown';
  if (facts.isGuest || facts.isBot || facts.deleted) return 'no';
  const groups = await people.groupsOf(userId, approvers.usergroups, { fresh: options.fresh ?? true });
  if (groups === undefined) return 'unknown';
  return groups.length > 0 ? 'yes' : 'no';
}

/** An audit entry stamped now: written with the state change it records, or alone for a refusal. */
function event(
  deps: ApprovalDeps,
  request: Pick<BackupRequest, 'id' | 'teamId'>,
  actor: string,
  kind: AuditEvent['kind'],
  detail: AuditEvent['detail'],
): AuditEvent {
  return { requestId: request.id, teamId: request.teamId, at: deps.clock.now(), actor, kind, detail };
}

async function refuse(
  deps: ApprovalDeps,
  requestId: RequestId,
  actor: Actor,
  action: ApprovalAction,
  refusal: Refusal,
): Promise<{ readonly ok: false; readonly refusal: Refusal }> {
  deps.logger.warn('refused a request action', {
    requestId,
    user: actor.userId,
    team: actor.teamId,
    action,
    why: refusal.why,
  });
  await deps.audit.append(
    event(deps, { id: requestId, teamId: actor.teamId }, actor.userId, 'refused', { action, why: refusal.why }),
  );
  return { ok: false, refusal };
}

/** Loads the request and checks what every action needs: it exists, belongs to this workspace, is pending and not expired. */
async function loadPending(
  deps: ApprovalDeps,
  requestId: RequestId,
  actor: Actor,
  action: ApprovalAction,
): Promise<PendingResult> {
  const request = await deps.requests.get(requestId);
  if (request === undefined) return refuse(deps, requestId, actor, action, { why: 'unknown_request' });
  if (request.teamId !== actor.teamId) return refuse(deps, requestId, actor, action, { why: 'other_workspace' });
  if (request.state !== 'pending_approval' || request.approval === undefined) {
    return refuse(deps, requestId, actor, action, { why: 'no_longer_pending', request });
  }
  if (request.approval.expiresAt <= deps.clock.now()) {
    await expireRequest(deps, request, request.approval);
    return refuse(deps, requestId, actor, action, {
      why: 'expired',
      request: (await deps.requests.get(requestId)) ?? request,
    });
  }
  return { ok: true, request, approval: request.approval };
}

/** Checks an approver may decide this request now, without changing anything (e.g. before opening the modal). */
export async function checkDecision(
  deps: ApprovalDeps,
  requestId: RequestId,
  actor: Actor,
  action: 'approve' | 'deny',
): Promise<PendingResult> {
  const loaded = await loadPending(deps, requestId, actor, action);
  if (!loaded.ok) return loaded;
  const { request, approval } = loaded;
  if (request.requesterId === actor.userId) return refuse(deps, requestId, actor, action, { why: 'own_request' });
  const status = await approverStatus(deps.people, approval.approvers, actor.userId);
  if (status === 'unknown') return refuse(deps, requestId, actor, action, { why: 'approver_unknown' });
  if (status === 'no') return refuse(deps, requestId, actor, action, { why: 'not_an_approver' });
  return loaded;
}

/**
 * Records an approver's decision, re-checked from the store and Slack at submit time. Exactly
 * one decision wins (compare-and-set). Then the card, the requester's thread and the root message
 * say so, and an approved request runs, in the background: the approver has their answer at once.
 */
export async function decide(
  deps: ApprovalDeps,
  requestId: RequestId,
  actor: Actor,
  action: 'approve' | 'deny',
  comment: string | undefined,
): Promise<ApprovalResult> {
  if (action === 'deny' && (comment === undefined || comment.trim() === ''))
    return refuse(deps, requestId, actor, action, { why: 'comment_required' });
  const checked = await checkDecision(deps, requestId, actor, action);
  if (!checked.ok) return checked;
  const now = deps.clock.now();
  const approval = {
    ...checked.approval,
    decidedBy: actor.userId,
    decidedAt: now,
    comment: comment?.trim() || undefined,
  };
  const to = action === 'approve' ? 'approved' : 'denied';
  const decided = await deps.requests.transition(requestId, step('pending_approval', to), { approval }, now, {
    audit: [event(deps, checked.request, actor.userId, to, { comment: approval.comment ?? null })],
    messages: messagesOnClosedApproval('decision'),
  });
  if (decided === undefined) {
    const current = await deps.requests.get(requestId);
    return refuse(deps, requestId, actor, action, { why: 'no_longer_pending', request: current ?? checked.request });
  }
  carryOn(deps, decided);
  return { ok: true, request: decided };
}

/** The requester withdraws a pending request. */
export async function cancel(deps: ApprovalDeps, requestId: RequestId, actor: Actor): Promise<ApprovalResult> {
  const loaded = await loadPending(deps, requestId, actor, 'cancel');
  if (!loaded.ok) return loaded;
  if (loaded.request.requesterId !== actor.userId)
    return refuse(deps, requestId, actor, 'cancel', { why: 'not_requester' });
  const now = deps.clock.now();
  const approval = { ...loaded.approval, decidedBy: actor.userId, decidedAt: now };
  const cancelled = await deps.requests.transition(
    requestId,
    step('pending_approval', 'cancelled'),
    { approval },
    now,
    {
      audit: [event(deps, loaded.request, actor.userId, 'cancelled', {})],
      messages: messagesOnClosedApproval('cancelled'),
    },
  );
  if (cancelled === undefined) {
    const current = await deps.requests.get(requestId);
    return refuse(deps, requestId, actor, 'cancel', { why: 'no_longer_pending', request: current ?? loaded.request });
  }
  carryOn(deps, cancelled);
  return { ok: true, request: cancelled };
}

async function expireRequest(deps: ApprovalDeps, request: BackupRequest, approval: ApprovalInfo): Promise<boolean> {
  const expired = await deps.requests.transition(
    request.id,
    step('pending_approval', 'expired'),
    {},
    deps.clock.now(),
    {
      audit: [event(deps, request, 'bot', 'expired', { expiresAt: new Date(approval.expiresAt).toISOString() })],
      messages: messagesOnClosedApproval('expired'),
    },
  );
  if (expired === undefined) return false;
  await deps.outbox.flushRequest(request.id);
  return true;
}

/** Scheduler task: expires what timed out (also what expired while the bot was down). */
export async function expireDue(deps: ApprovalDeps, limit = 50): Promise<number> {
  let count = 0;
  for (const request of await deps.queries.listExpired(deps.clock.now(), limit))
    if (request.approval !== undefined && (await expireRequest(deps, request, request.approval))) count += 1;
  return count;
}

/** Scheduler task: one reminder per request in the approval channel. */
export async function remindDue(deps: ApprovalDeps, limit = 50): Promise<number> {
  let count = 0;
  for (const request of await deps.queries.listDueReminders(deps.clock.now(), limit)) {
    const effects = { audit: [event(deps, request, 'bot', 'reminded', {})], messages: messagesOnReminder() };
    if (!(await deps.requests.markReminded(request.id, deps.clock.now(), effects))) continue;
    await deps.outbox.flushRequest(request.id);
    count += 1;
  }
  return count;
}
