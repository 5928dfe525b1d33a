import { randomBytes, randomUUID } from 'node:crypto';
import type {
  BackupTrigger,
  BackupView,
  CbrBackupRecord,
  CbrBackupView,
  CheckpointRecord,
  CheckpointView,
  SkippedResource,
  VbsJob,
  VbsJobView,
  VolumeSnapshot,
} from './backup-model';
import {
  DEFAULT_FAIL_REASON,
  SCHEDULED_RUNS_PER_READ,
  VBS_DISK_STATUS_FAIL_REASON,
  isUnfinished,
  phaseAt,
  viewCbrBackup,
  viewVbsJob,
} from './backup-model';
import { cbrSchedule, lastRuns, vbsSchedule } from './backup-schedule';
import { CBR_MESSAGES } from './cbr-codes';
import type { SandboxCbrPolicy, SandboxVault } from './cbr-model';
import type { SandboxPolicy, SandboxProject, SandboxVolume } from './model';

/** What the backups read of the rest of the sandbox (SandboxState is one). */
export interface BackupSources {
  listPolicies(projectId: string): SandboxPolicy[];
  getPolicy(projectId: string, policyId: string): SandboxPolicy | undefined;
  volumesInPolicy(projectId: string, policyId: string): string[];
  policyJoinedAt(projectId: string, volumeId: string): number | undefined;
  getVolume(projectId: string, volumeId: string): SandboxVolume | undefined;
  readonly cbr: {
    listVaults(projectId: string): SandboxVault[];
    getVault(projectId: string, vaultId: string): SandboxVault | undefined;
    getPolicy(projectId: string, policyId: string): SandboxCbrPolicy | undefined;
    vaultResources(projectId: string, vaultId: string): string[];
    vaultJoinedAt(projectId: string, volumeId: string): number | undefined;
  };
}

/** What POST /checkpoints asks for, read from its body. */
export interface NewCheckpointInput {
  readonly vaultId: string;
  /** Disks of the vault to back up; default (or empty) every disk in it. */
  readonly resources?: readonly string[];
  readonly name?: string;
  readonly description?: string;
  /** Recorded as `extend_info.auto_trigger`; default false. */
  readonly autoTrigger?: boolean;
  /** Default true. */
  readonly incremental?: boolean;
}

export type ExecuteOutcome =
  | { readonly kind: 'unknown-policy' }
  /** A task of the policy is still waiting or running (VBS AutoBackup.0225). */
  | { readonly kind: 'busy' }
  | { readonly kind: 'started'; readonly jobs: readonly VbsJobView[] };

export type CheckpointOutcome =
  | { readonly kind: 'unknown-vault' }
  /** A disk asked for is not in the vault (CBR BackupService.6135). */
  | { readonly kind: 'not-in-vault'; readonly resourceId: string }
  /** Every disk was skipped, or the vault has none (CBR BackupService.0001). */
  | { readonly kind: 'nothing-to-back-up'; readonly skipped: readonly SkippedResource[] }
  | { readonly kind: 'created'; readonly checkpoint: CheckpointView };

interface ProjectBackups {
  readonly vbsJobs: VbsJob[];
  readonly cbrBackups: CbrBackupRecord[];
  readonly checkpoints: Map<string, CheckpointRecord>;
  /** `vbs/{policy id}` or `cbr/{vault id}` -> up to when its scheduled runs have been made. */
  readonly scheduledUpTo: Map<string, number>;
  /** Volume id -> reasons for its next backups, first first. */
  readonly failNext: Map<string, string[]>;
  /** Volume id -> reason every backup of it fails with. */
  readonly failAlways: Map<string, string>;
}

/** CBR codes and reasons for disks a restore point leaves out. */
const SKIP_BUSY = { code: 'BackupService.6125', reason: CBR_MESSAGES['BackupService.6125'] };
const SKIP_DISK_STATUS = { code: 'BackupService.7003', reason: CBR_MESSAGES['BackupService.7003'] };
const BACKUPABLE_STATUSES: ReadonlySet<string> = new Set(['available', 'in-use']);

