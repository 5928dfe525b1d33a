import { z } from 'zod';
import { asVolumeId } from '../domain/ids';
import { parseCloudTime } from './cloud-time';
import type { BackupStatus, VolumeBackup } from './types';
import { trimKeysDeep } from './vbs-schemas';

/**
 * VBS bodies of backups: the tasks a policy ran (`backuppolicy/{policy_id}/backuptasks`) and a
 * volume's backups (the Cinder-style `backups/detail`). Only what the bot reads is checked; other
 * fields pass through, and fields the bot can do without may be absent or null.
 */

const optionalText = z.string().nullish();

/** One backup job a policy started, for one volume. */
const backupTaskSchema = z.object({
  /** RUNNING, WAITING, EXECUTE_SUCCESS, EXECUTE_FAIL, EXECUTE_TIMEOUT or SKIP. */
  status: z.string(),
  job_id: optionalText,
  /** UTC without a zone, e.g. `2016-12-02T09:06:46.706`. */
  created_at: optionalText,
  finished_at: optionalText,
  backup_name: optionalText,
  resource_id: z.string().min(1),
  resource_type: optionalText,
  /** The docs name `message` and `code` among a task's fields: "returned after an error occurs". */
  message: optionalText,
  code: z.union([z.string(), z.number()]).nullish(),
});

/** A task as checked. */
export type BackupTaskBody = z.output<typeof backupTaskSchema>;

/**
 * `GET /v2/{project_id}/backuppolicy/{policy_id}/backuptasks`: one page (its `count` is not read:
 * backup-paging.ts says why).
 */
export const backupTaskListBodySchema = z.preprocess(
  trimKeysDeep,
  z.object({ tasks: z.array(backupTaskSchema), count: z.number().nullish() }),
);

/** One backup of a volume (OpenStack Cinder's shape). */
const volumeBackupSchema = z.object({
  id: z.string().min(1),
  /** available, creating, error, restoring, deleting or error_restoring. */
  status: z.string(),
  volume_id: z.string().min(1),
  /** Cinder allows unnamed backups (null, as in every entry of the docs' example). */
  name: optionalText,
  created_at: optionalText,
  /** GB */
  size: z.number().nullish(),
  fail_reason: optionalText,
});

/** A volume's backup as checked. */
export type VolumeBackupBody = z.output<typeof volumeBackupSchema>;

/** `GET /v2/{project_id}/backups/detail`. */
export const volumeBackupListBodySchema = z.object({ backups: z.array(volumeBackupSchema) });

/** The answer of executing a policy: 204 and no body (parsed as undefined), or whatever a 2xx carries. */
export const executePolicyBodySchema = z.unknown();

const TASK_STATUSES: ReadonlyMap<string, BackupStatus> = new Map<string, BackupStatus>([
  ['RUNNING', 'running'],
  ['WAITING', 'waiting'],
  ['EXECUTE_SUCCESS', 'succeeded'],
  ['EXECUTE_FAIL', 'failed'],
  ['EXECUTE_TIMEOUT', 'timed_out'],
  ['SKIP', 'skipped'],
]);

/** A task's status in the bot's words; one VBS has not documented is still waiting (its own word is kept). */
export function toTaskStatus(status: string): BackupStatus {
  return TASK_STATUSES.get(status.trim().toUpperCase()) ?? 'waiting';
}

/** A policy's task as one backup of its volume. */
export function taskToVolumeBackup(task: BackupTaskBody): VolumeBackup {
  const code = task.code ?? undefined;
  return {
    volumeId: asVolumeId(task.resource_id),
    status: toTaskStatus(task.status),
    cloudStatus: task.status,
    name: task.backup_name ?? undefined,
    id: task.job_id ?? undefined,
    createdAt: parseCloudTime(task.created_at),
    finishedAt: parseCloudTime(task.finished_at),
    sizeGb: undefined,
    message: task.message ?? (code === undefined ? undefined : String(code)),
  };
}

const BACKUP_STATUSES: ReadonlyMap<string, BackupStatus> = new Map<string, BackupStatus>([
  ['available', 'succeeded'],
  ['creating', 'running'],
  ['error', 'failed'],
]);

/**
 * A Cinder backup's status in the bot's words: available, creating and error are a backup made,
 * being made and failed; the others (restoring, deleting, error_restoring, one not documented) are
 * `waiting`, with the cloud's own word kept.
 */
export function toVolumeBackupStatus(status: string): BackupStatus {
  return BACKUP_STATUSES.get(status.trim().toLowerCase()) ?? 'waiting';
}

/** A volume's backup as the bot sees it; Cinder names no finish time. */
export function toVolumeBackup(backup: VolumeBackupBody): VolumeBackup {
  return {
    volumeId: asVolumeId(backup.volume_id),
    status: toVolumeBackupStatus(backup.status),
    cloudStatus: backup.status,
    name: backup.name ?? undefined,
    id: backup.id,
    createdAt: parseCloudTime(backup.created_at),
    finishedAt: undefined,
    sizeGb: backup.size ?? undefined,
    message: backup.fail_reason ?? undefined,
  };
}
