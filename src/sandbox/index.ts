export { startSandbox } from './server';
export type {
  RecordedRequest,
  Sandbox,
  SandboxCredentials,
  SandboxEndpoints,
  SandboxOptions,
  SandboxProjectSeed,
  SandboxRoute,
} from './types';
export { SANDBOX_ROUTES } from './types';
export { SandboxState } from './state';
export type { NewPolicyInput, NewServerInput, NewVolumeInput } from './state';
export { CbrState } from './cbr-state';
export type { NewCbrPolicyInput, NewVaultInput } from './cbr-state';
export type { SandboxCbrPolicy, SandboxVault, VaultObjectType } from './cbr-model';
export { CBR_MAX_RESOURCES_PER_CALL, CBR_VOLUME_TYPE } from './cbr-model';
export { DEFAULT_CBR_PROJECT_ID, seededCbrPolicyId, seededVaultId } from './cbr-seed';
export { BackupState } from './backup-state';
export type { BackupSources, CheckpointOutcome, ExecuteOutcome, NewCheckpointInput } from './backup-state';
export type {
  BackupPhase,
  BackupTrigger,
  BackupView,
  CbrBackupStatus,
  CbrBackupView,
  CheckpointView,
  SkippedResource,
  VbsBackupStatus,
  VbsJobView,
  VbsTaskStatus,
} from './backup-model';
export {
  DEFAULT_BACKUP_DURATION_MS,
  DEFAULT_FAIL_REASON,
  SCHEDULED_RUNS_PER_READ,
  VBS_DISK_STATUS_FAIL_REASON,
} from './backup-model';
export { FaultInjector } from './faults';
export type { Fault } from './faults';
export type {
  BackupService,
  SandboxAttachment,
  SandboxPolicy,
  SandboxProject,
  SandboxServer,
  SandboxVolume,
  VbsWeekDay,
  VolumeStatus,
} from './model';
export { VBS_INVALID_DISK_STATUSES, VBS_WEEK_DAYS, VOLUME_STATUSES } from './model';
export { DEFAULT_PROJECT_ID, deriveUuid, seededPolicyId, seededServerId, seededVolumeIds } from './seed';
export { DEFAULT_CREDENTIALS, DEFAULT_TOKEN_TTL_MS, DEFAULT_VBS_MAX_RESOURCES_PER_CALL } from './options';
export { SDK_DATE_TOLERANCE_MS } from './auth-check';
export { formatSandboxBanner } from './banner';
