import type { Reply, SandboxContext, SandboxRequest } from './http-util';
import {
  handleCreateCheckpoint,
  handleListCbrBackups,
  handleShowCbrBackup,
  handleShowCheckpoint,
} from './cbr-backup-routes';
import { handleAddResources, handleMigrateResources, handleRemoveResources } from './cbr-resource-routes';
import { handleListCbrPolicies, handleListVaults, handleShowVault } from './cbr-routes';
import { handleGetServer, handleListServers } from './ecs-routes';
import { handleGetVolume, handleListVolumes } from './evs-routes';
import { handleIssueToken } from './iam-routes';
import type { SandboxRoute } from './types';
import { handleAssociate, handleDisassociate, handleListPolicies } from './vbs-routes';
import {
  handleExecutePolicy,
  handleListBackupTasks,
  handleListVbsBackups,
  handleShowVbsBackup,
} from './vbs-backup-routes';

export interface RouteDef {
  readonly name: SandboxRoute;
  readonly method: 'GET' | 'POST';
  readonly pattern: RegExp;
  readonly params: readonly string[];
  /** Which service answers; IAM needs no prior auth, VBS, EVS, ECS and CBR do (with their own error bodies). */
  readonly service: 'iam' | 'vbs' | 'evs' | 'ecs' | 'cbr';
  readonly handle: (ctx: SandboxContext, req: SandboxRequest) => Reply;
}

/**
 * IAM lives under /v3/auth, CBR under /v3/{project_id} (vaults, policies, checkpoints, backups), VBS and
 * EVS under /v2/{project_id}, ECS under /v2.1/{project_id}: the paths never collide.
 */
export const ROUTES: readonly RouteDef[] = [
  route('iam.tokens', 'POST', /^\/v3\/auth\/tokens$/, [], 'iam', handleIssueToken),
  route('vbs.policies.list', 'GET', /^\/v2\/([^/]+)\/backuppolicy$/, ['projectId'], 'vbs', handleListPolicies),
  route('vbs.associate', 'POST', /^\/v2\/([^/]+)\/backuppolicyresources$/, ['projectId'], 'vbs', handleAssociate),
  route(
    'vbs.disassociate',
    'POST',
    /^\/v2\/([^/]+)\/backuppolicyresources\/([^/]+)\/deleted_resources$/,
    ['projectId', 'policyId'],
    'vbs',
    handleDisassociate,
  ),
  route(
    'vbs.execute',
    'POST',
    /^\/v2\/([^/]+)\/backuppolicy\/([^/]+)\/action$/,
    ['projectId', 'policyId'],
    'vbs',
    handleExecutePolicy,
  ),
  route(
    'vbs.backup_tasks',
    'GET',
    /^\/v2\/([^/]+)\/backuppolicy\/([^/]+)\/backuptasks$/,
    ['projectId', 'policyId'],
    'vbs',
    handleListBackupTasks,
  ),
  route('vbs.backups', 'GET', /^\/v2\/([^/]+)\/backups\/detail$/, ['projectId'], 'vbs', handleListVbsBackups),
  // `backups/detail` is the list above, not a backup id.
  route(
    'vbs.show_backup',
    'GET',
    /^\/v2\/([^/]+)\/backups\/(?!detail$)([^/]+)$/,
    ['projectId', 'backupId'],
    'vbs',
    handleShowVbsBackup,
  ),
  route('evs.volumes.detail', 'GET', /^\/v2\/([^/]+)\/cloudvolumes\/detail$/, ['projectId'], 'evs', handleListVolumes),
  route(
    'evs.volume.get',
    'GET',
    /^\/v2\/([^/]+)\/volumes\/([^/]+)$/,
    ['projectId', 'volumeId'],
    'evs',
    handleGetVolume,
  ),
  route('ecs.servers.list', 'GET', /^\/v2\.1\/([^/]+)\/servers$/, ['projectId'], 'ecs', handleListServers),
  // `servers/detail` is Nova's detailed list, which the sandbox does not serve: not a server id.
  route(
    'ecs.server.get',
    'GET',
    /^\/v2\.1\/([^/]+)\/servers\/(?!detail$)([^/]+)$/,
    ['projectId', 'serverId'],
    'ecs',
    handleGetServer,
  ),
  route('cbr.list_vaults', 'GET', /^\/v3\/([^/]+)\/vaults$/, ['projectId'], 'cbr', handleListVaults),
  route('cbr.show_vault', 'GET', /^\/v3\/([^/]+)\/vaults\/([^/]+)$/, ['projectId', 'vaultId'], 'cbr', handleShowVault),
  route('cbr.list_policies', 'GET', /^\/v3\/([^/]+)\/policies$/, ['projectId'], 'cbr', handleListCbrPolicies),
  route(
    'cbr.add',
    'POST',
    /^\/v3\/([^/]+)\/vaults\/([^/]+)\/addresources$/,
    ['projectId', 'vaultId'],
    'cbr',
    handleAddResources,
  ),
  route(
    'cbr.remove',
    'POST',
    /^\/v3\/([^/]+)\/vaults\/([^/]+)\/removeresources$/,
    ['projectId', 'vaultId'],
    'cbr',
    handleRemoveResources,
  ),
  route(
    'cbr.migrate',
    'POST',
    /^\/v3\/([^/]+)\/vaults\/([^/]+)\/migrateresources$/,
    ['projectId', 'vaultId'],
    'cbr',
    handleMigrateResources,
  ),
  route('cbr.checkpoint', 'POST', /^\/v3\/([^/]+)\/checkpoints$/, ['projectId'], 'cbr', handleCreateCheckpoint),
  route(
    'cbr.show_checkpoint',
    'GET',
    /^\/v3\/([^/]+)\/checkpoints\/([^/]+)$/,
    ['projectId', 'checkpointId'],
    'cbr',
    handleShowCheckpoint,
  ),
  route('cbr.list_backups', 'GET', /^\/v3\/([^/]+)\/backups$/, ['projectId'], 'cbr', handleListCbrBackups),
  route(
    'cbr.show_backup',
    'GET',
    /^\/v3\/([^/]+)\/backups\/([^/]+)$/,
    ['projectId', 'backupId'],
    'cbr',
    handleShowCbrBackup,
  ),
];

function route(
  name: SandboxRoute,
  method: RouteDef['method'],
  pattern: RegExp,
  params: readonly string[],
  service: RouteDef['service'],
  handle: RouteDef['handle'],
): RouteDef {
  return { name, method, pattern, params, service, handle };
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: RouteDef; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'wrong-method'; readonly allowed: readonly string[] }
  | { readonly kind: 'none' };

export function matchRoute(method: string, rawPath: string): RouteMatch {
  const allowed: string[] = [];
  for (const def of ROUTES) {
    const m = def.pattern.exec(rawPath);
    if (m === null) continue;
    if (def.method !== method.toUpperCase()) {
      allowed.push(def.method);
      continue;
    }
    const params: Record<string, string> = {};
    def.params.forEach((name, index) => (params[name] = safeDecode(m[index + 1] ?? '')));
    return { kind: 'found', route: def, params };
  }
  return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'none' };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
