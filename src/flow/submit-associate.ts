import { createHash } from 'node:crypto';
import type { Config, ProjectConfig } from '../config/load-config';
import type { AccessDecision } from '../domain/access-rules';
import { checkTeam, decideAccess } from '../domain/access-rules';
import type { ApprovalInfo, BackupRequest, RequestVolume } from '../domain/backup-request';
import type { AssociateCommand } from '../domain/command-grammar';
import { refText, resolvePolicy, resolveProject, resolveVolumes } from '../domain/resolution';
import type { BackupPolicy, BackupBackend, VolumeDirectory } from '../otc/types';
import type { RequestStore } from '../store/request-store';
import type { ChannelAccess, Clock, NewRequestId, PeopleDirectory } from './ports';

/** The signed facts of a slash command: the truth about who asks from where. */
export interface CommandOrigin {
  readonly teamId: string;
  readonly userId: string;
  readonly channelId: string;
  readonly channelName: string | undefined;
  /** The command text as typed, for the double-submit check. */
  readonly text: string;
}

/** Everything checked, nothing recorded: what a dry run shows and what a real request records. */
export interface CheckedRequest {
  readonly project: ProjectConfig;
  readonly policy: BackupPolicy;
  readonly volumes: readonly RequestVolume[];
  readonly decision: AccessDecision;
  readonly notes: readonly string[];
}

export type SubmitOutcome =
  | { readonly kind: 'invalid'; readonly problems: readonly string[] }
  | { readonly kind: 'cannot_post'; readonly why: Extract<ChannelAccess, { canPost: false }>['why'] }
  | { readonly kind: 'unknown_user' }
  | { readonly kind: 'denied'; readonly decision: AccessDecision; readonly checked: CheckedRequest | undefined }
  | { readonly kind: 'dry_run'; readonly checked: CheckedRequest }
  | { readonly kind: 'duplicate'; readonly existing: BackupRequest }
  | { readonly kind: 'accepted'; readonly request: BackupRequest; readonly notes: readonly string[] };

export type CheckOutcome =
  | Extract<SubmitOutcome, { kind: 'invalid' | 'cannot_post' | 'unknown_user' | 'denied' }>
  | { readonly kind: 'checked'; readonly checked: CheckedRequest; readonly channelName: string | undefined };

