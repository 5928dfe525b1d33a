import type { PolicyId, ProjectId, ServerId, VolumeId } from '../domain/ids';

import type { BackupService } from '../domain/backup-request';

/**
 * The backup service of a project: VBS (policies; closed to new OTC projects since 2025-08-01) or
 * CBR (Cloud Backup and Recovery: vaults that carry a policy).
 */
export type { BackupService };

/** A project the bot acts in. Endpoints are resolved per region. */
export interface ProjectRef {
  readonly id: ProjectId;
  readonly region: string;
  /** Which service backs its disks up; absent means VBS. */
  readonly service?: BackupService | undefined;
}

/** When backups run and how long they are kept: a VBS policy's, or the policy bound to a CBR vault. */
export interface BackupSchedule {
  /** 'ON' | 'OFF' as VBS reports it (CBR: `enabled`). */
  readonly status: string;
  /** HH:mm when scheduled backups start (VBS allows several, comma-separated), in `timeZone`. */
  readonly startTime: string | undefined;
  /** VBS `time_zone` of `startTime`, e.g. `UTC+08:00`; undefined means UTC (as the VBS docs say). */
  readonly timeZone: string | undefined;
  /** Days between backups (a daily-style policy). */
  readonly frequencyDays: number | undefined;
  /** Week days of a weekly policy as VBS names them (`SUN`, `WED`; VBS `week_frequency`). */
  readonly weekDays: readonly string[] | undefined;
  /** How many backups are kept (VBS spells it `rentention_num`). */
  readonly retentionCount: number | undefined;
  /** How many days backups are kept (VBS spells it `rentention_day`), instead of a count. */
  readonly retentionDays: number | undefined;
}

/** A VBS backup policy as the rest of the bot sees it (camelCase, typed). */
export interface BackupPolicy extends BackupSchedule {
  readonly id: PolicyId;
  readonly name: string;
  readonly resourceCount: number | undefined;
}

/** A CBR vault: where volumes are added on a CBR project. */
export interface BackupVault {
  /** The vault id (a UUID); typed like a policy id because both name "where backups go". */
  readonly id: PolicyId;
  readonly name: string;
  /** The backup policy bound to the vault, if any (a vault without one is only backed up by hand). */
  readonly policy: (BackupSchedule & { readonly id: string; readonly name: string }) | undefined;
  /** The volumes in the vault now (CBR lists a vault's resources; VBS cannot). */
  readonly volumeIds: readonly VolumeId[];
  readonly resourceCount: number;
  /** The vault's capacity (`billing.size`, GB). */
  readonly capacityGb: number | undefined;
  /** Capacity taken by the disks in it (`billing.allocated`, GB): a disk fits when its size is at most the rest. */
  readonly allocatedGb: number | undefined;
}

/** Where a request adds volumes: a VBS policy or a CBR vault. */
export type BackupTarget = ({ readonly kind: 'policy' } & BackupPolicy) | ({ readonly kind: 'vault' } & BackupVault);

/** CBR accepts at most this many resources in one add, remove or migrate call. */
export const CBR_MAX_RESOURCES_PER_CALL = 256;

export interface VolumeAttachment {
  readonly serverId: ServerId;
  readonly device: string | undefined;
}

/** An EVS disk. */
export interface Volume {
  readonly id: VolumeId;
  readonly name: string;
  readonly status: string;
  readonly availabilityZone: string;
  readonly sizeGb: number;
  readonly volumeType: string | undefined;
  /** `os-vol-host-attr:host`, e.g. `pod01.eu-de-01#SATA`. */
  readonly host: string | undefined;
  readonly attachments: readonly VolumeAttachment[];
}

export interface VolumeFilters {
  readonly name?: string;
  readonly status?: string;
  readonly availabilityZone?: string;
  readonly serverId?: ServerId;
}

export interface VolumePage {
  readonly volumes: readonly Volume[];
  /** Total matching volumes when the cloud reports it. */
  readonly count: number | undefined;
}

