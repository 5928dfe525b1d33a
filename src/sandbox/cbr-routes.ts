import { cbrBadRequest, cbrError, unknownVault } from './cbr-codes';
import type { SandboxVault } from './cbr-model';
import { VAULT_OBJECT_TYPES } from './cbr-model';
import { renderPolicy, renderVault } from './cbr-view';
import type { Reply, SandboxContext, SandboxRequest } from './http-util';
import { reply } from './http-util';
import { deriveUuid } from './seed';

/** The CBR docs bound `limit` to 1..1000; it defaults to 1000. */
export const CBR_MAX_LIMIT = 1000;

function parseCount(query: URLSearchParams, key: string, fallback: number): number | Reply {
  const text = query.get(key);
  if (text === null) return fallback;
  if (!/^\d+$/.test(text)) return cbrBadRequest(`${key} must be a non-negative integer, got '${text}'.`);
  return Number(text);
}

/** The filters of `GET /vaults` the sandbox knows; each is exact. `object_type` was checked before. */
const FILTERS: ReadonlyArray<
  readonly [string, (ctx: SandboxContext, projectId: string, v: SandboxVault, wanted: string) => boolean]
> = [
  ['object_type', (_ctx, _p, v, wanted) => v.objectType === wanted],
  ['name', (_ctx, _p, v, wanted) => v.name === wanted],
  ['id', (_ctx, _p, v, wanted) => v.id === wanted.toLowerCase()],
  ['policy_id', (_ctx, _p, v, wanted) => v.policyId === wanted],
  // Comma-separated: the vaults that hold any of the resources.
  [
    'resource_ids',
    (ctx, projectId, v, wanted) =>
      wanted.split(',').some((id) => ctx.state.cbr.vaultOfVolume(projectId, id.trim()) === v.id),
  ],
];

/**
 * `GET /v3/{project_id}/vaults`: filters `object_type` (`disk`, `server`), `resource_ids`, `name`, `id`,
 * `policy_id`; paging by `limit` (1..1000, default 1000) and `offset` (default 0; below the count when
 * any vault matches, else 400, as EVS does). `count` is the number of vaults matching the filters,
 * whatever the page. Creation order.
 */
export function handleListVaults(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const limit = parseCount(req.query, 'limit', CBR_MAX_LIMIT);
  if (typeof limit !== 'number') return limit;
  if (limit < 1 || limit > CBR_MAX_LIMIT) return cbrBadRequest(`limit must be from 1 to ${CBR_MAX_LIMIT}.`);
  const offset = parseCount(req.query, 'offset', 0);
  if (typeof offset !== 'number') return offset;
  const objectType = req.query.get('object_type');
  if (objectType !== null && !VAULT_OBJECT_TYPES.some((t) => t === objectType)) {
    return cbrBadRequest(`object_type must be ${VAULT_OBJECT_TYPES.join(' or ')}, got '${objectType}'.`);
  }

  let matching = ctx.state.cbr.listVaults(projectId);
  for (const [key, test] of FILTERS) {
    const wanted = req.query.get(key);
    if (wanted !== null) matching = matching.filter((v) => test(ctx, projectId, v, wanted));
  }
  if (matching.length > 0 && offset >= matching.length) {
    return cbrBadRequest(`offset ${offset} must be less than the number of vaults (${matching.length}).`);
  }
  const page = matching.slice(offset, offset + limit);
  return reply(200, {
    vaults: page.map((v) => renderVault(ctx, projectId, v)),
    count: matching.length,
    limit,
    offset,
  });
}

/** `GET /v3/{project_id}/vaults/{vault_id}`; an unknown vault is 404. */
export function handleShowVault(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const vault = ctx.state.cbr.getVault(projectId, req.params.vaultId ?? '');
  if (vault === undefined) return unknownVault();
  return reply(200, { vault: renderVault(ctx, projectId, vault) });
}

/**
 * `GET /v3/{project_id}/policies`: `operation_type` (`backup`, or `replication`, of which the sandbox
 * has none; anything else is 400 BackupService.6117, the table's "Unknown policy type") and `vault_id`
 * (the policies applied to that vault; none for an unknown vault). Creation order; `count` is the total.
 */
export function handleListCbrPolicies(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const operationType = req.query.get('operation_type');
  if (operationType !== null && operationType !== 'backup' && operationType !== 'replication') {
    return cbrError(400, 'BackupService.6117', `Unknown policy type: '${operationType}'.`);
  }
  let policies = operationType === 'replication' ? [] : ctx.state.cbr.listPolicies(projectId);
  const vaultId = req.query.get('vault_id');
  if (vaultId !== null) {
    const policyId = ctx.state.cbr.getVault(projectId, vaultId)?.policyId;
    policies = policies.filter((p) => p.id === policyId);
  }
  return reply(200, {
    policies: policies.map((p) => renderPolicy(ctx, projectId, p, deriveUuid(projectId, `cbr-trigger/${p.id}`))),
    count: policies.length,
  });
}
