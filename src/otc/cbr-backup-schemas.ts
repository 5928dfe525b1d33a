import { z } from 'zod';
import { asVolumeId } from '../domain/ids';
import { parseCloudTime } from './cloud-time';
import type { BackupStatus, VolumeBackup } from './types';

/**
 * CBR v3 bodies of backups: the restore point a vault backup makes (`POST /checkpoints`) and the
 * backup list (`GET /backups`). Only what the bot reads is checked; other fields pass through, and
 * fields the bot can do without may be absent or null.
 */

const optionalText = z.string().nullish();

/** `POST /v3/{project_id}/checkpoints`: the restore point made (200). */
export const checkpointCreateBodySchema = z.object({
  checkpoint: z.object({
    id: z.string().min(1),
    /** `protecting` while the backups are made. */
    status: optionalText,
    created_at: optionalText,
    vault: z
      .object({
        id: optionalText,
        /** Resources CBR did not back up this time, e.g. one being backed up already. */
        skipped_resources: z.array(z.object({ id: optionalText, code: optionalText, reason: optionalText })).nullish(),
      })
      .nullish(),
  }),
});

/** One backup of one resource. */
const backupSchema = z.object({
  id: z.string().min(1),
  name: optionalText,
  resource_id: z.string().min(1),
  /** `OS::Cinder::Volume` for a disk. */
  resource_type: optionalText,
  /** available, protecting, deleting, restoring, error, waiting_protect, waiting_delete, waiting_restore. */
  status: z.string(),
  /** UTC without a zone, e.g. `2020-02-21T07:00:34.882174`. */
  created_at: optionalText,
  /** The backed-up resource's size, GB (the docs: "Resource size, in GB"). */
  resource_size: z.number().nullish(),
  vault_id: optionalText,
});

/** A backup as checked. */
export type BackupBody = z.output<typeof backupSchema>;

/** `GET /v3/{project_id}/backups`: one page (its `count` is not read: backup-paging.ts says why). */
export const backupListBodySchema = z.object({ backups: z.array(backupSchema), count: z.number().nullish() });

const STATUSES: ReadonlyMap<string, BackupStatus> = new Map<string, BackupStatus>([
  ['available', 'succeeded'],
  ['protecting', 'running'],
  ['waiting_protect', 'running'],
  ['error', 'failed'],
]);

/**
 * A CBR backup's status in the bot's words: available is made, protecting and waiting_protect are
 * being made, error failed; the others (deleting, restoring, waiting_delete, waiting_restore, one not
 * documented) are `waiting`, with the cloud's own word kept.
 */
export function toCbrBackupStatus(status: string): BackupStatus {
  return STATUSES.get(status.trim().toLowerCase()) ?? 'waiting';
}

/**
 * A CBR backup as the bot sees it. `sizeGb` is the size CBR lists, the disk's (as Cinder's backup
 * `size` is on VBS); CBR names no finish time and no reason for a failure in its list.
 */
export function toCbrVolumeBackup(backup: BackupBody): VolumeBackup {
  return {
    volumeId: asVolumeId(backup.resource_id),
    status: toCbrBackupStatus(backup.status),
    cloudStatus: backup.status,
    name: backup.name ?? undefined,
    id: backup.id,
    createdAt: parseCloudTime(backup.created_at),
    finishedAt: undefined,
    sizeGb: backup.resource_size ?? undefined,
    message: undefined,
  };
}