export interface AddedVolume {
  readonly volumeId: VolumeId;
  readonly availabilityZone: string | undefined;
  /** VBS `os_vol_host_attr`, e.g. `pod01.eu-de-01`. */
  readonly pod: string | undefined;
  /** CBR: the vault the volume was moved from (a migrate), when it was moved. */
  readonly movedFrom?: PolicyId | undefined;
  /** CBR: it was in the vault already (nothing was sent for it). */
  readonly already?: boolean | undefined;
}

export interface FailedVolume {
  readonly volumeId: VolumeId;
  /** OTC code (`AutoBackup.0206`), or for a chunk that failed as a whole, that call's code or `HTTP 503`. */
  readonly code: string | undefined;
  /** OTC message; undefined when the cloud gave none (the API allows that). */
  readonly message: string | undefined;
}

/** One associate/disassociate call (a chunk) and how it ended: for the audit trail. */
export interface ChunkReport {
  readonly index: number;
  readonly volumeIds: readonly VolumeId[];
  readonly attempts: number;
  readonly added: number;
  readonly failed: number;
  /**
   * Set when a call failed as a whole (after retries); then every volume of the chunk is in `failed`,
   * except, on CBR, volumes a call of the same chunk had settled before (all-or-nothing.ts).
   */
  readonly error?: {
    readonly code: string;
    readonly status: number | undefined;
    readonly otcCode: string | undefined;
    readonly otcRequestId: string | undefined;
    readonly message: string;
  };
}

export interface AssociationResult {
  readonly added: readonly AddedVolume[];
  readonly failed: readonly FailedVolume[];
  readonly chunks: readonly ChunkReport[];
}

export interface AssociateOptions {
  /** Volumes per call (default 20: the console warns above 40, no maximum is documented). */
  readonly chunkSize?: number;
  /** Calls in flight at once (default 2). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  /** Called as each call returns (before the next chunks' results are merged): for an audit that misses none. */
  readonly onChunk?: (chunk: ChunkReport) => Promise<void>;
  /**
   * Called before a chunk's first call goes out (not for a chunk failed before any call could be
   * made): a record that survives a crash during the call, which the cloud may have applied.
   */
  readonly onSending?: (chunk: SendingChunk) => Promise<void>;
}

/** A chunk about to be sent. */
export interface SendingChunk {
  readonly index: number;
  readonly volumeIds: readonly VolumeId[];
}

/**
 * The backup service behind the bot, for a project of either service (`project.service`): on VBS a
 * target is a policy, on CBR a vault. Every call reports per volume, even where the cloud's API is
 * all-or-nothing (CBR), and never throws for the cloud's refusals.
 */
export interface BackupBackend {
  /** The project's policies (VBS) or vaults (CBR, with their bound policy, resources and capacity). */
  listTargets(project: ProjectRef): Promise<readonly BackupTarget[]>;
  /**
   * Adds volumes to the target. VBS moves a volume from another policy silently; CBR refuses a
   * volume in another vault (use `move`). A volume already in the target is reported added.
   */
  associate(
    project: ProjectRef,
    policyId: PolicyId,
    volumeIds: readonly VolumeId[],
    options?: AssociateOptions,
  ): Promise<AssociationResult>;
  disassociate(
    project: ProjectRef,
    policyId: PolicyId,
    volumeIds: readonly VolumeId[],
    options?: AssociateOptions,
  ): Promise<AssociationResult>;
  /**
   * CBR only: moves volumes, with their backups, from one vault to another (`migrateresources`);
   * each moved volume is reported added with `movedFrom`. On a VBS project every volume fails
   * (VBS moves by associating).
   */
  move(
    project: ProjectRef,
    fromId: PolicyId,
    toId: PolicyId,
    volumeIds: readonly VolumeId[],
    options?: AssociateOptions,
  ): Promise<AssociationResult>;
}

