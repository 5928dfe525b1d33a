import type { Clock } from '../domain/clock';
import { asVolumeId } from '../domain/ids';
import type { RequestAuthorizer } from './auth';
import { backupsOf, backupsSince, MAX_BACKUP_PAGES, newestBackup, readNewestFirst } from './backup-paging';
import { backupListBodySchema, checkpointCreateBodySchema, toCbrVolumeBackup } from './cbr-backup-schemas';
import { parseCloudTime } from './cloud-time';
import { buildUrl, resolveEndpoint } from './endpoints';
import type { QueryPairs } from './endpoints';
import type { CallSpec, HttpCore } from './http';
import type { BackupRuns, ProjectRef } from './types';

/** The backup list's documented maximum `limit`; a larger page size is cut to it. */
export const CBR_MAX_BACKUP_PAGE_SIZE = 1000;

/** The description of a restore point the bot makes (CBR allows 255 characters). */
export const BACKUP_NOW_DESCRIPTION = 'Backup started now through the backup bot';

/** How the CBR backup list pages, and the clock that names a restore point. */
export interface CbrRunsOptions {
  /** Backups per page of the backup list (cut to 1000). */
  readonly pageSize: number;
  readonly clock: Clock;
}

/** Newest first: `<key>:<direction>`, as the backup list's `sort` takes it. */
const NEWEST_FIRST: readonly [string, string] = ['sort', 'created_at:desc'];

/**
 * Backups on a CBR project, under `{cbr}/v3/{project_id}`: a restore point of the vault made now,
 * and the backup list (per vault, per volume).
 */
export function createCbrRuns(
  http: HttpCore,
  cbrTemplate: string,
  authorizer: RequestAuthorizer,
  options: CbrRunsOptions,
): BackupRuns {
  const pageSize = Math.min(options.pageSize, CBR_MAX_BACKUP_PAGE_SIZE);
  const url = (project: ProjectRef, segments: readonly string[], query?: QueryPairs): URL =>
    buildUrl(resolveEndpoint(cbrTemplate, project.region), ['v3', project.id, ...segments], query);
  const call = async <T>(project: ProjectRef, spec: Omit<CallSpec<T>, 'auth'>) =>
    (await http.call({ ...spec, auth: { authorizer, project } })).value;

  return {
    /**
     * `POST /v3/{project_id}/checkpoints` for the vault: a restore point, one backup of EVERY volume
     * in the vault (no `resources` is sent), made by hand (`auto_trigger` false), incremental (CBR's
     * default), named `backup-bot-<UTC time>`. CBR answers 200 with the restore point.
     */
    async backupNow(project, vaultId) {
      // The core resends this POST after no answer or a 5xx. If the first send was done after all, a
      // resend makes a second restore point (or CBR skips the volumes still being backed up): an
      // extra backup, kept by the vault's retention like any other, and no harm.
      const answer = await call(project, {
        method: 'POST',
        url: url(project, ['checkpoints']),
        body: {
          checkpoint: {
            vault_id: vaultId,
            parameters: {
              auto_trigger: false,
              description: BACKUP_NOW_DESCRIPTION,
              incremental: true,
              name: backupNowName(options.clock.now()),
            },
          },
        },
        schema: checkpointCreateBodySchema,
      });
      // A disk CBR did not back up this time (one in a status it cannot back up, 7003; one being
      // backed up already, 6125): said at once, rather than found missing an hour later.
      const skipped = (answer.checkpoint.vault?.skipped_resources ?? []).flatMap((s) =>
        s.id ? [{ volumeId: asVolumeId(s.id), code: s.code ?? 'skipped', message: s.reason ?? '' }] : [],
      );
      return { skipped };
    },

    /**
     * `GET /v3/{project_id}/backups?vault_id=…`, newest first, by `offset`, down to `since`: one list
     * for the vault rather than one per volume, as a request may add hundreds of volumes and the
     * backups since a recent time are few. With a single volume, CBR filters by it too. `start_time`
     * is not sent: the docs call it "time when the backup starts" and do not say whether a backup
     * still being made matches it; the sort and `since` end the read instead.
     */
    async listBackups(project, vaultId, volumeIds, since) {
      if (volumeIds.length === 0) return [];
      const [only] = volumeIds;
      const filters: QueryPairs = [
        ['vault_id', vaultId],
        ...(volumeIds.length === 1 && only !== undefined ? [['resource_id', only] as const] : []),
      ];
      const backups = await readNewestFirst({
        pageSize,
        maxPages: MAX_BACKUP_PAGES,
        since,
        fetchPage: async ({ offset, limit }) => {
          // The docs want an offset that is "a positive integer": the first page sends none.
          const query: QueryPairs = [
            ...filters,
            NEWEST_FIRST,
            ['limit', String(limit)],
            ...(offset > 0 ? [['offset', String(offset)] as const] : []),
          ];
          const body = await call(project, {
            method: 'GET',
            url: url(project, ['backups'], query),
            schema: backupListBodySchema,
          });
          return body.backups;
        },
        keyOf: (backup) => backup.id,
        createdAtOf: (backup) => parseCloudTime(backup.created_at),
      });
      return backupsSince(backups.map(toCbrVolumeBackup), volumeIds, since);
    },

    /** `GET /v3/{project_id}/backups?resource_id=…&sort=created_at:desc&limit=1`: in whichever vault. */
    async lastBackup(project, volumeId) {
      const body = await call(project, {
        method: 'GET',
        url: url(project, ['backups'], [['resource_id', volumeId], NEWEST_FIRST, ['limit', '1']]),
        schema: backupListBodySchema,
      });
      return newestBackup(backupsOf(body.backups.map(toCbrVolumeBackup), volumeId));
    },
  };
}

/** `backup-bot-20240102-030405` (UTC): letters, digits and hyphens only, as CBR requires of a name. */
export function backupNowName(now: number): string {
  const iso = new Date(now).toISOString();
  return `backup-bot-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}
