/**
 * Backup jobs and the backups they leave, as plain data. A job never stores its status: it is read
 * from the job's creation time, its duration and the sandbox clock (`phaseAt`), so moving a manual
 * clock moves every job along, and two reads at the same instant agree.
 */

/** How long a backup takes on the sandbox clock unless `backupDurationMs` (or `setDuration`) says otherwise. */
export const DEFAULT_BACKUP_DURATION_MS = 3_000;

/** At most this many scheduled runs of one policy (VBS) or vault (CBR) are made up at each read. */
export const SCHEDULED_RUNS_PER_READ = 3;

/** What a backup told to fail gives as its reason unless the test names one (a VBS error-table text). */
export const DEFAULT_FAIL_REASON = 'Failed to create the snapshot.';
/** A VBS backup of a disk in a status other than available or in-use fails with this (VolumeBackup.0012). */
export const VBS_DISK_STATUS_FAIL_REASON = 'The disk status is not available or in_use.';

/** Where a job is: waiting for the first fifth of its duration, running until it ends, then done. */
export type BackupPhase = 'waiting' | 'running' | 'succeeded' | 'failed';

/** `status` of a VBS backup task (the docs' list; the sandbox uses the first four). */
export type VbsTaskStatus = 'WAITING' | 'RUNNING' | 'EXECUTE_SUCCESS' | 'EXECUTE_FAIL' | 'EXECUTE_TIMEOUT' | 'SKIP';
export const VBS_TASK_STATUSES: readonly VbsTaskStatus[] = [
  'RUNNING',
  'EXECUTE_TIMEOUT',
  'WAITING',
  'EXECUTE_FAIL',
  'EXECUTE_SUCCESS',
  'SKIP',
];

/** `status` of a VBS (Cinder) backup while its job runs and after. */
export type VbsBackupStatus = 'creating' | 'available' | 'error';
/** `status` of a CBR backup while its job runs and after. */
export type CbrBackupStatus = 'protecting' | 'available' | 'error';

/** What started a job: a call (VBS execute, CBR checkpoint) or the policy's schedule. */
export type BackupTrigger = 'manual' | 'schedule';

/** The disk as it was when its backup started (the backup outlives changes to the disk). */
export interface VolumeSnapshot {
  readonly volumeId: string;
  readonly volumeName: string;
  readonly sizeGb: number;
  readonly availabilityZone: string;
  readonly bootable: boolean;
}

/** What every job has. `failReason` is decided when the job starts; null means it succeeds. */
interface JobTiming {
  /** Epoch ms, sandbox clock. */
  readonly createdAt: number;
  readonly durationMs: number;
  readonly failReason: string | null;
  /** Creation order across the sandbox: ties of `createdAt` keep it. */
  readonly seq: number;
}

/** One VBS backup task (a volume of a policy) and the Cinder backup it leaves. */
export interface VbsJob extends JobTiming, VolumeSnapshot {
  readonly jobId: string;
  readonly backupId: string;
  /** `autobk_` and 4 hex digits. */
  readonly backupName: string;
  readonly projectId: string;
  readonly policyId: string;
  readonly trigger: BackupTrigger;
}

/** One CBR backup (a disk of a restore point). */
export interface CbrBackupRecord extends JobTiming, VolumeSnapshot {
  readonly id: string;
  readonly checkpointId: string;
  readonly projectId: string;
  readonly vaultId: string;
  readonly name: string;
  readonly description: string;
  readonly trigger: BackupTrigger;
  readonly incremental: boolean;
  /** Days the backup is kept (from the vault's policy, scheduled backups only); null: no expiry. */
  readonly retentionDays: number | null;
}

/** A disk a restore point left out, with the CBR code and reason. */
export interface SkippedResource {
  readonly id: string;
  readonly name: string;
  readonly code: string;
  readonly reason: string;
}

/** A CBR restore point: one backup per disk of the vault (or of the disks asked for). */
export interface CheckpointRecord {
  readonly id: string;
  readonly projectId: string;
  readonly vaultId: string;
  readonly vaultName: string;
  readonly createdAt: number;
  readonly name: string;
  readonly description: string;
  readonly trigger: BackupTrigger;
  readonly backupIds: readonly string[];
  readonly skipped: readonly SkippedResource[];
  /** `extra_info.retention_duration`: the policy's days for a scheduled one, else -1. */
  readonly retentionDuration: number;
}