/** EVS look-ups. */
export interface VolumeDirectory {
  getVolume(project: ProjectRef, id: VolumeId): Promise<Volume | undefined>;
  listVolumes(
    project: ProjectRef,
    filters: VolumeFilters,
    page: { readonly limit: number; readonly offset: number },
  ): Promise<VolumePage>;
  /** Every volume matching the filters, paging through EVS. */
  listAllVolumes(project: ProjectRef, filters: VolumeFilters): Promise<readonly Volume[]>;
  /**
   * Resolves what a user typed: each ref that is a UUID is looked up by id, any other ref is an
   * exact (case-sensitive) volume name. Every distinct ref is a key; no match -> empty list, more
   * than one -> ambiguous (the caller decides).
   */
  findVolumesByRef(project: ProjectRef, refs: readonly string[]): Promise<ReadonlyMap<string, readonly Volume[]>>;
}

/** An ECS server, as far as `--server` needs it. */
export interface Server {
  readonly id: ServerId;
  readonly name: string;
  /** Nova status (`ACTIVE`, `SHUTOFF`, ...); undefined after a name look-up (the plain server list has none). */
  readonly status: string | undefined;
}

/** ECS look-ups: a server a user named, so the volumes attached to it can be found (`listAllVolumes` with `serverId`). */
export interface ServerDirectory {
  /**
   * A UUID ref is looked up by id (missing -> []); any other ref is an exact, case-sensitive server
   * name. Names are not unique in ECS: more than one server is ambiguous (the caller decides).
   */
  findServersByRef(project: ProjectRef, ref: string): Promise<readonly Server[]>;
  /** Every server of the project (id and name), paged. */
  listServers(project: ProjectRef): Promise<readonly Server[]>;
}

/** How a backup (a VBS backup task, a CBR backup) stands, in the bot's words. */
export type BackupStatus = 'waiting' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'skipped';

/** One backup of one volume: what watching the first backup and `/backup status <volume>` read. */
export interface VolumeBackup {
  readonly volumeId: VolumeId;
  readonly status: BackupStatus;
  /** The cloud's own word: `EXECUTE_SUCCESS`, `EXECUTE_FAIL` (VBS), `available`, `error` (CBR). */
  readonly cloudStatus: string;
  /** The backup's name (VBS `backup_name`, e.g. `autobk_e6d2`; CBR backup name). */
  readonly name: string | undefined;
  /** VBS job id or CBR backup id. */
  readonly id: string | undefined;
  /** Epoch ms; undefined when the cloud gave none. VBS times without a zone are UTC. */
  readonly createdAt: number | undefined;
  readonly finishedAt: number | undefined;
  /** Size of the backup in GB, when the cloud says (CBR does, VBS task lists do not). */
  readonly sizeGb: number | undefined;
  /** Why it failed, when the cloud says. */
  readonly message: string | undefined;
}

/** What a backup started now left out: CBR names a disk it did not back up this time, and why. */
export interface BackupNowStart {
  readonly skipped: readonly FailedVolume[];
}

/**
 * Backups of a target, for "back up now" and for watching the first backup of the volumes a
 * request added. Beside BackupBackend; one client implements both, per project's service.
 */
export interface BackupRuns {
  /**
   * Starts a backup of the target now: VBS executes the policy at once (every volume of the policy,
   * `POST /v2/{project_id}/backuppolicy/{policy_id}/action`), CBR backs up the vault (every volume
   * in it, a checkpoint). Throws an OtcError when the cloud refuses. Resolves to the volumes the
   * cloud said it skipped this time (CBR's `skipped_resources`; VBS names none).
   */
  backupNow(project: ProjectRef, targetId: PolicyId): Promise<BackupNowStart>;
  /**
   * The target's backups of these volumes created at or after `since` (epoch ms), oldest first;
   * VBS: the policy's backup tasks, CBR: the vault's backups. Paged through; bounded by the volumes.
   */
  listBackups(
    project: ProjectRef,
    targetId: PolicyId,
    volumeIds: readonly VolumeId[],
    since: number,
  ): Promise<readonly VolumeBackup[]>;
  /**
   * `/backup status <volume>`: the newest backup of a volume, wherever it was made (VBS: the
   * volume's backups in EVS backup list; CBR: its backups), or undefined when it has none.
   */
  lastBackup(project: ProjectRef, volumeId: VolumeId): Promise<VolumeBackup | undefined>;
}
