import type { ApprovalInfo, AuditEvent, BackupRequest } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import { step } from '../domain/request-state';
import { hasVisibleText } from '../domain/visible-text';
import type { Actor } from '../domain/actor';
import { admitRequest } from './admission';
import { requestApproverStatus } from './approvers';
import type { FlowDeps } from './flow-deps';
import { messagesOnClosedApproval, messagesOnReminder } from './notify';
import { carryOn } from './record-request';
import type { RateLimit } from './request-limiter';

/** Approvals read and change requests; a decision carries the request on. */
export type ApprovalDeps = Pick<
  FlowDeps,
  | 'config'
  | 'requests'
  | 'queries'
  | 'audit'
  | 'people'
  | 'outbox'
  | 'executor'
  | 'work'
  | 'clock'
  | 'logger'
  | 'workspaces'
  | 'limiter'
>;

/** Why an action did not happen. A request of another workspace is an `unknown_request`: it reveals nothing. */
export type Refusal =
  | { readonly why: 'unknown_request' }
  | { readonly why: 'not_an_approver' }
  | { readonly why: 'approver_revoked' }
  | { readonly why: 'approver_unknown' }
  | { readonly why: 'own_request' }
  | { readonly why: 'not_requester' }
  | { readonly why: 'comment_required' }
  | { readonly why: 'rate_limited'; readonly rate: RateLimit }
  | { readonly why: 'expired'; readonly request: BackupRequest }
  | { readonly why: 'no_longer_pending'; readonly request: BackupRequest };

export type ApprovalResult =
  { readonly ok: true; readonly request: BackupRequest } | { readonly ok: false; readonly refusal: Refusal };

export type ApprovalAction = 'approve' | 'deny' | 'cancel';

/** A request found pending, with its approval (which a pending request always has). */
type PendingResult =
  | { readonly ok: true; readonly request: BackupRequest; readonly approval: ApprovalInfo }
  | { readonly ok: false; readonly refusal: Refusal };

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

/**
 * Refuses and audits it. The entry goes under the refuser's workspace (a request's history shows
 * only its own workspace's entries); `audited` is the operator's reason when the person is told
 * less (another workspace's request is "unknown" to them).
 */
async function refuse(
  deps: ApprovalDeps,
  requestId: RequestId,
  actor: Actor,
  action: ApprovalAction,
  refusal: Refusal,
  audited: string = refusal.why,
): Promise<{ readonly ok: false; readonly refusal: Refusal }> {
  deps.logger.warn('refused a request action', {
    requestId,
    user: actor.userId,
    team: actor.teamId,
    action,
    why: audited,
  });
  await deps.audit.append(
    event(deps, { id: requestId, teamId: actor.teamId }, actor.userId, 'refused', { action, why: audited }),
  );
  return { ok: false, refusal };
}

/**
 * The door, then the request: it exists, belongs to this workspace, is pending and not expired. A
 * refusal at the door writes nothing (an over-limit person must not be able to fill the audit trail).
 */
async function loadPending(
  deps: ApprovalDeps,
  requestId: RequestId,
  actor: Actor,
  action: ApprovalAction,
): Promise<PendingResult> {
  const admission = admitRequest(deps, actor);
  if (!admission.admitted && admission.why === 'rate_limited')
    return { ok: false, refusal: { why: 'rate_limited', rate: admission.rate } };
  const unknown = { why: 'unknown_request' } as const;
  if (!admission.admitted) return refuse(deps, requestId, actor, action, unknown, 'other_workspace');
  const request = await deps.requests.get(requestId);
  if (request === undefined) return refuse(deps, requestId, actor, action, unknown);
  if (request.teamId !== actor.teamId) return refuse(deps, requestId, actor, action, unknown, 'other_workspace');
  if (request.state !== 'pending_approval' || request.approval === undefined) {
    return refuse(deps, requestId, actor, action, { why: 'no_longer_pending', request });
  }
  if (request.approval.expiresAt <= deps.clock.now())
    return refuseExpired(deps, request, request.approval, actor, action);
  return { ok: true, request, approval: request.approval };
}

/** A request past its deadline: expired now (if nobody did yet), and the decision refused as too late. */
async function refuseExpired(
  deps: ApprovalDeps,
  request: BackupRequest,
  approval: ApprovalInfo,
  actor: Actor,
  action: ApprovalAction,
): Promise<Extract<PendingResult, { ok: false }>> {
  await expireRequest(deps, request, approval);
  return refuse(deps, request.id, actor, action, {
    why: 'expired',
    request: (await deps.requests.get(request.id)) ?? request,
  });
}

/** What `checkDecision` checks once the request is loaded: not the requester, an approver now. */
async function checkDecider(
  deps: ApprovalDeps,
  loaded: Extract<PendingResult, { ok: true }>,
  actor: Actor,
  action: 'approve' | 'deny',
): Promise<PendingResult> {
  const { request } = loaded;
  if (request.requesterId === actor.userId) return refuse(deps, request.id, actor, action, { why: 'own_request' });
  const status = await requestApproverStatus(deps, request, actor.userId, { fresh: true });
  switch (status) {
    case 'yes':
      return loaded;
    case 'unknown':
      return refuse(deps, request.id, actor, action, { why: 'approver_unknown' });
    case 'revoked':
      return refuse(deps, request.id, actor, action, { why: 'approver_revoked' });
    case 'no':
      return refuse(deps, request.id, actor, action, { why: 'not_an_approver' });
  }
}

/** Checks an approver may decide this request now, without changing anything (e.g. before opening the modal). */
export async function checkDecision(
  deps: ApprovalDeps,
  requestId: RequestId,
  actor: Actor,
  action: 'approve' | 'deny',
): Promise<PendingResult> {
  const loaded = await loadPending(deps, requestId, actor, action);
  return loaded.ok ? checkDecider(deps, loaded, actor, action) : loaded;
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
  const loaded = await loadPending(deps, requestId, actor, action);
  // A comment of invisible characters would show as an empty reason on the card and in the thread.
  if (loaded.ok && action === 'deny' && !hasVisibleText(comment))
    return refuse(deps, requestId, actor, action, { why: 'comment_required' });
  const checked = loaded.ok ? await checkDecider(deps, loaded, actor, action) : loaded;
  if (!checked.ok) return checked;
  const now = deps.clock.now();
  // The approver checks ask Slack (with retries): the deadline may have passed meanwhile.
  if (checked.approval.expiresAt <= now) return refuseExpired(deps, checked.request, checked.approval, actor, action);
  const approval = {
    ...checked.approval,
    decidedBy: actor.userId,
    decidedAt: now,
    comment: comment?.trim() || undefined,
  };
  const to = action === 'approve' ? 'approved' : 'denied';
  const decided = await deps.requests.transition(requestId, step('pending_approval', to), { approval }, now, {
    audit: [event(deps, checked.request, actor.userId, to, { comment: approval.comment ?? null })],
    // An approved request tells its workflow step when it has run; a denied one now.
    messages: messagesOnClosedApproval('decision', {
      endsStep: to === 'denied' && checked.request.workflowStep !== undefined,
    }),
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
      messages: messagesOnClosedApproval('cancelled', { endsStep: loaded.request.workflowStep !== undefined }),
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
      messages: messagesOnClosedApproval('expired', { endsStep: request.workflowStep !== undefined }),
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
