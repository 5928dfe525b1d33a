import type { CbrBackupView, CheckpointView, VbsJobView } from './backup-model';
import { formatVbsTaskTime } from './backup-model';
import { CBR_PROVIDER_IDS, CBR_VOLUME_TYPE } from './cbr-model';
import { formatCinderTime } from './model';

/** A task as `GET …/backuptasks` lists it (the docs' example: `finished_at` only once it ended). */
export function renderVbsTask(job: VbsJobView) {
  return {
    status: job.taskStatus,
    job_id: job.jobId,
    created_at: formatVbsTaskTime(job.createdAt),
    ...(job.finishedAt === undefined ? {} : { finished_at: formatVbsTaskTime(job.finishedAt) }),
    backup_name: job.backupName,
    resource_id: job.volumeId,
    resource_type: 'volume',
  };
}

/**
 * The backup a VBS task leaves, as `GET /v2/{project_id}/backups/detail` (OpenStack Cinder's shape)
 * lists it: `creating` while the task runs, then `available` or `error` with `fail_reason`. Fields the
 * docs say VBS skips (`has_dependent_backups`, `is_incremental`) are left out.
 */
export function renderVbsBackup(job: VbsJobView, projectId: string, baseUrl: string) {
  const created = formatCinderTime(new Date(job.createdAt));
  return {
    id: job.backupId,
    name: job.backupName,
    status: job.backupStatus,
    description: null,
    links: [
      { href: `${baseUrl}/v2/${projectId}/backups/${job.backupId}`, rel: 'self' },
      { href: `${baseUrl}/${projectId}/backups/${job.backupId}`, rel: 'bookmark' },
    ],
    availability_zone: job.availabilityZone,
    volume_id: job.volumeId,
    fail_reason: job.failReason,
    size: job.sizeGb,
    object_count: null,
    container: null,
    created_at: created,
    updated_at: formatCinderTime(new Date(job.finishedAt ?? job.createdAt)),
    'os-bak-tenant-attr:tenant_id': projectId,
    service_metadata: JSON.stringify({ bootable: job.bootable, progress: String(job.progress), Type: 0 }),
    data_timestamp: created,
    snapshot_id: null,
  };
}

/** A CBR backup as `GET /v3/{project_id}/backups` and `/backups/{id}` show it (a disk: no children). */
export function renderCbrBackup(backup: CbrBackupView, projectId: string) {
  const created = formatCinderTime(new Date(backup.createdAt));
  const finished = backup.finishedAt === undefined ? undefined : formatCinderTime(new Date(backup.finishedAt));
  return {
    provider_id: CBR_PROVIDER_IDS.disk,
    checkpoint_id: backup.checkpointId,
    updated_at: finished ?? created,
    vault_id: backup.vaultId,
    id: backup.id,
    resource_az: backup.availabilityZone,
    image_type: 'backup',
    resource_id: backup.volumeId,
    resource_size: backup.sizeGb,
    children: [],
    extend_info: {
      auto_trigger: backup.trigger === 'schedule',
      bootable: backup.bootable,
      incremental: backup.incremental,
      snapshot_id: null,
      support_lld: false,
      supported_restore_mode: 'backup',
      encrypted: false,
      system_disk: backup.bootable,
    },
    project_id: projectId,
    status: backup.status,
    resource_name: backup.volumeName,
    description: backup.description,
    expired_at: backup.expiresAt === null ? null : formatCinderTime(new Date(backup.expiresAt)),
    name: backup.name,
    created_at: created,
    resource_type: CBR_VOLUME_TYPE,
    parent_id: null,
    protected_at: backup.status === 'available' ? (finished ?? null) : null,
    enterprise_project_id: '0',
  };
}

/** A restore point as `POST /v3/{project_id}/checkpoints` answers it and `GET /checkpoints/{id}` shows it. */
export function renderCheckpoint(checkpoint: CheckpointView, projectId: string) {
  return {
    status: checkpoint.status,
    created_at: formatCinderTime(new Date(checkpoint.createdAt)),
    vault: {
      skipped_resources: checkpoint.skipped.map((s) => ({
        id: s.id,
        type: CBR_VOLUME_TYPE,
        name: s.name,
        code: s.code,
        reason: s.reason,
      })),
      id: checkpoint.vaultId,
      resources: checkpoint.backups.map((b) => ({
        name: b.volumeName,
        resource_size: String(b.sizeGb),
        protect_status: b.status,
        type: CBR_VOLUME_TYPE,
        id: b.volumeId,
        extra_info: null,
      })),
      name: checkpoint.vaultName,
    },
    project_id: projectId,
    id: checkpoint.id,
    extra_info: {
      retention_duration: checkpoint.retentionDuration,
      name: checkpoint.name,
      description: checkpoint.description,
    },
  };
}
