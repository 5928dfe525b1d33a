import type { Dispatcher } from 'undici';
import { DEFAULT_CHUNK_CONCURRENCY, DEFAULT_CHUNK_SIZE } from './associate';
import { createAkSkAuthorizer, createTokenAuthorizer } from './auth';
import type { OtcCredentials, RequestAuthorizer } from './auth';
import { createCbrApi, DEFAULT_VAULT_PAGE_SIZE } from './cbr';
import { createCbrBackend } from './cbr-backend';
import { createCbrRuns } from './cbr-runs';
import { DEFAULT_BACKUP_PAGE_SIZE } from './backup-paging';
import { createEcsApi, DEFAULT_SERVER_PAGE_SIZE } from './ecs';
import { resolveEndpointTemplates } from './endpoints';
import { createEvsApi, DEFAULT_LOOKUP_CONCURRENCY, DEFAULT_VOLUME_PAGE_SIZE } from './evs';
import { createHttpCore, DEFAULT_RESPONSE_TIMEOUT_MS } from './http';
import type { CloudCall, HttpCore } from './http';
import { createTokenIssuer } from './iam';
import { resolveRetryPolicy } from './retry-policy';
import type { RetryPolicy } from './retry-policy';
import type { Clock, Sleeper } from '../domain/clock';
import { SILENT_LOGGER } from '../log/fields';
import { SYSTEM_CLOCK } from './runtime';
import type { OtcLogger } from './runtime';
import { createTokenCache } from './token-cache';
import type { BackupBackend, BackupRuns, BackupService, ProjectRef, ServerDirectory, VolumeDirectory } from './types';
import { createVbsApi } from './vbs';
import { createVbsBackend } from './vbs-backend';
import { createVbsRuns } from './vbs-runs';

export interface OtcClientOptions {
  readonly credentials: OtcCredentials;
  /** IAM v3 base template, default `https://iam.{region}.otc.t-systems.com/v3`. */
  readonly authUrl?: string | undefined;
  /** Service base templates with `{region}`; defaults are OTC's public endpoints. */
  readonly endpoints?:
    | {
        readonly vbs?: string | undefined;
        readonly evs?: string | undefined;
        /** Default `https://ecs.{region}.otc.t-systems.com` (Huawei Cloud: `https://ecs.{region}.myhuaweicloud.com`). */
        readonly ecs?: string | undefined;
        /** Default `https://cbr.{region}.otc.t-systems.com`: for projects whose `service` is `cbr`. */
        readonly cbr?: string | undefined;
      }
    | undefined;
  /** undici Agent from createOtcDispatcher in production, a MockAgent in tests. */
  readonly dispatcher: Dispatcher;
  readonly retry?: Partial<RetryPolicy> | undefined;
  /** Response timeout (headers and body, each) per send; default 30 s. */
  readonly timeouts?: { readonly responseMs?: number | undefined } | undefined;
  /** Defaults for associate/disassociate/move: 20 volumes per call (CBR: at most 256), 2 calls at once. */
  readonly associate?:
    { readonly chunkSize?: number | undefined; readonly concurrency?: number | undefined } | undefined;
  /** EVS paging (default 1000 per page) and parallel look-ups in findVolumesByRef (default 4). */
  readonly volumes?:
    { readonly pageSize?: number | undefined; readonly lookupConcurrency?: number | undefined } | undefined;
  /** ECS server list paging (default 1000 per page, Nova's usual maximum). */
  readonly servers?: { readonly pageSize?: number | undefined } | undefined;
  /** CBR vault list paging (default 100 per page; at most 1000, the API's maximum). */
  readonly vaults?: { readonly pageSize?: number | undefined } | undefined;
  /** Backup list paging: VBS backup tasks and CBR backups (default 100 per page; CBR: at most 1000). */
  readonly backups?: { readonly pageSize?: number | undefined } | undefined;
  /** Refresh IAM tokens this long before they expire (default 10 minutes). */
  readonly token?: { readonly refreshAheadMs?: number | undefined } | undefined;
  readonly clock?: (Clock & Sleeper) | undefined;
  /** In [0, 1), for retry jitter; default Math.random. */
  readonly random?: (() => number) | undefined;
  readonly logger?: OtcLogger | undefined;
  /** Told of every send (operation, status, duration): the bot's metrics. */
  readonly onCall?: ((call: CloudCall) => void) | undefined;
}

export interface OtcClient extends BackupBackend, BackupRuns, VolumeDirectory, ServerDirectory {
  /** How requests are authenticated: IAM token (password credentials) or AK/SK signature. */
  readonly authKind: 'token' | 'aksk';
}

/**
 * Builds the VBS + CBR + EVS + ECS client. Each backup call (BackupBackend and BackupRuns) goes to
 * the project's service (`project.service`; VBS when absent). Throws TypeError/RangeError on bad
 * options (names the option, never a value).
 */
