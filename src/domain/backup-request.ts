import type { AccessDecision } from './access-rules';
import type { PolicyId, ProjectId, RequestId, VolumeId } from './ids';
import type { RequestState } from './request-state';
import type { ScheduleFacts } from './schedule';

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
  /** When it backs up, as the cloud said when the request was checked (a vault: its bound policy's). */
  readonly schedule?: ScheduleFacts | undefined;
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

/** `--now`: whether the backup of the target was started after the volumes were added. */
export type BackupNowResult =
  | {
      readonly started: true;
      readonly at: EpochMs;
      /** Volumes of the request the cloud left out of that backup (CBR's `skipped_resources`), and why. */
      readonly skipped?: readonly VolumeFailed[];
    }
  | { readonly started: false; readonly code: string; readonly message: string };

export interface ExecutionOutcome {
  readonly added: readonly VolumeAdded[];
  readonly failed: readonly VolumeFailed[];
  /** Present when the request asked to back up now and something was added. */
  readonly backupNow?: BackupNowResult | undefined;
  readonly startedAt: EpochMs;
  readonly finishedAt: EpochMs;
}

/** The first backup of a volume a request added, as the cloud reported it. */
export interface FirstBackup {
  readonly volumeId: VolumeId;
  readonly status: 'succeeded' | 'failed' | 'timed_out' | 'skipped';
  /** The cloud's word (EXECUTE_FAIL, error, …) and the backup's name. */
  readonly cloudStatus: string;
  readonly name: string | undefined;
  readonly at: EpochMs | undefined;
  readonly message: string | undefined;
}

/**
 * Watching the first backups of the volumes a request added: until each has one, or until the
 * deadline (the next scheduled run, or the run started with --now, plus a grace period).
 */
export interface BackupWatch {
  /** Backups created at or after this count (the request's finish). */
  readonly since: EpochMs;
  readonly deadline: EpochMs;
  /** When the next scheduled backup was due, if the schedule says (shown in the summary). */
  readonly nextRunAt: EpochMs | undefined;
  /** The volumes watched. */
  readonly volumeIds: readonly VolumeId[];
  /** Each volume's first backup once it has one. */
  readonly found: readonly FirstBackup[];
  /** How many times the cloud was asked (the back-off grows with it). */
  readonly checks: number;
  /** When to look again; undefined once closed. */
  readonly nextCheckAt: EpochMs | undefined;
  /**
   * Looks in a row that could not read the cloud; absent after a look that could. Past the
   * deadline a watch closes only after a look that read the cloud, or after `LATE_LOOKS` failed ones.
   */
  readonly failedLooks?: number;
  /**
   * `all_done`: every volume has its first backup; `missed`: the deadline passed without some;
   * `unreadable`: the deadline passed and the cloud could not be read, so whether they came is unknown.
   */
  readonly closed: 'all_done' | 'missed' | 'unreadable' | undefined;
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
  /** `--now`: back the target up right after the volumes are added. */
  readonly backupNow: boolean;
  /** Watching the first backup of each volume the request added (set when it finishes). */
  readonly watch: BackupWatch | undefined;
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
  /** CBR: a call about to go out, with its volumes (kept in case the process dies during it). */
  | 'cloud_call_sent'
  | 'finished'
  | 'message_posted'
  | 'message_failed'
  | 'backup_started'
  | 'first_backup'
  | 'first_backup_missed';

export interface AuditEvent {
  readonly requestId: RequestId;
  readonly teamId: string;
  readonly at: EpochMs;
  /** A Slack user id, or `bot` for the bot's own steps. */
  readonly actor: string;
  readonly kind: AuditKind;
  readonly detail: Readonly<Record<string, unknown>>;
}
