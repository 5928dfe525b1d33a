import type { PolicyId, VolumeId } from '../domain/ids';
import type { RequestAuthorizer } from './auth';
import {
  addResourcesBodySchema,
  CBR_VOLUME_TYPE,
  migrateResourcesBodySchema,
  policyListBodySchema,
  removeResourcesBodySchema,
  vaultGetBodySchema,
  vaultListBodySchema,
} from './cbr-schemas';
import type { PolicyBody, VaultBody } from './cbr-schemas';
import { buildUrl, resolveEndpoint } from './endpoints';
import type { QueryPairs } from './endpoints';
import type { CallSpec, HttpCore } from './http';
import type { ProjectRef } from './types';

/** The vault list's documented maximum `limit`; a larger page size is cut to it. */
export const CBR_MAX_VAULT_PAGE_SIZE = 1000;
/** Vaults per page of the vault list unless configured. */
export const DEFAULT_VAULT_PAGE_SIZE = 100;
/** Stops a cloud that ignores `offset` from paging forever. */
const MAX_PAGES = 1000;

/** How the CBR calls page. */
export interface CbrOptions {
  /** Vaults per page of the vault list (cut to 1000). */
  readonly vaultPageSize: number;
}

/** The CBR v3 calls the bot makes, under `{cbr}/v3/{project_id}`. The resource calls resolve to the sends they took. */
export interface CbrApi {
  /** Every vault of the project, paged by offset. */
  listVaults(project: ProjectRef): Promise<VaultBody[]>;
  getVault(project: ProjectRef, vaultId: PolicyId, signal?: AbortSignal): Promise<VaultBody>;
  /** The project's backup policies (replication policies are not asked for). */
  listBackupPolicies(project: ProjectRef): Promise<PolicyBody[]>;
  addVolumes(
    project: ProjectRef,
    vaultId: PolicyId,
    volumeIds: readonly VolumeId[],
    signal?: AbortSignal,
  ): Promise<number>;
  removeVolumes(
    project: ProjectRef,
    vaultId: PolicyId,
    volumeIds: readonly VolumeId[],
    signal?: AbortSignal,
  ): Promise<number>;
  /** Moves volumes, with their backups, from one vault to another. */
  migrateVolumes(
    project: ProjectRef,
    fromId: PolicyId,
    toId: PolicyId,
    volumeIds: readonly VolumeId[],
    signal?: AbortSignal,
  ): Promise<number>;
}

/**
 * Creates the CBR calls. The three resource calls are all-or-nothing in CBR: one refused resource
 * refuses the whole call (all-or-nothing.ts finds out which). The core resends them after no answer
 * or a 5xx like every call, but unlike in VBS a resend of a call that was done in fact may be
 * refused (its resources are where the first send put them): cbr-backend.ts reads the vault to tell.
 */
export function createCbrApi(
  http: HttpCore,
  cbrTemplate: string,
  authorizer: RequestAuthorizer,
  options: CbrOptions,
): CbrApi {
  const pageSize = Math.min(options.vaultPageSize, CBR_MAX_VAULT_PAGE_SIZE);
  const url = (project: ProjectRef, segments: readonly string[], query?: QueryPairs): URL =>
    buildUrl(resolveEndpoint(cbrTemplate, project.region), ['v3', project.id, ...segments], query);
  const call = async <T>(project: ProjectRef, spec: Omit<CallSpec<T>, 'auth'>) =>
    http.call({ ...spec, auth: { authorizer, project } });
  const post = async <T>(
    project: ProjectRef,
    segments: readonly string[],
    body: unknown,
    schema: CallSpec<T>['schema'],
    signal: AbortSignal | undefined,
  ): Promise<number> =>
    (await call(project, { method: 'POST', url: url(project, segments), body, schema, signal })).attempts;

  return {
    /**
     * Follows `offset` until `count` vaults are read; without a count, until a page is shorter than
     * asked. An empty page, or one with nothing new (a cloud that ignores `offset`), ends it too.
     */
    async listVaults(project) {
      const seen = new Map<string, VaultBody>();
      let read = 0;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const query: QueryPairs = [
          ['limit', String(pageSize)],
          ['offset', String(read)],
        ];
        const result = await call(project, {
          method: 'GET',
          url: url(project, ['vaults'], query),
          schema: vaultListBodySchema,
        });
        const { vaults, count } = result.value;
        const fresh = vaults.filter((v) => !seen.has(v.id));
        for (const v of vaults) seen.set(v.id, v);
        read += vaults.length;
        const more = count === undefined || count === null ? vaults.length >= pageSize : read < count;
        if (fresh.length === 0 || vaults.length < pageSize || !more) break;
      }
      return [...seen.values()];
    },

    async getVault(project, vaultId, signal) {
      const result = await call(project, {
        method: 'GET',
        url: url(project, ['vaults', vaultId]),
        schema: vaultGetBodySchema,
        signal,
      });
      return result.value.vault;
    },

    async listBackupPolicies(project) {
      const result = await call(project, {
        method: 'GET',
        url: url(project, ['policies'], [['operation_type', 'backup']]),
        schema: policyListBodySchema,
      });
      return result.value.policies;
    },

    addVolumes: (project, vaultId, volumeIds, signal) =>
      post(
        project,
        ['vaults', vaultId, 'addresources'],
        { resources: volumeIds.map((id) => ({ id, type: CBR_VOLUME_TYPE })) },
        addResourcesBodySchema,
        signal,
      ),

    removeVolumes: (project, vaultId, volumeIds, signal) =>
      post(
        project,
        ['vaults', vaultId, 'removeresources'],
        { resource_ids: volumeIds },
        removeResourcesBodySchema,
        signal,
      ),

    migrateVolumes: (project, fromId, toId, volumeIds, signal) =>
      post(
        project,
        ['vaults', fromId, 'migrateresources'],
        { resource_ids: volumeIds, destination_vault_id: toId },
        migrateResourcesBodySchema,
        signal,
      ),
  };
}
