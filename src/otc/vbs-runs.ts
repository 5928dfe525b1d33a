import type { RequestAuthorizer } from './auth';
import { backupsOf, backupsSince, MAX_BACKUP_PAGES, newestBackup, readNewestFirst } from './backup-paging';
import { parseCloudTime } from './cloud-time';
import { buildUrl, resolveEndpoint } from './endpoints';
import type { QueryPairs } from './endpoints';
import type { CallSpec, HttpCore } from './http';
import type { BackupRuns, ProjectRef } from './types';
import {
  backupTaskListBodySchema,
  executePolicyBodySchema,
  taskToVolumeBackup,
  toVolumeBackup,
  volumeBackupListBodySchema,
} from './vbs-backup-schemas';

/** How the VBS backup lists page. */
export interface VbsRunsOptions {
  /** Tasks per page of a policy's task list (VBS documents no maximum; its default is 20). */
  readonly pageSize: number;
}

/** The order both VBS lists are asked for: newest first (the only sort key the task list takes). */
const NEWEST_FIRST: QueryPairs = [
  ['sort_key', 'created_at'],
  ['sort_dir', 'desc'],
];

/**
 * Backups on a VBS project, under `{vbs}/v2/{project_id}`: a policy executed at once, the tasks it
 * ran, and a volume's backups (Cinder's `backups/detail`, served by VBS).
 */
export function createVbsRuns(
  http: HttpCore,
  vbsTemplate: string,
  authorizer: RequestAuthorizer,
  options: VbsRunsOptions,
): BackupRuns {
  const url = (project: ProjectRef, segments: readonly string[], query?: QueryPairs): URL =>
    buildUrl(resolveEndpoint(vbsTemplate, project.region), ['v2', project.id, ...segments], query);
  const call = async <T>(project: ProjectRef, spec: Omit<CallSpec<T>, 'auth'>) =>
    (await http.call({ ...spec, auth: { authorizer, project } })).value;

  return {
    /**
     * `POST /v2/{project_id}/backuppolicy/{policy_id}/action`, no body; VBS answers 204. It backs up
     * EVERY volume of the policy, not only those of a request.
     */
    async backupNow(project, policyId) {
      // The core resends this POST after no answer or a 5xx. If the first send was done after all, a
      // resend makes one more backup of the policy's volumes (or VBS skips the volumes whose backup
      // is still running): an extra backup, kept by the policy's retention like any other, and no harm.
      await call(project, {
        method: 'POST',
        url: url(project, ['backuppolicy', policyId, 'action']),
        schema: executePolicyBodySchema,
      });
      return { skipped: [] };
    },

    /**
     * `GET .../backuppolicy/{policy_id}/backuptasks`, newest first, by `offset`, down to `since`
     * (the list takes no filter by time or volume, so both are applied here).
     */
    async listBackups(project, policyId, volumeIds, since) {
      if (volumeIds.length === 0) return [];
      const tasks = await readNewestFirst({
        pageSize: options.pageSize,
        maxPages: MAX_BACKUP_PAGES,
        since,
        fetchPage: async ({ offset, limit }) => {
          const query: QueryPairs = [
            ...NEWEST_FIRST,
            ['limit', String(limit)],
            ...(offset > 0 ? [['offset', String(offset)] as const] : []),
          ];
          const body = await call(project, {
            method: 'GET',
            url: url(project, ['backuppolicy', policyId, 'backuptasks'], query),
            schema: backupTaskListBodySchema,
          });
          return body.tasks;
        },
        keyOf: (task) => task.job_id ?? `${task.resource_id}@${task.created_at ?? ''}`,
        createdAtOf: (task) => parseCloudTime(task.created_at),
      });
      return backupsSince(tasks.map(taskToVolumeBackup), volumeIds, since);
    },

    /** `GET /v2/{project_id}/backups/detail?volume_id=…`, newest first, one entry. */
    async lastBackup(project, volumeId) {
      const body = await call(project, {
        method: 'GET',
        url: url(project, ['backups', 'detail'], [['volume_id', volumeId], ...NEWEST_FIRST, ['limit', '1']]),
        schema: volumeBackupListBodySchema,
      });
      return newestBackup(backupsOf(body.backups.map(toVolumeBackup), volumeId));
    },
  };
}