export function createOtcClient(options: OtcClientOptions): OtcClient {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const endpoints = resolveEndpointTemplates({
    iam: options.authUrl,
    vbs: options.endpoints?.vbs,
    evs: options.endpoints?.evs,
    ecs: options.endpoints?.ecs,
    cbr: options.endpoints?.cbr,
  });
  const responseTimeoutMs = options.timeouts?.responseMs ?? DEFAULT_RESPONSE_TIMEOUT_MS;
  checkPositive('timeouts.responseMs', responseTimeoutMs);
  const http = createHttpCore({
    dispatcher: options.dispatcher,
    retry: resolveRetryPolicy(options.retry, responseTimeoutMs),
    responseTimeoutMs,
    clock,
    random: options.random ?? Math.random,
    logger: options.logger ?? SILENT_LOGGER,
    onCall: options.onCall,
  });
  const authorizer = createAuthorizer(options, http, endpoints.iam, clock);
  const volumes = {
    pageSize: options.volumes?.pageSize ?? DEFAULT_VOLUME_PAGE_SIZE,
    lookupConcurrency: options.volumes?.lookupConcurrency ?? DEFAULT_LOOKUP_CONCURRENCY,
  };
  checkPositive('volumes.pageSize', volumes.pageSize, true);
  checkPositive('volumes.lookupConcurrency', volumes.lookupConcurrency, true);
  const evs = createEvsApi(http, endpoints.evs, authorizer, volumes);
  const serverPageSize = options.servers?.pageSize ?? DEFAULT_SERVER_PAGE_SIZE;
  checkPositive('servers.pageSize', serverPageSize, true);
  const ecs = createEcsApi(http, endpoints.ecs, authorizer, { pageSize: serverPageSize });
  const vaultPageSize = options.vaults?.pageSize ?? DEFAULT_VAULT_PAGE_SIZE;
  checkPositive('vaults.pageSize', vaultPageSize, true);
  const defaults = {
    chunkSize: options.associate?.chunkSize ?? DEFAULT_CHUNK_SIZE,
    concurrency: options.associate?.concurrency ?? DEFAULT_CHUNK_CONCURRENCY,
  };
  checkPositive('associate.chunkSize', defaults.chunkSize, true);
  checkPositive('associate.concurrency', defaults.concurrency, true);
  const backend = perService<BackupBackend>({
    vbs: createVbsBackend(createVbsApi(http, endpoints.vbs, authorizer), defaults),
    cbr: createCbrBackend(createCbrApi(http, endpoints.cbr, authorizer, { vaultPageSize }), defaults),
  });
  const backupPageSize = options.backups?.pageSize ?? DEFAULT_BACKUP_PAGE_SIZE;
  checkPositive('backups.pageSize', backupPageSize, true);
  const runs = perService<BackupRuns>({
    vbs: createVbsRuns(http, endpoints.vbs, authorizer, { pageSize: backupPageSize }),
    cbr: createCbrRuns(http, endpoints.cbr, authorizer, { pageSize: backupPageSize, clock }),
  });

  return {
    authKind: authorizer.kind,
    listTargets: (project) => backend(project).listTargets(project),
    associate: (project, policyId, volumeIds, callOptions) =>
      backend(project).associate(project, policyId, volumeIds, callOptions),
    disassociate: (project, policyId, volumeIds, callOptions) =>
      backend(project).disassociate(project, policyId, volumeIds, callOptions),
    move: (project, fromId, toId, volumeIds, callOptions) =>
      backend(project).move(project, fromId, toId, volumeIds, callOptions),
    backupNow: (project, targetId) => runs(project).backupNow(project, targetId),
    listBackups: (project, targetId, volumeIds, since) =>
      runs(project).listBackups(project, targetId, volumeIds, since),
    lastBackup: (project, volumeId) => runs(project).lastBackup(project, volumeId),
    getVolume: (project, id) => evs.getVolume(project, id),
    listVolumes: (project, filters, page) => evs.listVolumes(project, filters, page),
    listAllVolumes: (project, filters) => evs.listAllVolumes(project, filters),
    findVolumesByRef: (project, refs) => evs.findVolumesByRef(project, refs),
    findServersByRef: (project, ref) => ecs.findServersByRef(project, ref),
    listServers: (project) => ecs.listServers(project),
  };
}

/** The implementation for a project's backup service; a project that names none is a VBS project. */
function perService<T>(implementations: Readonly<Record<BackupService, T>>): (project: ProjectRef) => T {
  return (project) => implementations[project.service ?? 'vbs'];
}

function createAuthorizer(
  options: OtcClientOptions,
  http: HttpCore,
  iamTemplate: string,
  clock: Clock & Sleeper,
): RequestAuthorizer {
  const credentials = options.credentials;
  if (credentials.kind === 'aksk') {
    checkFilled('credentials.accessKey', credentials.accessKey);
    checkFilled('credentials.secretKey', credentials.secretKey);
    return createAkSkAuthorizer({ accessKey: credentials.accessKey, secretKey: credentials.secretKey }, clock);
  }
  checkFilled('credentials.username', credentials.username);
  checkFilled('credentials.password', credentials.password);
  checkFilled('credentials.domainName', credentials.domainName);
  const issue = createTokenIssuer(http, iamTemplate, credentials);
  const cache = createTokenCache({ issue, clock, refreshAheadMs: options.token?.refreshAheadMs });
  return createTokenAuthorizer(cache, credentials.password);
}

function checkFilled(name: string, value: string): void {
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`${name} must be a non-empty string`);
}

function checkPositive(name: string, value: number, integer = false): void {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be a positive ${integer ? 'integer' : 'number'}`);
  }
}
