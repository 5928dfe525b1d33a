import { createHash } from 'node:crypto';
import type { AccessDecision } from '../domain/access-rules';
import type { ApprovalInfo, AuditEvent, BackupRequest } from '../domain/backup-request';
import type { AssociateCommand } from '../domain/command-grammar';
import type { RequestId } from '../domain/ids';
import type { Asker, CheckDeps, CheckedRequest, CheckOutcome } from './check-request';
import { checkRequest } from './check-request';
import { messagesOnAccepted } from './notify';
import type { NewRequestId } from './ports';

/** The signed facts of a slash command, and its text (for the double-submit check). */
export interface CommandOrigin extends Asker {
  readonly text: string;
}

export type SubmitOutcome =
  | Exclude<CheckOutcome, { kind: 'checked' }>
  | { readonly kind: 'dry_run'; readonly checked: CheckedRequest }
  | { readonly kind: 'duplicate'; readonly existing: BackupRequest }
  | { readonly kind: 'accepted'; readonly request: BackupRequest; readonly notes: readonly string[] };

export interface SubmitDeps extends CheckDeps {
  readonly newRequestId: NewRequestId;
}

/** Two identical commands from one person in one channel within this window are one request. */
export const DOUBLE_SUBMIT_WINDOW_MS = 10_000;
/** The record keeps at most this much of a reason. */
export const REASON_STORE_MAX = 2000;

export function doubleSubmitKey(origin: CommandOrigin): string {
  const normalized = origin.text.trim().replace(/\s+/g, ' ');
  return createHash('sha256')
    .update([origin.teamId, origin.userId, origin.channelId, normalized].join('\u0000'))
    .digest('hex');
}

/** Approvers and deadlines of a request that needs approval: the deciding rule's, else the global ones. */
export function approvalFor(
  config: CheckDeps['config'],
  decision: AccessDecision,
  now: number,
): ApprovalInfo | undefined {
  const global = config.approvals;
  const rule = config.access.rules.find((r) => r.name === decision.decidedBy);
  const approvers = rule?.approvers ?? global?.approvers;
  const ttlMs = rule?.ttlMs ?? global?.ttlMs;
  if (approvers === undefined || ttlMs === undefined || global === undefined) return undefined;
  const remindAfter = global.remindAfterMs;
  return {
    approvers,
    expiresAt: now + ttlMs,
    remindAt: remindAfter !== undefined && remindAfter < ttlMs ? now + remindAfter : undefined,
    remindedAt: undefined,
    decidedBy: undefined,
    decidedAt: undefined,
    comment: undefined,
  };
}

/**
 * Records a checked request that is allowed or needs approval, with its audit entries and its
 * first Slack messages; a second record with the same dedupe key inside the window returns the
 * first. The caller flushes the outbox and starts an allowed request.
 */
export async function recordRequest(
  deps: SubmitDeps,
  asker: Asker,
  checked: CheckedRequest,
  options: { readonly id: RequestId; readonly reason: string | undefined; readonly dedupeKey: string },
): Promise<Exclude<SubmitOutcome, { kind: 'dry_run' | 'invalid' | 'cannot_post' | 'unknown_user' }>> {
  const now = deps.clock.now();
  const approval =
    checked.decision.verdict === 'require_approval' ? approvalFor(deps.config, checked.decision, now) : undefined;
  if (checked.decision.verdict !== 'allow' && approval === undefined) {
    // Config validation makes a missing approvals block unreachable; fail closed if it ever is reached.
    return {
      kind: 'denied',
      decision: {
        ...checked.decision,
        verdict: 'deny',
        reason: 'approval is required but no approvers are configured',
      },
      checked,
    };
  }
  const reason = options.reason?.trim() ? [...options.reason.trim()].slice(0, REASON_STORE_MAX).join('') : undefined;
  const state = approval === undefined ? 'allowed' : 'pending_approval';
  const id = options.id;
  const audit = (actor: string, kind: AuditEvent['kind'], detail: AuditEvent['detail']): AuditEvent => ({
    requestId: id,
    teamId: asker.teamId,
    at: now,
    actor,
    kind,
    detail,
  });
  const created = await deps.store.requests.create(
    {
      id,
      teamId: asker.teamId,
      requesterId: asker.userId,
      channel: { id: asker.channelId, name: checked.channelName },
      project: { name: checked.project.name, id: checked.project.id, region: checked.project.region },
      policy: { id: checked.policy.id, name: checked.policy.name },
      volumes: checked.volumes,
      reason,
      decision: checked.decision,
      state,
      approval,
      createdAt: now,
    },
    { key: options.dedupeKey, windowMs: DOUBLE_SUBMIT_WINDOW_MS },
    now,
    {
      // The record, its audit entries and the messages that announce it commit together.
      audit: [
        audit(asker.userId, 'received', {
          channel: asker.channelId,
          project: checked.project.name,
          policy: checked.policy.name,
          policyId: checked.policy.id,
          volumes: checked.volumes.map((v) => v.id),
          excluded: checked.excluded.map((v) => v.id),
          reason: reason ?? null,
        }),
        audit('bot', 'decided', {
          verdict: checked.decision.verdict,
          rule: checked.decision.decidedBy,
          why: checked.decision.reason,
        }),
        ...(approval === undefined
          ? []
          : [
              audit('bot', 'approval_requested', {
                approvers: approval.approvers,
                expiresAt: new Date(approval.expiresAt).toISOString(),
              }),
            ]),
      ],
      messages: messagesOnAccepted(state),
    },
  );
  if (!created.created) return { kind: 'duplicate', existing: created.existing };
  const request = created.request;
  return { kind: 'accepted', request, notes: checked.notes };
}

/** A typed `/backup associate`: named volumes must all be usable; a dry run only shows what would happen. */
export async function submitAssociate(
  deps: SubmitDeps,
  origin: CommandOrigin,
  cmd: AssociateCommand,
): Promise<SubmitOutcome> {
  const result = await checkRequest(deps, origin, cmd, 'error');
  // A dry run shows the preview only to someone the rules would let through (allow or approval);
  // a denial is a denial, dry or not.
  if (cmd.dryRun && result.kind === 'checked') return { kind: 'dry_run', checked: result.checked };
  if (result.kind !== 'checked') return result;
  return recordRequest(deps, origin, result.checked, {
    id: deps.newRequestId(),
    reason: cmd.reason,
    dedupeKey: doubleSubmitKey(origin),
  });
}
