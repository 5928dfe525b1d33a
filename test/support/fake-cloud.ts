import type { PolicyId, VolumeId } from '../../src/domain/ids';
import { asPolicyId, asServerId, asVolumeId, isUuid } from '../../src/domain/ids';
import type { BackupBackend, BackupRuns, CloudReads } from '../../src/flow/ports';
import { failNotSent } from '../../src/otc/associate';
import type {
  AssociateOptions,
  AssociationResult,
  BackupNowStart,
  BackupTarget,
  FailedVolume,
  ProjectRef,
  Server,
  Volume,
  VolumeBackup,
  VolumeFilters,
} from '../../src/otc/types';

/** What one project of the fake cloud holds. */
export interface CloudProject {
  policies: BackupTarget[];
  volumes: Volume[];
  servers: Server[];
}

export type CloudMethod = keyof (BackupBackend & BackupRuns & CloudReads);

export interface CloudCall {
  readonly method: CloudMethod;
  readonly projectId: string;
}

export interface AssociateCall {
  readonly projectId: string;
  readonly policyId: PolicyId;
  readonly volumeIds: readonly VolumeId[];
}

export function policy(id: string, name: string): BackupTarget & { kind: 'policy' } {
  return {
    kind: 'policy',
    id: asPolicyId(id),
    name,
    status: 'ON',
    startTime: '02:00',
    timeZone: undefined,
    frequencyDays: 1,
    weekDays: undefined,
    retentionCount: 7,
    retentionDays: undefined,
    resourceCount: 0,
  };
}

export function volume(
  id: string,
  name: string,
  options: { status?: string; serverId?: string; az?: string; sizeGb?: number } = {},
): Volume {
  return {
    id: asVolumeId(id),
    name,
    status: options.status ?? (options.serverId === undefined ? 'available' : 'in-use'),
    availabilityZone: options.az ?? 'eu-de-01',
    sizeGb: options.sizeGb ?? 100,
    volumeType: 'SSD',
    host: 'pod01.eu-de-01#SSD',
    attachments: options.serverId === undefined ? [] : [{ serverId: asServerId(options.serverId), device: '/dev/vdb' }],
  };
}

/** A CBR disk vault with a daily policy; `capacityGb` defaults to plenty. */
export function vault(
  id: string,
  name: string,
  options: { capacityGb?: number; allocatedGb?: number } = {},
): BackupTarget & { kind: 'vault' } {
  const {
    id: policyId,
    name: policyName,
    kind: _kind,
    resourceCount: _count,
    ...schedule
  } = policy(`${id.slice(0, -4)}beef`, `${name}-policy`);
  return {
    kind: 'vault',
    id: asPolicyId(id),
    name,
    policy: { id: policyId, name: policyName, ...schedule },
    volumeIds: [],
    resourceCount: 0,
    capacityGb: options.capacityGb ?? 10_000,
    allocatedGb: options.allocatedGb ?? 0,
  };
}

export function server(id: string, name: string): Server {
  return { id: asServerId(id), name, status: 'ACTIVE' };
}

/**
 * The cloud in memory: each project's policies, volumes and servers. Every call is counted; an
 * associate adds each volume unless `failures` scripts its outcome, or throws `associateError`.
 */
export class FakeCloud implements BackupBackend, BackupRuns, CloudReads {
  /** The backups the cloud reports (tests add them); `backupNow` records its calls. */
  readonly backups: VolumeBackup[] = [];
  readonly backupNowCalls: { readonly projectId: string; readonly targetId: string }[] = [];
  /** When set, backupNow throws it. */
  backupNowError: Error | undefined;
  /** When set, listBackups throws it. */
  listBackupsError: Error | undefined;

  /** The volumes backupNow says the cloud left out (CBR's skipped_resources). */
  backupNowSkipped: BackupNowStart['skipped'] = [];

  backupNow(project: ProjectRef, targetId: PolicyId): Promise<BackupNowStart> {
    this.read('backupNow', project);
    this.backupNowCalls.push({ projectId: project.id, targetId });
    return this.backupNowError === undefined
      ? Promise.resolve({ skipped: this.backupNowSkipped })
      : Promise.reject(this.backupNowError);
  }