/**
 * Backup jobs and backups (VBS tasks and their Cinder backups; CBR restore points and their backups),
 * reached as `sandbox.state.backups`. Routes and tests share it.
 *
 * Time: nothing runs in the background. A job has a creation time and a duration (`durationMs` when it
 * started) and reads WAITING for the first fifth of it, RUNNING until it ends, then EXECUTE_SUCCESS or
 * EXECUTE_FAIL, on the sandbox clock (`now`). Scheduled runs are made up when something reads: every
 * read first makes, for each policy (VBS, status ON) and each vault with an enabled policy (CBR), the
 * runs its schedule had since the last read (at most SCHEDULED_RUNS_PER_READ, the latest), dated when
 * they ran, for the disks that were in it before the run; never before the sandbox started (or was
 * reset). The memberships are those at the read: a disk that joined and left between two reads gets
 * none of the runs in between.
 *
 * Failures are decided when a job starts: a VBS disk not `available`/`in-use` fails; else the next
 * reason queued by `failNext`, else the one set by `failVolume`. Getters return copies.
 */
export class BackupState {
  private readonly data = new Map<string, ProjectBackups>();
  private duration: number;
  private startedAt = 0;
  private seq = 0;

  constructor(
    private readonly projectList: readonly SandboxProject[],
    private readonly now: () => Date,
    private readonly sources: BackupSources,
    private readonly initialDurationMs: number,
  ) {
    this.duration = checkedDuration(initialDurationMs);
    this.reset();
  }

  /** No jobs, backups or failures; the duration back to the option's; schedules count from now. */
  reset(): void {
    this.data.clear();
    this.duration = this.initialDurationMs;
    this.startedAt = this.nowMs();
    for (const project of this.projectList) {
      this.data.set(project.id, {
        vbsJobs: [],
        cbrBackups: [],
        checkpoints: new Map(),
        scheduledUpTo: new Map(),
        failNext: new Map(),
        failAlways: new Map(),
      });
    }
  }

  /** How long a job takes (ms, sandbox clock); jobs keep the duration they started with. */
  get durationMs(): number {
    return this.duration;
  }

  setDuration(ms: number): void {
    this.duration = checkedDuration(ms);
  }

  /** The next backup of the volume (VBS or CBR, scheduled or not) fails with `reason`; calls queue up. */
  failNext(projectId: string, volumeId: string, reason: string = DEFAULT_FAIL_REASON): void {
    const queue = this.project(projectId).failNext;
    const key = volumeId.toLowerCase();
    queue.set(key, [...(queue.get(key) ?? []), reason]);
  }

  /** Every backup of the volume started from now on fails with `reason`, until `clearFailures`. */
  failVolume(projectId: string, volumeId: string, reason: string = DEFAULT_FAIL_REASON): void {
    this.project(projectId).failAlways.set(volumeId.toLowerCase(), reason);
  }

  /** Forgets `failNext` and `failVolume` for a volume, or for the whole project. */
  clearFailures(projectId: string, volumeId?: string): void {
    const data = this.project(projectId);
    if (volumeId === undefined) {
      data.failNext.clear();
      data.failAlways.clear();
      return;
    }
    data.failNext.delete(volumeId.toLowerCase());
    data.failAlways.delete(volumeId.toLowerCase());
  }

  /** A volume's VBS tasks, oldest first, as they read now. */
  jobsOfVolume(projectId: string, volumeId: string): VbsJobView[] {
    const key = volumeId.toLowerCase();
    return this.vbsJobs(projectId).filter((j) => j.volumeId === key);
  }

