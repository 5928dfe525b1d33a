import { randomUUID } from 'node:crypto';
import { DEFAULT_BACKUP_DURATION_MS } from './backup-model';
import { parseStartTimes, parseUtcOffset } from './backup-schedule';
import { BackupState } from './backup-state';
import { CbrState } from './cbr-state';
import type { ProjectData, SandboxPolicy, SandboxProject, SandboxServer, SandboxVolume, VolumeStatus } from './model';
import { VBS_WEEK_DAYS, formatCinderTime, formatNovaTime } from './model';
import { buildSeedProject } from './seed';
import type { NewPolicyInput, NewServerInput, NewVolumeInput } from './state-inputs';

export type { NewPolicyInput, NewServerInput, NewVolumeInput } from './state-inputs';

/**
 * The sandbox's live data, per project. Routes and tests share it: tests arrange (add volumes,
 * set statuses, bind disks to policies) and assert (which policy is a disk in) through it. Getters
 * return copies; change things only through the methods. CBR's vaults and policies are in `cbr`, backup
 * jobs and the backups they leave (VBS and CBR) in `backups`.
 */
export class SandboxState {
  /** Vaults, CBR policies and which disk is in which vault; reset with the rest. */
  readonly cbr: CbrState;
  /** Backup jobs, backups and restore points, on the sandbox clock; reset with the rest. */
  readonly backups: BackupState;
  private readonly data = new Map<string, ProjectData>();

  constructor(
    private readonly projectList: readonly SandboxProject[],
    private readonly now: () => Date,
    backupDurationMs: number = DEFAULT_BACKUP_DURATION_MS,
  ) {
    this.cbr = new CbrState(projectList, now, this);
    this.backups = new BackupState(projectList, now, this, backupDurationMs);
    this.reset();
  }

  /** Back to the seeded data (every project), CBR's and the backups' too. */
  reset(): void {
    this.data.clear();
    this.projectList.forEach((project, index) => this.data.set(project.id, buildSeedProject(project, index === 0)));
    this.cbr.reset();
    this.backups.reset();
  }

  projects(): readonly SandboxProject[] {
    return this.projectList;
  }

  hasProject(projectId: string): boolean {
    return this.data.has(projectId);
  }

  /** Policies in creation order. */
  listPolicies(projectId: string): SandboxPolicy[] {
    return [...this.project(projectId).policies.values()].map(copyPolicy);
  }

  getPolicy(projectId: string, policyId: string): SandboxPolicy | undefined {
    const policy = this.project(projectId).policies.get(policyId);
    return policy === undefined ? undefined : copyPolicy(policy);
  }

  findPolicyByName(projectId: string, name: string): SandboxPolicy | undefined {
    return this.listPolicies(projectId).find((p) => p.name === name);
  }

  /** Volumes ordered by name, then id (the EVS list order of the sandbox). */
  listVolumes(projectId: string): SandboxVolume[] {
    return [...this.project(projectId).volumes.values()]
      .sort((a, b) => compare(a.name, b.name) || compare(a.id, b.id))
      .map(copyVolume);
  }

  getVolume(projectId: string, volumeId: string): SandboxVolume | undefined {
    const volume = this.project(projectId).volumes.get(volumeId.toLowerCase());
    return volume === undefined ? undefined : copyVolume(volume);
  }

  findVolumesByName(projectId: string, name: string): SandboxVolume[] {
    return this.listVolumes(projectId).filter((v) => v.name === name);
  }

  /** Servers in creation order (the ECS list order of the sandbox). */
  listServers(projectId: string): SandboxServer[] {
    return [...this.project(projectId).servers.values()].map((s) => ({ ...s }));
  }

  getServer(projectId: string, serverId: string): SandboxServer | undefined {
    const server = this.project(projectId).servers.get(serverId.toLowerCase());
    return server === undefined ? undefined : { ...server };
  }

  /** Adds an ECS server (names need not be unique, as in ECS). Attach volumes to it with addVolume. */
  addServer(projectId: string, input: NewServerInput): SandboxServer {
    const data = this.project(projectId);
    const id = (input.id ?? randomUUID()).toLowerCase();
    if (data.servers.has(id)) throw new Error(`sandbox: server ${id} exists`);
    const server: SandboxServer = {
      id,
      name: input.name,
      status: input.status ?? 'ACTIVE',
      createdAt: formatNovaTime(this.now()),
    };
    data.servers.set(id, server);
    return { ...server };
  }

  /** The policy a volume is in, if any. */
  policyOfVolume(projectId: string, volumeId: string): string | undefined {
    return this.project(projectId).bindings.get(volumeId.toLowerCase());
  }

  /** When (epoch ms, sandbox clock) a volume joined the policy it is in; undefined when seeded there or in none. */
  policyJoinedAt(projectId: string, volumeId: string): number | undefined {
    return this.project(projectId).joined.get(volumeId.toLowerCase());
  }

  volumesInPolicy(projectId: string, policyId: string): string[] {
    return [...this.project(projectId).bindings].filter(([, p]) => p === policyId).map(([v]) => v);
  }

  policyResourceCount(projectId: string, policyId: string): number {
    return this.volumesInPolicy(projectId, policyId).length;
  }

  /** Puts a volume in a policy, moving it out of any other (a disk belongs to at most one policy). */
  bindVolume(projectId: string, volumeId: string, policyId: string): void {
    const data = this.project(projectId);
    if (!data.policies.has(policyId)) throw new Error(`sandbox: no policy ${policyId} in project ${projectId}`);
    const id = this.requireVolume(data, volumeId).id;
    if (data.bindings.get(id) !== policyId) data.joined.set(id, this.now().getTime());
    data.bindings.set(id, policyId);
  }

