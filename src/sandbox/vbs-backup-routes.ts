import type { VbsJobView } from './backup-model';
import { VBS_TASK_STATUSES } from './backup-model';
import { renderVbsBackup, renderVbsTask } from './backup-view';
import type { Reply, SandboxContext, SandboxRequest } from './http-util';
import { itemNotFound, reply } from './http-util';
import { vbsError } from './vbs-codes';

/**
 * `POST /v2/{project_id}/backuppolicy/{policy_id}/action` ("Executing a Backup Policy At Once"): the
 * docs give no request body, so any body is ignored. 204 without a body; one task per volume in the
 * policy starts now (none for a policy without volumes). An unknown policy is 400 AutoBackup.0205; a
 * policy with a task still waiting or running is 400 AutoBackup.0225 ("The policy is being executed.").
 */
export function handleExecutePolicy(ctx: SandboxContext, req: SandboxRequest): Reply {
  const outcome = ctx.state.backups.executePolicy(req.params.projectId ?? '', req.params.policyId ?? '');
  switch (outcome.kind) {
    case 'unknown-policy':
      return vbsError(400, 'AutoBackup.0205');
    case 'busy':
      return vbsError(400, 'AutoBackup.0225');
    case 'started':
      return reply(204);
  }
}

/** The tasks list's default page size (the docs: "The default value is 20"). */
export const VBS_TASKS_DEFAULT_LIMIT = 20;

/**
 * `GET /v2/{project_id}/backuppolicy/{policy_id}/backuptasks` -> `{"tasks":[…],"count":N}`. Filters
 * `job_id` and `status` (one of the six documented statuses); `sort_key` (only `created_at`), `sort_dir`
 * (`asc`, or `desc`, the default: newest first, as the docs' example lists them); paging by `marker` (a
 * job id: the page starts after it), `offset` (default 0; past the end is an empty page) and `limit`
 * (default 20). `count` is the number of tasks matching the filters, whatever the page. A query the docs
 * do not allow is 400 VolumeBackup.0002 (the table's "The request format is incorrect."); an unknown
 * policy 400 AutoBackup.1100 ("The queried policy does not exist.").
 */
export function handleListBackupTasks(ctx: SandboxContext, req: SandboxRequest): Reply {
  const query = req.query;
  const limit = positiveInteger(query, 'limit', VBS_TASKS_DEFAULT_LIMIT, 1);
  const offset = positiveInteger(query, 'offset', 0, 0);
  const sortKey = query.get('sort_key') ?? 'created_at';
  const sortDir = query.get('sort_dir') ?? 'desc';
  const status = query.get('status');
  if (typeof limit === 'string') return badTaskQuery(limit);
  if (typeof offset === 'string') return badTaskQuery(offset);
  if (sortKey !== 'created_at') return badTaskQuery(`sort_key must be created_at, got '${sortKey}'.`);
  if (sortDir !== 'asc' && sortDir !== 'desc') return badTaskQuery(`sort_dir must be asc or desc, got '${sortDir}'.`);
  if (status !== null && !VBS_TASK_STATUSES.some((s) => s === status)) {
    return badTaskQuery(`status must be one of ${VBS_TASK_STATUSES.join(', ')}, got '${status}'.`);
  }
  const tasks = ctx.state.backups.vbsTasks(req.params.projectId ?? '', req.params.policyId ?? '');
  if (tasks === undefined) return vbsError(400, 'AutoBackup.1100');

  const jobId = query.get('job_id')?.toLowerCase();
  const matching = tasks
    .filter((t) => jobId === undefined || t.jobId === jobId)
    .filter((t) => status === null || t.taskStatus === status);
  if (sortDir === 'desc') matching.reverse();
  const start = afterMarker(matching, query.get('marker'), (t) => t.jobId);
  if (start === undefined) return badTaskQuery(`marker ${query.get('marker') ?? ''} is no task of the policy.`);
  const page = matching.slice(start + offset, start + offset + limit);
  return reply(200, { tasks: page.map(renderVbsTask), count: matching.length });
}

/** Cinder's page size cap (`osapi_max_limit`): a larger `limit` gets this many and a next link. */
export const VBS_BACKUPS_MAX_LIMIT = 1000;

const BACKUP_FILTERS: ReadonlyArray<readonly [string, (job: VbsJobView, wanted: string) => boolean]> = [
  ['name', (job, wanted) => job.backupName === wanted],
  ['status', (job, wanted) => job.backupStatus === wanted],
  ['volume_id', (job, wanted) => job.volumeId === wanted.toLowerCase()],
];