  /** A volume's backups, VBS and CBR, oldest first, as they read now. */
  backupsOfVolume(projectId: string, volumeId: string): BackupView[] {
    const key = volumeId.toLowerCase();
    const now = this.catchUp(projectId);
    const data = this.project(projectId);
    return [...data.vbsJobs, ...data.cbrBackups]
      .filter((b) => b.volumeId === key)
      .sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq)
      .map((b) => ('jobId' in b ? viewVbsJob(b, now) : viewCbrBackup(b, now)));
  }

  /** Every VBS task of the project, oldest first. */
  vbsJobs(projectId: string): VbsJobView[] {
    const now = this.catchUp(projectId);
    return byTime(this.project(projectId).vbsJobs).map((j) => viewVbsJob(j, now));
  }

  /** A policy's tasks, oldest first; undefined for an unknown policy. */
  vbsTasks(projectId: string, policyId: string): VbsJobView[] | undefined {
    if (this.sources.getPolicy(projectId, policyId) === undefined) return undefined;
    return this.vbsJobs(projectId).filter((j) => j.policyId === policyId);
  }

  /**
   * VBS "execute a backup policy at once": one task per volume in the policy now, unless one of its
   * tasks is still waiting or running. A policy without volumes starts nothing.
   */
  executePolicy(projectId: string, policyId: string): ExecuteOutcome {
    const now = this.catchUp(projectId);
    const policy = this.sources.getPolicy(projectId, policyId);
    if (policy === undefined) return { kind: 'unknown-policy' };
    const data = this.project(projectId);
    if (data.vbsJobs.some((j) => j.policyId === policy.id && isUnfinished(phaseAt(j, now)))) return { kind: 'busy' };
    const jobs = this.sources
      .volumesInPolicy(projectId, policy.id)
      .flatMap((volumeId) => this.snapshotOf(projectId, volumeId) ?? [])
      .map((volume) => this.startVbsJob(projectId, policy.id, volume, now, 'manual'));
    return { kind: 'started', jobs: jobs.map((j) => viewVbsJob(j, now)) };
  }

  /** Every CBR backup of the project, oldest first. */
  cbrBackups(projectId: string): CbrBackupView[] {
    const now = this.catchUp(projectId);
    return byTime(this.project(projectId).cbrBackups).map((b) => viewCbrBackup(b, now));
  }

  cbrBackup(projectId: string, backupId: string): CbrBackupView | undefined {
    return this.cbrBackups(projectId).find((b) => b.id === backupId.toLowerCase());
  }

  checkpoint(projectId: string, checkpointId: string): CheckpointView | undefined {
    const now = this.catchUp(projectId);
    const record = this.project(projectId).checkpoints.get(checkpointId.toLowerCase());
    return record === undefined ? undefined : this.viewCheckpoint(projectId, record, now);
  }

  /**
   * CBR "create a restore point": one backup per disk of the vault (or per disk asked for, each of which
   * must be in it). Disks with a backup in progress, or in a status EVS cannot back up, are skipped.
   */
  createCheckpoint(projectId: string, input: NewCheckpointInput): CheckpointOutcome {
    const now = this.catchUp(projectId);
    const vault = this.sources.cbr.getVault(projectId, input.vaultId);
    if (vault === undefined) return { kind: 'unknown-vault' };
    const inVault = this.sources.cbr.vaultResources(projectId, vault.id);
    const asked = [...new Set((input.resources ?? []).map((id) => id.toLowerCase()))];
    const stranger = asked.find((id) => !inVault.includes(id));
    if (stranger !== undefined) return { kind: 'not-in-vault', resourceId: stranger };
    const { disks, skipped } = this.backupableDisks(projectId, asked.length > 0 ? asked : inVault, now);
    if (disks.length === 0) return { kind: 'nothing-to-back-up', skipped };
    const record = this.startCheckpoint(projectId, vault, disks, skipped, now, {
      trigger: input.autoTrigger === true ? 'schedule' : 'manual',
      incremental: input.incremental ?? true,
      ...(input.name === undefined ? {} : { name: input.name }),
      description: input.description ?? '',
      retentionDays: null,
    });
    return { kind: 'created', checkpoint: this.viewCheckpoint(projectId, record, now) };
  }

  /** Makes the scheduled runs due since the last read; returns the instant it read the clock at. */
  private catchUp(projectId: string): number {
    const now = this.nowMs();
    const data = this.project(projectId);
    const window = (target: string): number => {
      const from = Math.max(this.startedAt, data.scheduledUpTo.get(target) ?? this.startedAt);
      data.scheduledUpTo.set(target, Math.max(from, now));
      return from;
    };
    for (const policy of this.sources.listPolicies(projectId)) {
      const from = window(`vbs/${policy.id}`);
      const schedule = policy.status === 'ON' ? vbsSchedule(policy) : undefined;
      if (schedule === undefined) continue;
      for (const run of lastRuns(schedule, from, now, SCHEDULED_RUNS_PER_READ)) {
        for (const volumeId of this.sources.volumesInPolicy(projectId, policy.id)) {
          const volume = this.snapshotOf(projectId, volumeId);
          const joined = this.sources.policyJoinedAt(projectId, volumeId) ?? -Infinity;
          if (volume !== undefined && joined < run) this.startVbsJob(projectId, policy.id, volume, run, 'schedule');
        }
      }
    }
    for (const vault of this.sources.cbr.listVaults(projectId)) {
      const from = window(`cbr/${vault.id}`);
      const policy = vault.policyId === null ? undefined : this.sources.cbr.getPolicy(projectId, vault.policyId);
      const schedule = policy?.enabled === true ? cbrSchedule(policy) : undefined;
      if (policy === undefined || schedule === undefined) continue;
      for (const run of lastRuns(schedule, from, now, SCHEDULED_RUNS_PER_READ)) {
        const members = this.sources.cbr
          .vaultResources(projectId, vault.id)
          .filter((id) => (this.sources.cbr.vaultJoinedAt(projectId, id) ?? -Infinity) < run);
        const { disks } = this.backupableDisks(projectId, members, run);
        if (disks.length === 0) continue;
        this.startCheckpoint(projectId, vault, disks, [], run, {
          trigger: 'schedule',
          incremental: true,
          description: '',
          retentionDays: policy.retentionDurationDays ?? null,
        });
      }
    }
    return now;
  }

  /** Splits disks into those a restore point at `at` backs up and those it skips. */
  private backupableDisks(
    projectId: string,
    volumeIds: readonly string[],
    at: number,
  ): { disks: VolumeSnapshot[]; skipped: SkippedResource[] } {
    const data = this.project(projectId);
    const disks: VolumeSnapshot[] = [];
    const skipped: SkippedResource[] = [];
    for (const volumeId of volumeIds) {
      const volume = this.sources.getVolume(projectId, volumeId);
      if (volume === undefined) continue;
      const busy = data.cbrBackups.some(
        (b) => b.volumeId === volume.id && b.createdAt <= at && isUnfinished(phaseAt(b, at)),
      );
      const skip = busy ? SKIP_BUSY : BACKUPABLE_STATUSES.has(volume.status) ? undefined : SKIP_DISK_STATUS;
      if (skip === undefined) disks.push(snapshot(volume));
      else skipped.push({ id: volume.id, name: volume.name, ...skip });
    }
    return { disks, skipped };
  }

  private startVbsJob(
    projectId: string,
    policyId: string,
    volume: VolumeSnapshot,
    at: number,
    trigger: BackupTrigger,
  ): VbsJob {
    const status = this.sources.getVolume(projectId, volume.volumeId)?.status ?? 'available';
    const failReason = BACKUPABLE_STATUSES.has(status)
      ? this.takeFailure(projectId, volume.volumeId)
      : VBS_DISK_STATUS_FAIL_REASON;
    const job: VbsJob = {
      ...volume,
      jobId: randomUUID(),
      backupId: randomUUID(),
      backupName: autoName(),
      projectId,
      policyId,
      trigger,
      createdAt: at,
      durationMs: this.duration,
      failReason,
      seq: (this.seq += 1),
    };
    this.project(projectId).vbsJobs.push(job);
    return job;
  }

  private startCheckpoint(
    projectId: string,
    vault: SandboxVault,
    disks: readonly VolumeSnapshot[],
    skipped: readonly SkippedResource[],
    at: number,
    how: {
      trigger: BackupTrigger;
      incremental: boolean;
      name?: string;
      description: string;
      retentionDays: number | null;
    },
  ): CheckpointRecord {
    const data = this.project(projectId);
    const checkpointId = randomUUID();
    const name = how.name ?? (how.trigger === 'schedule' ? autoName() : `manualbk_${randomBytes(2).toString('hex')}`);
    const backups = disks.map((disk): CbrBackupRecord => {
      const backup: CbrBackupRecord = {
        ...disk,
        id: randomUUID(),
        checkpointId,
        projectId,
        vaultId: vault.id,
        name,
        description: how.description,
        trigger: how.trigger,
        incremental: how.incremental,
        retentionDays: how.retentionDays,
        createdAt: at,
        durationMs: this.duration,
        failReason: this.takeFailure(projectId, disk.volumeId),
        seq: (this.seq += 1),
      };
      data.cbrBackups.push(backup);
      return backup;
    });
    const record: CheckpointRecord = {
      id: checkpointId,
      projectId,
      vaultId: vault.id,
      vaultName: vault.name,
      createdAt: at,
      name,
      description: how.description,
      trigger: how.trigger,
      backupIds: backups.map((b) => b.id),
      skipped: [...skipped],
      retentionDuration: how.retentionDays ?? -1,
    };
    data.checkpoints.set(checkpointId, record);
    return record;
  }

  private viewCheckpoint(projectId: string, record: CheckpointRecord, now: number): CheckpointView {
    const { backupIds, ...rest } = record;
    const all = this.project(projectId).cbrBackups;
    const backups = backupIds.flatMap((id) => all.filter((b) => b.id === id)).map((b) => viewCbrBackup(b, now));
    const status = backups.some((b) => isUnfinished(b.phase))
      ? 'protecting'
      : backups.every((b) => b.phase === 'failed')
        ? 'error'
        : 'available';
    return { ...rest, skipped: [...rest.skipped], status, backups };
  }

  private takeFailure(projectId: string, volumeId: string): string | null {
    const data = this.project(projectId);
    const queue = data.failNext.get(volumeId);
    const next = queue?.shift();
    if (queue?.length === 0) data.failNext.delete(volumeId);
    return next ?? data.failAlways.get(volumeId) ?? null;
  }

  private snapshotOf(projectId: string, volumeId: string): VolumeSnapshot | undefined {
    const volume = this.sources.getVolume(projectId, volumeId);
    return volume === undefined ? undefined : snapshot(volume);
  }

  private nowMs(): number {
    return this.now().getTime();
  }

  private project(projectId: string): ProjectBackups {
    const data = this.data.get(projectId);
    if (data === undefined) throw new Error(`sandbox: unknown project ${projectId}`);
    return data;
  }
}

function snapshot(volume: SandboxVolume): VolumeSnapshot {
  return {
    volumeId: volume.id,
    volumeName: volume.name,
    sizeGb: volume.size,
    availabilityZone: volume.availabilityZone,
    bootable: volume.bootable,
  };
}

function byTime<T extends { readonly createdAt: number; readonly seq: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq);
}

/** `autobk_` and 4 hex digits, as VBS and CBR name the backups they make. */
function autoName(): string {
  return `autobk_${randomBytes(2).toString('hex')}`;
}

function checkedDuration(ms: number): number {
  if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`sandbox: backupDurationMs must be >= 0, got ${ms}`);
  return ms;
}
