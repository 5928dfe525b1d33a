import { randomUUID } from 'node:crypto';
import type { CbrProjectData, SandboxCbrPolicy, SandboxVault, VaultObjectType } from './cbr-model';
import { formatCbrScheduleTime } from './cbr-model';
import { buildCbrSeed } from './cbr-seed';
import type { SandboxProject, SandboxVolume } from './model';
import { formatCinderTime } from './model';

/** What tests and demos pass to add a vault. */
export interface NewVaultInput {
  readonly id?: string;
  readonly name: string;
  /** Default `disk`. */
  readonly objectType?: VaultObjectType;
  /** Capacity in GB; default 100. */
  readonly sizeGb?: number;
  /** The CBR policy the vault carries; default none. */
  readonly policyId?: string;
  readonly description?: string | null;
}

/** What tests and demos pass to add a CBR policy. Retention fields are left out unless given. */
export interface NewCbrPolicyInput {
  readonly id?: string;
  readonly name: string;
  /** Default true. */
  readonly enabled?: boolean;
  /** Default every day at 01:00 UTC. */
  readonly pattern?: readonly string[];
  readonly maxBackups?: number;
  readonly retentionDurationDays?: number;
  readonly timezone?: string;
}

/** The part of the EVS state CBR reads: whether a disk exists, and its size. */
export interface VolumeLookup {
  getVolume(projectId: string, volumeId: string): SandboxVolume | undefined;
}

/**
 * The sandbox's CBR data, per project: vaults, CBR policies, and which disk is in which vault (a disk
 * is in at most one). Every project has it; only a project whose backup service is `cbr` is seeded
 * with vaults. A disk EVS no longer has is in no vault. Routes check a call whole before they change
 * anything (CBR is all-or-nothing); the methods here change things without checks, for tests to arrange.
 * Getters return copies.
 */
export class CbrState {
  private readonly data = new Map<string, CbrProjectData>();

  constructor(
    private readonly projectList: readonly SandboxProject[],
    private readonly now: () => Date,
    private readonly volumes: VolumeLookup,
  ) {
    this.reset();
  }

  /** Back to the seeded data (every project). */
  reset(): void {
    this.data.clear();
    this.projectList.forEach((project, index) => {
      const seeded = project.backupService === 'cbr' ? buildCbrSeed(project, index === 0) : undefined;
      this.data.set(
        project.id,
        seeded ?? { vaults: new Map(), policies: new Map(), members: new Map(), joined: new Map() },
      );
    });
  }

  /** Vaults in creation order (the CBR list order of the sandbox). */
  listVaults(projectId: string): SandboxVault[] {
    return [...this.project(projectId).vaults.values()].map((v) => ({ ...v }));
  }

  getVault(projectId: string, vaultId: string): SandboxVault | undefined {
    const vault = this.project(projectId).vaults.get(vaultId.toLowerCase());
    return vault === undefined ? undefined : { ...vault };
  }

  findVaultByName(projectId: string, name: string): SandboxVault | undefined {
    return this.listVaults(projectId).find((v) => v.name === name);
  }

  addVault(projectId: string, input: NewVaultInput): SandboxVault {
    const data = this.project(projectId);
    const id = (input.id ?? randomUUID()).toLowerCase();
    if (data.vaults.has(id)) throw new Error(`sandbox: vault ${id} exists`);
    if (input.policyId !== undefined) this.requirePolicy(data, projectId, input.policyId);
    const vault: SandboxVault = {
      id,
      name: input.name,
      description: input.description ?? null,
      objectType: input.objectType ?? 'disk',
      sizeGb: checkedSize(input.sizeGb ?? 100),
      policyId: input.policyId ?? null,
      createdAt: formatCinderTime(this.now()),
    };
    data.vaults.set(id, vault);
    return { ...vault };
  }

  /** Sets a vault's capacity (GB), even below what its disks already take (CBR then refuses any more). */
  setVaultCapacity(projectId: string, vaultId: string, sizeGb: number): SandboxVault {
    return this.updateVault(projectId, vaultId, { sizeGb: checkedSize(sizeGb) });
  }

  /** Applies a policy to a vault (replacing its old one), or removes it with null. */
  setVaultPolicy(projectId: string, vaultId: string, policyId: string | null): SandboxVault {
    if (policyId !== null) this.requirePolicy(this.project(projectId), projectId, policyId);
    return this.updateVault(projectId, vaultId, { policyId });
  }

  /** CBR policies in creation order. */
  listPolicies(projectId: string): SandboxCbrPolicy[] {
    return [...this.project(projectId).policies.values()].map(copyPolicy);
  }

  getPolicy(projectId: string, policyId: string): SandboxCbrPolicy | undefined {
    const policy = this.project(projectId).policies.get(policyId);
    return policy === undefined ? undefined : copyPolicy(policy);
  }

