import type { AccessDecision } from './access-rules';
import type { PolicyId, ProjectId, RequestId, VolumeId } from './ids';
import type { RequestState } from './request-state';

/** Times are epoch milliseconds: the domain never reads the clock, callers pass `now`. */
export type EpochMs = number;

/** A volume as it was when the request was made (resolved names, status, size, AZ). */
export interface RequestVolume {
  readonly id: VolumeId;
  readonly name: string;
  readonly status: string;
  readonly availabilityZone: string;
  readonly sizeGb: number;
  readonly serverId: string | undefined;
}

export interface MessageRef {
  readonly channel: string;
  readonly ts: string;
}

export interface Approvers {
  readonly users: readonly string[];
  readonly usergroups: readonly string[];
}

export interface ApprovalInfo {
  readonly approvers: Approvers;
  readonly expiresAt: EpochMs;
  readonly remindAt: EpochMs | undefined;
  readonly remindedAt: EpochMs | undefined;
  readonly decidedBy: string | undefined;
  readonly decidedAt: EpochMs | undefined;
  readonly comment: string | undefined;
}

export interface VolumeAdded {
  readonly volumeId: VolumeId;
  readonly availabilityZone: string | undefined;
  readonly pod: string | undefined;
}

export interface VolumeFailed {
  readonly volumeId: VolumeId;
  readonly code: string | undefined;
  readonly message: string | undefined;
}

export interface ExecutionOutcome {
  readonly added: readonly VolumeAdded[];
  readonly failed: readonly VolumeFailed[];
  readonly startedAt: EpochMs;
  readonly finishedAt: EpochMs;
}

/** The stored truth about one request. Buttons and modals carry only its id. */
export interface BackupRequest {
  readonly id: RequestId;
  readonly teamId: string;
  readonly requesterId: string;
  readonly channel: { readonly id: string; readonly name: string | undefined };
  readonly project: { readonly name: string; readonly id: ProjectId; readonly region: string };
  readonly policy: { readonly id: PolicyId; readonly name: string };
  readonly volumes: readonly RequestVolume[];
  readonly reason: string | undefined;
  readonly decision: AccessDecision;
  readonly state: RequestState;
  readonly approval: ApprovalInfo | undefined;
  readonly rootMessage: MessageRef | undefined;
  readonly approvalMessage: MessageRef | undefined;
  readonly outcome: ExecutionOutcome | undefined;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}

/** What the bot writes to the audit trail. `detail` never holds a secret. */
export type AuditKind =
  | 'received'
  | 'decided'
  | 'approval_requested'
  | 'reminded'
  | 'approved'
  | 'denied'
  | 'cancelled'
  | 'expired'
  | 'refused'
  | 'started'
  | 'resumed'
  | 'cloud_call'
  | 'finished'
  | 'message_posted'
  | 'message_failed';

export interface AuditEvent {
  readonly requestId: RequestId;
  readonly teamId: string;
  readonly at: EpochMs;
  /** A Slack user id, or `bot` for the bot's own steps. */
  readonly actor: string;
  readonly kind: AuditKind;
  readonly detail: Readonly<Record<string, unknown>>;
}
