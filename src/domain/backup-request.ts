import type { AccessDecision } from './access-rules';
import type { PolicyId, ProjectId, RequestId, VolumeId } from './ids';
import type { RequestState } from './request-state';

/** What a request does to its volumes: add them to the target, or take them out of it. */
export type RequestAction = 'associate' | 'disassociate';

export const REQUEST_ACTIONS: readonly RequestAction[] = ['associate', 'disassociate'];

/** The backup service of a project (VBS policies, or CBR vaults). */
export type BackupService = 'vbs' | 'cbr';

/** Where a request adds volumes (or takes them from): a VBS policy or a CBR vault. */
export interface TargetRef {
  readonly kind: 'policy' | 'vault';
  readonly id: PolicyId;
  readonly name: string;
}

/**
 * A CBR volume that changes vault: on an associate with `--move`, the vault it is moved from; on
 * an undo, the vault it goes back to.
 */
export interface VolumeMove {
  readonly volumeId: VolumeId;
  readonly vault: { readonly id: PolicyId; readonly name: string };
}

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

/** A volume the request did what it asked with (added, or for a disassociate removed). */
export interface VolumeAdded {
  readonly volumeId: VolumeId;
  readonly availabilityZone: string | undefined;
  readonly pod: string | undefined;
  /** CBR: moved here from this vault (`--move`), or for an undo moved back to it. */
  readonly movedFrom?: PolicyId | undefined;
  /** CBR: it was there already (or, removing, not there): nothing was sent for it. */
  readonly already?: boolean | undefined;
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

/**
 * The Workflow Builder step a request was made by: Slack's id of that run of the step, and the
 * step's own token (the `bot_access_token` Slack sent with it), which is what tells the step how
 * the request ended. The token is a secret: it is never shown, logged or audited, and it is
 * forgotten (undefined) once the step was told, or once Slack would no longer take it.
 */
export interface WorkflowStepRef {
  readonly executionId: string;
  readonly token: string | undefined;
}

/** The stored truth about one request. Buttons and modals carry only its id. */
export interface BackupRequest {
  readonly id: RequestId;
  readonly teamId: string;
  readonly requesterId: string;
  readonly channel: { readonly id: string; readonly name: string | undefined };
  readonly project: {
    readonly name: string;
    readonly id: ProjectId;
    readonly region: string;
    readonly service: BackupService;
  };
  readonly action: RequestAction;
  readonly target: TargetRef;
  readonly volumes: readonly RequestVolume[];
  /** CBR volumes that change vault (see VolumeMove); empty on VBS. */
  readonly moves: readonly VolumeMove[];
  /** An undo: the request whose additions this one takes back. */
  readonly undoOf: RequestId | undefined;
  /** Where this request's messages go when it has no thread of its own: an undo posts in its original's thread. */
  readonly thread: MessageRef | undefined;
  readonly reason: string | undefined;
  readonly decision: AccessDecision;
  readonly state: RequestState;
  readonly approval: ApprovalInfo | undefined;
  readonly rootMessage: MessageRef | undefined;
  readonly approvalMessage: MessageRef | undefined;
  readonly outcome: ExecutionOutcome | undefined;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
  /** Made by a workflow step, which is told when the request ends; absent for every other request. */
  readonly workflowStep?: WorkflowStepRef;
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