  findPolicyByName(projectId: string, name: string): SandboxCbrPolicy | undefined {
    return this.listPolicies(projectId).find((p) => p.name === name);
  }

  addPolicy(projectId: string, input: NewCbrPolicyInput): SandboxCbrPolicy {
    const data = this.project(projectId);
    const id = input.id ?? randomUUID();
    if (data.policies.has(id)) throw new Error(`sandbox: CBR policy ${id} exists`);
    const policy: SandboxCbrPolicy = {
      id,
      name: input.name,
      enabled: input.enabled ?? true,
      pattern: [...(input.pattern ?? ['FREQ=DAILY;INTERVAL=1;BYHOUR=1;BYMINUTE=00'])],
      startTime: formatCbrScheduleTime(this.now()),
      ...(input.maxBackups === undefined ? {} : { maxBackups: input.maxBackups }),
      ...(input.retentionDurationDays === undefined ? {} : { retentionDurationDays: input.retentionDurationDays }),
      ...(input.timezone === undefined ? {} : { timezone: input.timezone }),
    };
    data.policies.set(id, policy);
    return copyPolicy(policy);
  }

  /**
   * Puts a disk in a vault, taking it out of any other; no capacity or type check (arranging, not the
   * API). It goes last in the vault's resources.
   */
  putVolumeInVault(projectId: string, volumeId: string, vaultId: string): void {
    const data = this.project(projectId);
    const vault = this.requireVault(data, projectId, vaultId);
    const volume = this.volumes.getVolume(projectId, volumeId);
    if (volume === undefined) throw new Error(`sandbox: no volume ${volumeId} in project ${projectId}`);
    if (data.members.get(volume.id) !== vault.id) data.joined.set(volume.id, this.now().getTime());
    data.members.delete(volume.id);
    data.members.set(volume.id, vault.id);
  }

  /** Takes a disk out of its vault; false when it was in none. */
  removeVolumeFromVault(projectId: string, volumeId: string): boolean {
    const key = volumeId.toLowerCase();
    const wasIn = this.vaultOfVolume(projectId, key) !== undefined;
    this.project(projectId).members.delete(key);
    this.project(projectId).joined.delete(key);
    return wasIn;
  }

  /** When (epoch ms, sandbox clock) a disk joined the vault it is in; undefined when seeded there or in none. */
  vaultJoinedAt(projectId: string, volumeId: string): number | undefined {
    const key = volumeId.toLowerCase();
    return this.vaultOfVolume(projectId, key) === undefined ? undefined : this.project(projectId).joined.get(key);
  }

  /** The id of the vault a disk is in, if any. */
  vaultOfVolume(projectId: string, volumeId: string): string | undefined {
    const key = volumeId.toLowerCase();
    const vaultId = this.project(projectId).members.get(key);
    return vaultId !== undefined && this.volumes.getVolume(projectId, key) !== undefined ? vaultId : undefined;
  }

  /** The disks in a vault, in the order they joined it. */
  vaultResources(projectId: string, vaultId: string): string[] {
    const wanted = vaultId.toLowerCase();
    return [...this.project(projectId).members]
      .filter(([volumeId, v]) => v === wanted && this.volumes.getVolume(projectId, volumeId) !== undefined)
      .map(([volumeId]) => volumeId);
  }

  /** GB the disks in a vault take (`billing.allocated`). */
  allocatedGb(projectId: string, vaultId: string): number {
    return this.vaultResources(projectId, vaultId).reduce(
      (sum, volumeId) => sum + (this.volumes.getVolume(projectId, volumeId)?.size ?? 0),
      0,
    );
  }

  private updateVault(projectId: string, vaultId: string, change: Partial<SandboxVault>): SandboxVault {
    const data = this.project(projectId);
    const vault = { ...this.requireVault(data, projectId, vaultId), ...change };
    data.vaults.set(vault.id, vault);
    return { ...vault };
  }

  private project(projectId: string): CbrProjectData {
    const data = this.data.get(projectId);
    if (data === undefined) throw new Error(`sandbox: unknown project ${projectId}`);
    return data;
  }

  private requireVault(data: CbrProjectData, projectId: string, vaultId: string): SandboxVault {
    const vault = data.vaults.get(vaultId.toLowerCase());
    if (vault === undefined) throw new Error(`sandbox: no vault ${vaultId} in project ${projectId}`);
    return vault;
  }

  private requirePolicy(data: CbrProjectData, projectId: string, policyId: string): void {
    if (!data.policies.has(policyId)) throw new Error(`sandbox: no CBR policy ${policyId} in project ${projectId}`);
  }
}

function checkedSize(sizeGb: number): number {
  if (!Number.isInteger(sizeGb) || sizeGb < 1) throw new RangeError(`sandbox: vault capacity must be >= 1 GB`);
  return sizeGb;
}

function copyPolicy(policy: SandboxCbrPolicy): SandboxCbrPolicy {
  return { ...policy, pattern: [...policy.pattern] };
}