export interface SubmitDeps {
  readonly config: Pick<Config, 'projects' | 'access' | 'approvals'>;
  readonly cloud: BackupBackend & VolumeDirectory;
  readonly people: PeopleDirectory;
  readonly store: RequestStore;
  readonly clock: Clock;
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

function usergroupHandles(config: SubmitDeps['config']): string[] {
  return [...new Set(config.access.rules.flatMap((r) => r.usergroups ?? []).map((h) => h.replace(/^@/, '')))];
}

/**
 * Checks a typed `/backup associate`: the channel, the person, the project, the policy, the
 * volumes and the access rules. Reads the cloud, never writes it.
 */
export async function checkAssociate(
  deps: SubmitDeps,
  origin: CommandOrigin,
  cmd: AssociateCommand,
): Promise<CheckOutcome> {
  // A foreign workspace learns nothing about the cloud: refused before any look-up.
  const foreign = checkTeam(deps.config.access, origin.teamId);
  if (foreign !== undefined) return { kind: 'denied', decision: foreign, checked: undefined };
  const project = resolveProject(cmd.project, deps.config.projects);
  if (!project.ok) return { kind: 'invalid', problems: [project.error] };

  const [access, user, policies, found] = await Promise.all([
    deps.people.channelAccess(origin.channelId),
    deps.people.userFacts(origin.userId),
    deps.cloud.listPolicies(project.value),
    deps.cloud.findVolumesByRef(project.value, cmd.volumes.map(refText)),
  ]);
  if (!access.canPost) return { kind: 'cannot_post', why: access.why };
  if (user === undefined || user.deleted) return { kind: 'unknown_user' };

  const problems: string[] = [];
  const policy = resolvePolicy(cmd.policy, policies);
  if (!policy.ok) problems.push(policy.error);
  const volumes = resolveVolumes(cmd.volumes, found);
  if (!volumes.ok) problems.push(...volumes.error);
  if (!policy.ok || !volumes.ok) return { kind: 'invalid', problems };

  const handles = usergroupHandles(deps.config);
  const groups = handles.length === 0 ? [] : await deps.people.groupsOf(origin.userId, handles);
  const channelName = access.name ?? origin.channelName;
  const decision = decideAccess(deps.config.access, {
    teamId: origin.teamId,
    user: { id: origin.userId, isGuest: user.isGuest, isBot: user.isBot },
    usergroups: groups,
    channel: { id: origin.channelId, name: channelName },
    policy: { id: policy.value.id, name: policy.value.name },
    project: project.value.name,
    volumeCount: volumes.value.volumes.length,
  });
  return {
    kind: 'checked',
    channelName,
    checked: {
      project: project.value,
      policy: policy.value,
      volumes: volumes.value.volumes,
      decision,
      notes: [...cmd.notes, ...volumes.value.notes],
    },
  };
}

/** Approvers and deadlines of a request that needs approval: the deciding rule's, else the global ones. */
export function approvalFor(
  config: SubmitDeps['config'],
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

/** Checks, then records a request that is allowed or needs approval (once per double submit). The caller starts it. */
export async function submitAssociate(
  deps: SubmitDeps,
  origin: CommandOrigin,
  cmd: AssociateCommand,
): Promise<SubmitOutcome> {
  const result = await checkAssociate(deps, origin, cmd);
  if (result.kind !== 'checked') return result;
  const { checked } = result;
  if (cmd.dryRun) return { kind: 'dry_run', checked };
  if (checked.decision.verdict === 'deny') return { kind: 'denied', decision: checked.decision, checked };

  const now = deps.clock.now();
  const approval =
    checked.decision.verdict === 'require_approval' ? approvalFor(deps.config, checked.decision, now) : undefined;
  if (checked.decision.verdict === 'require_approval' && approval === undefined) {
    // Config validation makes this unreachable; fail closed if it ever is reached.
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
  const created = await deps.store.create(
    {
      id: deps.newRequestId(),
      teamId: origin.teamId,
      requesterId: origin.userId,
      channel: { id: origin.channelId, name: result.channelName },
      project: { name: checked.project.name, id: checked.project.id, region: checked.project.region },
      policy: { id: checked.policy.id, name: checked.policy.name },
      volumes: checked.volumes,
      reason: cmd.reason === undefined ? undefined : [...cmd.reason].slice(0, REASON_STORE_MAX).join(''),
      decision: checked.decision,
      state: approval === undefined ? 'allowed' : 'pending_approval',
      approval,
      createdAt: now,
    },
    { key: doubleSubmitKey(origin), windowMs: DOUBLE_SUBMIT_WINDOW_MS },
    now,
  );
  if (!created.created) return { kind: 'duplicate', existing: created.existing };
  const request = created.request;
  await deps.store.appendAudit({
    requestId: request.id,
    teamId: request.teamId,
    at: now,
    actor: origin.userId,
    kind: 'received',
    detail: {
      channel: origin.channelId,
      project: request.project.name,
      policy: request.policy.name,
      policyId: request.policy.id,
      volumes: request.volumes.map((v) => v.id),
      reason: request.reason ?? null,
    },
  });
  await deps.store.appendAudit({
    requestId: request.id,
    teamId: request.teamId,
    at: now,
    actor: 'bot',
    kind: 'decided',
    detail: { verdict: checked.decision.verdict, rule: checked.decision.decidedBy, why: checked.decision.reason },
  });
  if (request.approval !== undefined) {
    await deps.store.appendAudit({
      requestId: request.id,
      teamId: request.teamId,
      at: now,
      actor: 'bot',
      kind: 'approval_requested',
      detail: { approvers: request.approval.approvers, expiresAt: new Date(request.approval.expiresAt).toISOString() },
    });
  }
  return { kind: 'accepted', request: created.request, notes: checked.notes };
}