  /** Takes a volume out of whatever policy it is in; false when it was in none. */
  unbindVolume(projectId: string, volumeId: string): boolean {
    const data = this.project(projectId);
    data.joined.delete(volumeId.toLowerCase());
    return data.bindings.delete(volumeId.toLowerCase());
  }

  /**
   * Adds a VBS policy. Its schedule is checked as VBS documents it (start times on full hours, a
   * frequency of 1-14 days or at least one week day, a `UTC±hh:mm` time zone): else a RangeError.
   */
  addPolicy(projectId: string, input: NewPolicyInput): SandboxPolicy {
    const data = this.project(projectId);
    const id = input.id ?? randomUUID();
    if (data.policies.has(id)) throw new Error(`sandbox: policy ${id} exists`);
    const startTime = input.startTime ?? '01:00';
    if (parseStartTimes(startTime) === undefined) throw new RangeError(`sandbox: invalid start time '${startTime}'`);
    const frequency = input.frequency ?? (input.weekFrequency === undefined ? 1 : undefined);
    if (frequency !== undefined && !(Number.isInteger(frequency) && frequency >= 1 && frequency <= 14)) {
      throw new RangeError(`sandbox: frequency must be 1 to 14 days, got ${frequency}`);
    }
    const weekFrequency = frequency === undefined ? [...new Set(input.weekFrequency)] : undefined;
    if (weekFrequency?.length === 0 || weekFrequency?.some((d) => !VBS_WEEK_DAYS.includes(d)) === true) {
      throw new RangeError(`sandbox: week_frequency must name week days (${VBS_WEEK_DAYS.join(', ')})`);
    }
    if (input.timeZone !== undefined && parseUtcOffset(input.timeZone) === undefined) {
      throw new RangeError(`sandbox: invalid time zone '${input.timeZone}' (UTC+hh:mm)`);
    }
    const policy: SandboxPolicy = {
      id,
      name: input.name,
      startTime,
      ...(frequency === undefined ? {} : { frequency }),
      ...(weekFrequency === undefined ? {} : { weekFrequency }),
      ...(input.timeZone === undefined ? {} : { timeZone: input.timeZone }),
      retentionNum: input.retentionNum ?? 7,
      remainFirstBackupOfCurMonth: input.remainFirstBackupOfCurMonth ?? 'N',
      status: input.status ?? 'ON',
    };
    data.policies.set(id, policy);
    return copyPolicy(policy);
  }

  /** Deletes a policy; its volumes are then in no policy. */
  deletePolicy(projectId: string, policyId: string): boolean {
    const data = this.project(projectId);
    for (const volumeId of this.volumesInPolicy(projectId, policyId)) {
      data.bindings.delete(volumeId);
      data.joined.delete(volumeId);
    }
    return data.policies.delete(policyId);
  }

  addVolume(projectId: string, input: NewVolumeInput): SandboxVolume {
    const data = this.project(projectId);
    const id = (input.id ?? randomUUID()).toLowerCase();
    if (data.volumes.has(id)) throw new Error(`sandbox: volume ${id} exists`);
    const time = formatCinderTime(this.now());
    const attachments = (input.attachments ?? []).map((a, index) => ({
      serverId: a.serverId.toLowerCase(),
      serverName: a.serverName ?? data.servers.get(a.serverId.toLowerCase())?.name ?? a.serverId,
      device: a.device ?? `/dev/vd${String.fromCharCode(98 + index)}`,
      attachmentId: randomUUID(),
      attachedAt: time,
    }));
    const volume: SandboxVolume = {
      id,
      name: input.name,
      description: input.description ?? null,
      status: input.status ?? (attachments.length > 0 ? 'in-use' : 'available'),
      availabilityZone: input.availabilityZone ?? `${data.project.region}-01`,
      pod: input.pod ?? 'pod01',
      size: input.size ?? 10,
      volumeType: input.volumeType ?? 'SATA',
      bootable: input.bootable ?? false,
      createdAt: time,
      updatedAt: time,
      metadata: { ...(input.metadata ?? {}) },
      attachments,
    };
    data.volumes.set(id, volume);
    if (input.policyId !== undefined) this.bindVolume(projectId, id, input.policyId);
    return copyVolume(volume);
  }

  /** Deletes a volume (and its policy binding); false when there was none. */
  removeVolume(projectId: string, volumeId: string): boolean {
    const data = this.project(projectId);
    data.bindings.delete(volumeId.toLowerCase());
    data.joined.delete(volumeId.toLowerCase());
    return data.volumes.delete(volumeId.toLowerCase());
  }

  setVolumeStatus(projectId: string, volumeId: string, status: VolumeStatus): SandboxVolume {
    const data = this.project(projectId);
    const volume = this.requireVolume(data, volumeId);
    const updated: SandboxVolume = { ...volume, status, updatedAt: formatCinderTime(this.now()) };
    data.volumes.set(volume.id, updated);
    return copyVolume(updated);
  }

  private project(projectId: string): ProjectData {
    const data = this.data.get(projectId);
    if (data === undefined) throw new Error(`sandbox: unknown project ${projectId}`);
    return data;
  }

  private requireVolume(data: ProjectData, volumeId: string): SandboxVolume {
    const volume = data.volumes.get(volumeId.toLowerCase());
    if (volume === undefined) throw new Error(`sandbox: no volume ${volumeId} in project ${data.project.id}`);
    return volume;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function copyPolicy(policy: SandboxPolicy): SandboxPolicy {
  return policy.weekFrequency === undefined ? { ...policy } : { ...policy, weekFrequency: [...policy.weekFrequency] };
}

function copyVolume(volume: SandboxVolume): SandboxVolume {
  return { ...volume, metadata: { ...volume.metadata }, attachments: volume.attachments.map((a) => ({ ...a })) };
}