/** `sort_key` values the docs allow; the sandbox's backups have no image formats, so those two tie. */
const BACKUP_SORT_KEYS: Readonly<Record<string, (job: VbsJobView) => string | number>> = {
  name: (job) => job.backupName,
  status: (job) => job.backupStatus,
  container_format: () => '',
  disk_format: () => '',
  size: (job) => job.sizeGb,
  id: (job) => job.backupId,
  created_at: (job) => job.createdAt,
  updated_at: (job) => job.finishedAt ?? job.createdAt,
};

/**
 * `GET /v2/{project_id}/backups/detail` (OpenStack Cinder's API, which VBS serves) ->
 * `{"backups":[…]}` and, when more match than the page holds, `backups_links` with a `next` link (the
 * same filters, `limit` and `marker`). Filters `name`, `status`, `volume_id` (exact; a value no backup
 * has matches nothing); `sort_key` (default `created_at`) and `sort_dir` (default `desc`); `limit`
 * (at most 1000), `offset`, `marker` (a backup id: the page starts after it). Errors are Cinder's:
 * 400 `badRequest` for a query it cannot take. Every VBS task leaves one backup here.
 */
export function handleListVbsBackups(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const query = req.query;
  const limit = positiveInteger(query, 'limit', VBS_BACKUPS_MAX_LIMIT, 1);
  const offset = positiveInteger(query, 'offset', 0, 0);
  const sortKey = query.get('sort_key') ?? 'created_at';
  const sortDir = query.get('sort_dir') ?? 'desc';
  if (typeof limit === 'string') return cinderBadRequest(limit);
  if (typeof offset === 'string') return cinderBadRequest(offset);
  const keyOf = BACKUP_SORT_KEYS[sortKey];
  if (keyOf === undefined) return cinderBadRequest(`Invalid sort_key '${sortKey}'.`);
  if (sortDir !== 'asc' && sortDir !== 'desc') return cinderBadRequest(`Invalid sort_dir '${sortDir}'.`);

  let matching = ctx.state.backups.vbsJobs(projectId);
  for (const [key, test] of BACKUP_FILTERS) {
    const wanted = query.get(key);
    if (wanted !== null) matching = matching.filter((job) => test(job, wanted));
  }
  // vbsJobs is oldest first, which breaks ties of the key; desc reverses the whole order.
  matching.sort((a, b) => compare(keyOf(a), keyOf(b)));
  if (sortDir === 'desc') matching.reverse();
  const start = afterMarker(matching, query.get('marker'), (job) => job.backupId);
  if (start === undefined) return cinderBadRequest(`Marker ${query.get('marker') ?? ''} could not be found.`);
  const pageSize = Math.min(limit, VBS_BACKUPS_MAX_LIMIT);
  const page = matching.slice(start + offset, start + offset + pageSize);
  const body: Record<string, unknown> = {
    backups: page.map((job) => renderVbsBackup(job, projectId, ctx.baseUrl())),
  };
  const last = page[page.length - 1];
  if (last !== undefined && start + offset + page.length < matching.length) {
    const next = new URLSearchParams();
    for (const key of ['name', 'status', 'volume_id', 'sort_key', 'sort_dir']) {
      const value = query.get(key);
      if (value !== null) next.set(key, value);
    }
    next.set('limit', String(pageSize));
    next.set('marker', last.backupId);
    body.backups_links = [{ href: `${ctx.baseUrl()}/v2/${projectId}/backups/detail?${next.toString()}`, rel: 'next' }];
  }
  return reply(200, body);
}

/** `GET /v2/{project_id}/backups/{backup_id}` -> `{"backup":{…}}`; unknown: Cinder's 404 `itemNotFound`. */
export function handleShowVbsBackup(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const backupId = req.params.backupId ?? '';
  const job = ctx.state.backups.vbsJobs(projectId).find((j) => j.backupId === backupId.toLowerCase());
  if (job === undefined) return itemNotFound(`Backup ${backupId}`);
  return reply(200, { backup: renderVbsBackup(job, projectId, ctx.baseUrl()) });
}

/** An integer >= `min` (the fallback when absent), else the problem in words. */
function positiveInteger(query: URLSearchParams, key: string, fallback: number, min: number): number | string {
  const text = query.get(key);
  if (text === null) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min) return `${key} must be an integer of at least ${min}, got '${text}'.`;
  return Number(text);
}

/** Where a page starts: 0 without a marker, just after the marked item, undefined for an unknown marker. */
function afterMarker<T>(items: readonly T[], marker: string | null, idOf: (item: T) => string): number | undefined {
  if (marker === null) return 0;
  const index = items.findIndex((item) => idOf(item) === marker.toLowerCase());
  return index < 0 ? undefined : index + 1;
}

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function badTaskQuery(detail: string): Reply {
  return vbsError(400, 'VolumeBackup.0002', detail);
}

function cinderBadRequest(message: string): Reply {
  return reply(400, { badRequest: { code: 400, message: `Invalid input received: ${message}` } });
}