/** A VBS job as it reads at one instant. */
export interface VbsJobView extends Omit<VbsJob, 'failReason' | 'seq'> {
  readonly service: 'vbs';
  readonly phase: BackupPhase;
  readonly taskStatus: VbsTaskStatus;
  readonly backupStatus: VbsBackupStatus;
  /** When it ended; undefined while it runs. */
  readonly finishedAt: number | undefined;
  /** Only once failed. */
  readonly failReason: string | null;
  /** 0-100. */
  readonly progress: number;
}

/** A CBR backup as it reads at one instant. */
export interface CbrBackupView extends Omit<CbrBackupRecord, 'failReason' | 'seq'> {
  readonly service: 'cbr';
  readonly phase: BackupPhase;
  readonly status: CbrBackupStatus;
  readonly finishedAt: number | undefined;
  readonly failReason: string | null;
  readonly expiresAt: number | null;
}

export type BackupView = VbsJobView | CbrBackupView;

/** A restore point as it reads at one instant. */
export interface CheckpointView extends Omit<CheckpointRecord, 'backupIds'> {
  /** protecting while any backup is; error when every backup failed; else available. */
  readonly status: 'protecting' | 'available' | 'error';
  readonly backups: readonly CbrBackupView[];
}

export function phaseAt(job: JobTiming, now: number): BackupPhase {
  const elapsed = now - job.createdAt;
  if (elapsed >= job.durationMs && elapsed >= 0) return job.failReason === null ? 'succeeded' : 'failed';
  return elapsed < job.durationMs / 5 ? 'waiting' : 'running';
}

export function isUnfinished(phase: BackupPhase): boolean {
  return phase === 'waiting' || phase === 'running';
}

function finishedAt(job: JobTiming, phase: BackupPhase): number | undefined {
  return isUnfinished(phase) ? undefined : job.createdAt + job.durationMs;
}

const TASK_STATUS: Readonly<Record<BackupPhase, VbsTaskStatus>> = {
  waiting: 'WAITING',
  running: 'RUNNING',
  succeeded: 'EXECUTE_SUCCESS',
  failed: 'EXECUTE_FAIL',
};
const VBS_BACKUP_STATUS: Readonly<Record<BackupPhase, VbsBackupStatus>> = {
  waiting: 'creating',
  running: 'creating',
  succeeded: 'available',
  failed: 'error',
};
const CBR_BACKUP_STATUS: Readonly<Record<BackupPhase, CbrBackupStatus>> = {
  waiting: 'protecting',
  running: 'protecting',
  succeeded: 'available',
  failed: 'error',
};

export function viewVbsJob(job: VbsJob, now: number): VbsJobView {
  const { failReason, seq: _seq, ...rest } = job;
  const phase = phaseAt(job, now);
  const elapsed = Math.max(0, now - job.createdAt);
  return {
    ...rest,
    service: 'vbs',
    phase,
    taskStatus: TASK_STATUS[phase],
    backupStatus: VBS_BACKUP_STATUS[phase],
    finishedAt: finishedAt(job, phase),
    failReason: phase === 'failed' ? failReason : null,
    progress: isUnfinished(phase) ? Math.min(99, Math.floor((elapsed * 100) / Math.max(1, job.durationMs))) : 100,
  };
}

export function viewCbrBackup(backup: CbrBackupRecord, now: number): CbrBackupView {
  const { failReason, seq: _seq, ...rest } = backup;
  const phase = phaseAt(backup, now);
  return {
    ...rest,
    service: 'cbr',
    phase,
    status: CBR_BACKUP_STATUS[phase],
    finishedAt: finishedAt(backup, phase),
    failReason: phase === 'failed' ? failReason : null,
    expiresAt: backup.retentionDays === null ? null : backup.createdAt + backup.retentionDays * 86_400_000,
  };
}

/** `2016-12-03T06:24:34.467`: VBS task times (UTC, milliseconds, no zone). */
export function formatVbsTaskTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 23);
}