  listBackups(
    project: ProjectRef,
    _targetId: PolicyId,
    volumeIds: readonly VolumeId[],
    since: number,
  ): Promise<readonly VolumeBackup[]> {
    this.read('listBackups', project);
    if (this.listBackupsError !== undefined) return Promise.reject(this.listBackupsError);
    return Promise.resolve(this.backups.filter((b) => volumeIds.includes(b.volumeId) && (b.createdAt ?? 0) >= since));
  }

  lastBackup(project: ProjectRef, volumeId: VolumeId): Promise<VolumeBackup | undefined> {
    this.read('lastBackup', project);
    return Promise.resolve(
      this.backups.filter((b) => b.volumeId === volumeId).sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))[0],
    );
  }

  readonly projects = new Map<string, CloudProject>();
  readonly calls: CloudCall[] = [];
  readonly associateCalls: AssociateCall[] = [];
  /** Vault id -> the volumes in it. */
  private readonly vaults = new Map<string, Set<VolumeId>>();
  /** Every disassociate and move, in order. */
  readonly changeCalls: {
    readonly method: 'disassociate' | 'move';
    readonly from: string;
    readonly to?: string;
    readonly volumeIds: readonly VolumeId[];
  }[] = [];
  /** Per volume: the failure the next associate reports for it (otherwise it is added). */
  readonly failures = new Map<string, Omit<FailedVolume, 'volumeId'>>();
  /** When set, associate throws it (a whole-call failure). */
  associateError: Error | undefined;

  project(id: string): CloudProject {
    let contents = this.projects.get(id);
    if (contents === undefined) {
      contents = { policies: [], volumes: [], servers: [] };
      this.projects.set(id, contents);
    }
    return contents;
  }

  /** How often a method was called (for "refused before any cloud read"). */
  count(method?: CloudMethod): number {
    return method === undefined ? this.calls.length : this.calls.filter((c) => c.method === method).length;
  }

  private read(method: CloudMethod, project: ProjectRef): CloudProject {
    this.calls.push({ method, projectId: project.id });
    return this.project(project.id);
  }

  listTargets(project: ProjectRef): Promise<readonly BackupTarget[]> {
    const { policies } = this.read('listTargets', project);
    // A vault lists the volumes in it now.
    return Promise.resolve(
      policies.map((t) => (t.kind === 'vault' ? { ...t, volumeIds: [...this.vaultVolumes(t.id)] } : t)),
    );
  }

  /** The volumes in a vault now (CBR projects): put there by the seed or by associate and move. */
  vaultVolumes(vaultId: string): Set<VolumeId> {
    let volumes = this.vaults.get(vaultId);
    if (volumes === undefined) {
      volumes = new Set();
      this.vaults.set(vaultId, volumes);
    }
    return volumes;
  }

  /** The vault a volume is in, if any. */
  vaultOf(volumeId: VolumeId): string | undefined {
    return [...this.vaults].find(([, ids]) => ids.has(volumeId))?.[0];
  }

  private isVault(project: ProjectRef, id: PolicyId): boolean {
    return this.project(project.id).policies.some((t) => t.id === id && t.kind === 'vault');
  }

  findVolumesByRef(project: ProjectRef, refs: readonly string[]): Promise<ReadonlyMap<string, readonly Volume[]>> {
    const { volumes } = this.read('findVolumesByRef', project);
    const match = (ref: string) => volumes.filter((v) => (isUuid(ref) ? v.id === ref.toLowerCase() : v.name === ref));
    return Promise.resolve(new Map(refs.map((ref) => [ref, match(ref)] as const)));
  }

  listAllVolumes(project: ProjectRef, filters: VolumeFilters): Promise<readonly Volume[]> {
    const { volumes } = this.read('listAllVolumes', project);
    return Promise.resolve(
      volumes.filter(
        (v) =>
          (filters.name === undefined || v.name === filters.name) &&
          (filters.status === undefined || v.status === filters.status) &&
          (filters.serverId === undefined || v.attachments.some((a) => a.serverId === filters.serverId)),
      ),
    );
  }

  findServersByRef(project: ProjectRef, ref: string): Promise<readonly Server[]> {
    const { servers } = this.read('findServersByRef', project);
    return Promise.resolve(servers.filter((s) => (isUuid(ref) ? s.id === ref.toLowerCase() : s.name === ref)));
  }

  listServers(project: ProjectRef): Promise<readonly Server[]> {
    return Promise.resolve([...this.read('listServers', project).servers]);
  }

  async associate(
    project: ProjectRef,
    policyId: PolicyId,
    volumeIds: readonly VolumeId[],
    options?: AssociateOptions,
  ): Promise<AssociationResult> {
    const { volumes } = this.read('associate', project);
    this.associateCalls.push({ projectId: project.id, policyId, volumeIds: [...volumeIds] });
    if (this.associateError !== undefined) throw this.associateError;
    const vault = this.isVault(project, policyId);
    // As CBR's backend does: the volumes not in the vault are said to be sent before the call.
    const toSend = vault ? volumeIds.filter((id) => this.vaultOf(id) !== policyId) : volumeIds;
    if (vault && toSend.length > 0) await options?.onSending?.({ index: 0, volumeIds: [...toSend] });
    // As runChunked does: a signal that fired while that was written sends nothing.
    if (options?.signal?.aborted) return { added: [], failed: failNotSent(volumeIds), chunks: [] };
    // On CBR a volume in another vault is refused (6103), as the real service does.
    const elsewhere = (id: VolumeId) => vault && this.vaultOf(id) !== undefined && this.vaultOf(id) !== policyId;
    const failed = volumeIds.flatMap((id) => {
      const failure =
        this.failures.get(id) ??
        (elsewhere(id) ? { code: 'BackupService.6103', message: 'already in another vault' } : undefined);
      return failure === undefined ? [] : [{ volumeId: id, ...failure }];
    });
    const added = volumeIds
      .filter((id) => !this.failures.has(id) && !elsewhere(id))
      .map((id) => {
        const already = vault && this.vaultOf(id) === policyId;
        if (vault) this.vaultVolumes(policyId).add(id);
        return {
          volumeId: id,
          availabilityZone: volumes.find((v) => v.id === id)?.availabilityZone,
          pod: vault ? undefined : 'pod01.eu-de-01',
          ...(already && { already: true }),
        };
      });
    const chunk = {
      index: 0,
      volumeIds: [...volumeIds],
      attempts: 1,
      added: added.length,
      failed: failed.length,
    };
    // As the real client does: each call is reported as it returns, before the result is merged.
    await options?.onChunk?.(chunk);
    return { added, failed, chunks: [chunk] };
  }

  move(
    project: ProjectRef,
    fromId: PolicyId,
    toId: PolicyId,
    volumeIds: readonly VolumeId[],
  ): Promise<AssociationResult> {
    this.read('move', project);
    this.changeCalls.push({ method: 'move', from: fromId, to: toId, volumeIds: [...volumeIds] });
    for (const id of volumeIds) {
      this.vaultVolumes(fromId).delete(id);
      this.vaultVolumes(toId).add(id);
    }
    return Promise.resolve({
      added: volumeIds.map((volumeId) => ({
        volumeId,
        availabilityZone: undefined,
        pod: undefined,
        movedFrom: fromId,
      })),
      failed: [],
      chunks: [],
    });
  }

  disassociate(project: ProjectRef, policyId: PolicyId, volumeIds: readonly VolumeId[]): Promise<AssociationResult> {
    this.read('disassociate', project);
    this.changeCalls.push({ method: 'disassociate', from: policyId, volumeIds: [...volumeIds] });
    const vault = this.isVault(project, policyId);
    return Promise.resolve({
      added: volumeIds.map((volumeId) => {
        const there = vault ? this.vaultVolumes(policyId).delete(volumeId) : true;
        return { volumeId, availabilityZone: undefined, pod: undefined, ...(!there && { already: true }) };
      }),
      failed: [],
      chunks: [],
    });
  }
}
