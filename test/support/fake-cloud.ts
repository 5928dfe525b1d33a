import type { PolicyId, VolumeId } from '../../src/domain/ids';
import { asPolicyId, asServerId, asVolumeId, isUuid } from '../../src/domain/ids';
import type { BackupBackend, CloudReads } from '../../src/flow/ports';
import type {
  AssociateOptions,
  AssociationResult,
  BackupTarget,
  FailedVolume,
  ProjectRef,
  Server,
  Volume,
  VolumeFilters,
} from '../../src/otc/types';

/** What one project of the fake cloud holds. */
export interface CloudProject {
  policies: BackupTarget[];
  volumes: Volume[];
  servers: Server[];
}

export type CloudMethod = keyof (BackupBackend & CloudReads);

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

export function server(id: string, name: string): Server {
  return { id: asServerId(id), name, status: 'ACTIVE' };
}

/**
 * The cloud in memory: each project's policies, volumes and servers. Every call is counted; an
 * associate adds each volume unless `failures` scripts its outcome, or throws `associateError`.
 */
export class FakeCloud implements BackupBackend, CloudReads {
  readonly projects = new Map<string, CloudProject>();
  readonly calls: CloudCall[] = [];
  readonly associateCalls: AssociateCall[] = [];
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
    return Promise.resolve([...this.read('listTargets', project).policies]);
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
    const failed = volumeIds.flatMap((id) => {
      const failure = this.failures.get(id);
      return failure === undefined ? [] : [{ volumeId: id, ...failure }];
    });
    const added = volumeIds
      .filter((id) => !this.failures.has(id))
      .map((id) => ({
        volumeId: id,
        availabilityZone: volumes.find((v) => v.id === id)?.availabilityZone,
        pod: 'pod01.eu-de-01',
      }));
    const chunk = { index: 0, volumeIds: [...volumeIds], attempts: 1, added: added.length, failed: failed.length };
    // As the real client does: each call is reported as it returns, before the result is merged.
    await options?.onChunk?.(chunk);
    return { added, failed, chunks: [chunk] };
  }

  move(
    project: ProjectRef,
    fromId: PolicyId,
    _toId: PolicyId,
    volumeIds: readonly VolumeId[],
  ): Promise<AssociationResult> {
    this.read('move', project);
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

  disassociate(project: ProjectRef, _policyId: PolicyId, volumeIds: readonly VolumeId[]): Promise<AssociationResult> {
    this.read('disassociate', project);
    return Promise.resolve({
      added: volumeIds.map((volumeId) => ({ volumeId, availabilityZone: undefined, pod: undefined })),
      failed: [],
      chunks: [],
    });
  }
}
