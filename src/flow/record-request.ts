import type { AccessDecision } from '../domain/access-rules';
import type { Actor, ChannelRef } from '../domain/actor';
import type { ApprovalInfo, Approvers, AuditEvent, BackupRequest, WorkflowStepRef } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { ScheduleFacts } from '../domain/schedule';
import { scheduleOf } from '../otc/targets';
import type { BackupSchedule } from '../otc/types';
import type { CheckedRequest, CheckOutcome } from './check-request';
import type { FlowConfig, FlowDeps } from './flow-deps';
import { withLogFields } from '../log/logger';
import { messagesOnAccepted } from './notify';

/** What recording a checked request ends in: recorded (and under way), a double submit, or a late denial. */
export type RecordOutcome =
  | { readonly kind: 'accepted'; readonly request: BackupRequest; readonly notes: readonly string[] }
  | { readonly kind: 'duplicate'; readonly existing: BackupRequest }
  | Extract<CheckOutcome, { kind: 'denied' }>;

/** Two identical commands from one person in one channel within this window are one request. */
export const DOUBLE_SUBMIT_WINDOW_MS = 10_000;
/** The record keeps at most this much of a reason. */
export const REASON_STORE_MAX = 2000;

/** The parts of a schedule a request keeps (to tell when the first backup is due). */
function scheduleFacts(s: BackupSchedule | undefined): ScheduleFacts | undefined {
  if (s === undefined) return undefined;
  return {
    status: s.status,
    startTime: s.startTime,
    timeZone: s.timeZone,
    frequencyDays: s.frequencyDays,
    weekDays: s.weekDays,
  };
}

/** Who approves a request that this decision sends to approval: the deciding rule's approvers, else the global ones. */
export function approversFor(config: FlowConfig, decision: AccessDecision): Approvers | undefined {
  if (decision.verdict !== 'require_approval' || config.approvals === undefined) return undefined;
  const rule = config.access.rules.find((r) => r.name === decision.decidedBy);
  return rule?.approvers ?? config.approvals.approvers;
}

/** Approvers and deadlines of a request that needs approval, counted from `now`: the deciding rule's, else the global ones. */
function approvalFor(config: FlowConfig, decision: AccessDecision, now: number): ApprovalInfo | undefined {
  const global = config.approvals;
  const approvers = approversFor(config, decision);
  if (approvers === undefined || global === undefined) return undefined;
  const ttlMs = config.access.rules.find((r) => r.name === decision.decidedBy)?.ttlMs ?? global.ttlMs;
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
 * After a state change: the messages it owes go out, and an allowed or approved request runs.
 * In the background: the person has their answer already, and a failure here is finished by the
 * outbox and the scheduler (the change itself is recorded).
 */
export function carryOn(deps: Pick<FlowDeps, 'outbox' | 'executor' | 'work'>, request: BackupRequest): void {
  deps.work.run(`request ${request.id}`, () =>
    withLogFields({ requestId: request.id }, async () => {
      await deps.outbox.flushRequest(request.id);
      if (request.state === 'allowed' || request.state === 'approved')
        await deps.executor.start(request.id, request.state);
    }),
  );
}

/**
 * Records a checked request that is allowed or needs approval, with its audit entries and its
 * first Slack messages in one transaction, and carries it on: the messages go out and an allowed
 * request runs. A second record with the same dedupe key inside the window returns the first.
 */
export async function recordRequest(
  deps: Pick<FlowDeps, 'config' | 'requests' | 'clock' | 'outbox' | 'executor' | 'work'>,
  actor: Actor,
  channel: ChannelRef,
  checked: CheckedRequest,
  options: {
    readonly id: RequestId;
    readonly reason: string | undefined;
    readonly dedupeKey: string;
    /** How long an earlier record with the same key stands for this one (default: a double submit's window). */
    readonly dedupeWindowMs?: number;
    /** An undo: the request it takes back, and that request's thread (where this one's messages go). */
    readonly undo?: { readonly of: RequestId; readonly thread: BackupRequest['thread'] };
    /** Made by a workflow step: told (through the outbox, with its token) when the request ends. */
    readonly step?: WorkflowStepRef;
  },
): Promise<RecordOutcome> {
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
  const reason = options.reason?.trim()
    ? Array.from(options.reason.trim()).slice(0, REASON_STORE_MAX).join('')
    : undefined;
  const state = approval === undefined ? 'allowed' : 'pending_approval';
  const id = options.id;
  const audit = (by: string, kind: AuditEvent['kind'], detail: AuditEvent['detail']): AuditEvent => ({
    requestId: id,
    teamId: actor.teamId,
    at: now,
    actor: by,
    kind,
    detail,
  });
  const created = await deps.requests.create(
    {
      id,
      teamId: actor.teamId,
      requesterId: actor.userId,
      channel: { id: channel.id, name: checked.channelName },
      project: {
        name: checked.project.name,
        id: checked.project.id,
        region: checked.project.region,
        service: checked.project.service,
      },
      action: checked.action,
      target: {
        kind: checked.target.kind,
        id: checked.target.id,
        name: checked.target.name,
        schedule: scheduleFacts(scheduleOf(checked.target)),
      },
      volumes: checked.volumes,
      moves: checked.moves,
      undoOf: options.undo?.of,
      thread: options.undo?.thread,
      backupNow: checked.backupNow,
      reason,
      decision: checked.decision,
      state,
      approval,
      createdAt: now,
      ...(options.step !== undefined && { workflowStep: options.step }),
    },
    { key: options.dedupeKey, windowMs: options.dedupeWindowMs ?? DOUBLE_SUBMIT_WINDOW_MS },
    now,
    {
      // The record, its audit entries and the messages that announce it commit together.
      audit: [
        audit(actor.userId, 'received', {
          channel: channel.id,
          project: checked.project.name,
          action: checked.action,
          target: checked.target.kind,
          policy: checked.target.name,
          policyId: checked.target.id,
          volumes: checked.volumes.map((v) => v.id),
          moves: checked.moves.map((m) => ({ volume: m.volumeId, vault: m.vault.id })),
          ...(options.undo !== undefined && { undoOf: options.undo.of }),
          // The run of the workflow step that asked (never its token).
          ...(options.step !== undefined && { workflowStep: options.step.executionId }),
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
  carryOn(deps, created.request);
  return { kind: 'accepted', request: created.request, notes: checked.notes };
}
