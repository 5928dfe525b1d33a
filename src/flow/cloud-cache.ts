import type { BackupTarget, ProjectRef, Server, Volume, VolumeFilters } from '../otc/types';
import { KeptPromises } from './kept-promises';
import type { Clock, CloudReads } from './ports';

/** The modal's look-ups: answered from a short-lived copy of a project's volumes and policies. */
export const CLOUD_CACHE_TTL_MS = 60_000;
/** Slack shows at most 100 options; a longer query than this is not a name anyone types. */
export const MAX_OPTIONS = 100;
export const MAX_QUERY_LENGTH = 100;

/**
 * Caches each project's policy list and full volume list for a minute (one EVS listing, paged,
 * shared by concurrent callers) and filters in memory, so type-ahead over thousands of volumes
 * answers at once and never costs a cloud call per keystroke. Implements the same reads as the
 * live client, so the form's preview runs the very checks a request runs (the submit then
 * re-checks against the live cloud).
 */
export class CloudCache implements CloudReads {
  private readonly volumes: KeptPromises<readonly Volume[]>;
  private readonly policies: KeptPromises<readonly BackupTarget[]>;
  private readonly servers: KeptPromises<readonly Server[]>;

  constructor(
    private readonly cloud: CloudReads,
    clock: Clock,
    ttlMs = CLOUD_CACHE_TTL_MS,
  ) {
    this.volumes = new KeptPromises(clock, ttlMs);
    this.policies = new KeptPromises(clock, ttlMs);
    this.servers = new KeptPromises(clock, ttlMs);
  }

  private allVolumes(project: ProjectRef): Promise<readonly Volume[]> {
    return this.volumes.get(project.id, () => this.cloud.listAllVolumes(project, {}));
  }

  listTargets(project: ProjectRef): Promise<readonly BackupTarget[]> {
    return this.policies.get(project.id, () => this.cloud.listTargets(project));
  }

  async listAllVolumes(project: ProjectRef, filters: VolumeFilters): Promise<readonly Volume[]> {
    return (await this.allVolumes(project)).filter(
      (v) =>
        (filters.name === undefined || v.name === filters.name) &&
        (filters.status === undefined || v.status === filters.status) &&
        (filters.availabilityZone === undefined || v.availabilityZone === filters.availabilityZone) &&
        (filters.serverId === undefined || v.attachments.some((a) => a.serverId === filters.serverId)),
    );
  }

  async findVolumesByRef(
    project: ProjectRef,
    refs: readonly string[],
  ): Promise<ReadonlyMap<string, readonly Volume[]>> {
    const all = await this.allVolumes(project);
    return new Map(refs.map((ref) => [ref, all.filter((v) => v.id === ref.toLowerCase() || v.name === ref)] as const));
  }

  /** From the copy of the project's server list: an id, or an exact name. */
  async findServersByRef(project: ProjectRef, ref: string): Promise<readonly Server[]> {
    const servers = await this.listServers(project);
    return servers.filter((s) => s.id === ref.toLowerCase() || s.name === ref);
  }

  listServers(project: ProjectRef): Promise<readonly Server[]> {
    return this.servers.get(project.id, () => this.cloud.listServers(project));
  }

  /**
   * Reads for a submit: the policies, the picked volumes and the server come from the cloud
   * itself (a policy deleted a moment ago is noticed); only a server's volume list comes from
   * the copy, and the associate call itself fails any volume that vanished since.
   */
  forSubmit(): CloudReads {
    return {
      listTargets: (p) => this.cloud.listTargets(p),
      findVolumesByRef: (p, refs) => this.cloud.findVolumesByRef(p, refs),
      findServersByRef: (p, ref) => this.cloud.findServersByRef(p, ref),
      listServers: (p) => this.listServers(p),
      listAllVolumes: (p, filters) => this.listAllVolumes(p, filters),
    };
  }

  /** Type-ahead: exact name first, then names starting with the query, then containing it, then id prefixes. */
  async searchVolumes(project: ProjectRef, query: string, limit = MAX_OPTIONS): Promise<readonly Volume[]> {
    const q = query.trim().toLowerCase();
    if (q.length > MAX_QUERY_LENGTH) return [];
    const all = await this.allVolumes(project);
    if (q === '') return [...all].sort((a, b) => a.name.localeCompare(b.name)).slice(0, limit);
    const rank = (v: Volume): number => {
      const name = v.name.toLowerCase();
      if (name === q) return 0;
      if (name.startsWith(q)) return 1;
      if (name.includes(q)) return 2;
      return v.id.startsWith(q) ? 3 : 4;
    };
    return all
      .map((v) => [rank(v), v] as const)
      .filter(([r]) => r < 4)
      .sort(([ra, a], [rb, b]) => ra - rb || a.name.localeCompare(b.name))
      .slice(0, limit)
      .map(([, v]) => v);
  }
}
