/** The sandbox's CBR data: vaults, the policies they carry, and which disks are in which vault. Plain data. */

/** What a vault protects (`billing.object_type`); the sandbox has no SFS Turbo vaults. */
export type VaultObjectType = 'disk' | 'server';
export const VAULT_OBJECT_TYPES: readonly VaultObjectType[] = ['disk', 'server'];

/** CBR's resource type of an EVS disk, the only kind the sandbox associates. */
export const CBR_VOLUME_TYPE = 'OS::Cinder::Volume';

/** At most this many resources in one addresources, removeresources or migrateresources call. */
export const CBR_MAX_RESOURCES_PER_CALL = 256;

/** `provider_id` of a vault, by what it protects (the values CBR documents for cloud servers and EVS disks). */
export const CBR_PROVIDER_IDS: Readonly<Record<VaultObjectType, string>> = {
  server: '0daac4c5-6707-4851-97ba-169e36266b66',
  disk: 'd1603440-187d-4516-af25-121250c7cc97',
};

/** `billing.spec_code` of a vault, by what it protects. */
export const CBR_SPEC_CODES: Readonly<Record<VaultObjectType, string>> = {
  server: 'vault.backup.server.normal',
  disk: 'vault.backup.volume.normal',
};

export interface SandboxVault {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly objectType: VaultObjectType;
  /** Capacity in GB (`billing.size`): the disks in a disk vault may add up to this much. */
  readonly sizeGb: number;
  /** The backup policy the vault carries, if any (a vault carries at most one). */
  readonly policyId: string | null;
  /** `2020-02-05T10:38:34.209782`, as the CBR docs show it. */
  readonly createdAt: string;
}

/** A CBR backup policy (`operation_type: backup`). Retention fields are set only when the policy has them. */
export interface SandboxCbrPolicy {
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
  /** iCalendar rules, e.g. `FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=14;BYMINUTE=00` (hours in UTC). */
  readonly pattern: readonly string[];
  /** `2024-01-08 09:00:00`, the scheduler's start. */
  readonly startTime: string;
  readonly maxBackups?: number;
  readonly retentionDurationDays?: number;
  /** e.g. `UTC+01:00`. */
  readonly timezone?: string;
}

/** Everything one project holds in CBR. `members` maps volume id -> vault id, in the order the disks joined. */
export interface CbrProjectData {
  readonly vaults: Map<string, SandboxVault>;
  readonly policies: Map<string, SandboxCbrPolicy>;
  readonly members: Map<string, string>;
  /** Volume id -> when (epoch ms, sandbox clock) it joined its vault; none for seeded members. */
  readonly joined: Map<string, number>;
}

/** `2024-01-08 09:00:00` (a CBR scheduler's start time). */
export function formatCbrScheduleTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}
