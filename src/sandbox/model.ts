/** The sandbox's data model: what a project holds. Plain data; `state.ts` owns the mutations. */

/** EVS disk statuses (OTC "Disk Status" table). */
export const VOLUME_STATUSES = [
  'creating',
  'available',
  'in-use',
  'error',
  'attaching',
  'detaching',
  'restoring-backup',
  'backing-up',
  'error_restoring',
  'uploading',
  'downloading',
  'extending',
  'error_extending',
  'deleting',
  'error_deleting',
  'rollbacking',
  'error_rollbacking',
  'awaiting-transfer',
  'retyping',
  'reserved',
  'maintenance',
] as const;
export type VolumeStatus = (typeof VOLUME_STATUSES)[number];

/** Disk statuses VBS refuses with AutoBackup.0206. */
export const VBS_INVALID_DISK_STATUSES: readonly VolumeStatus[] = [
  'error',
  'error_extending',
  'error_restoring',
  'error_rollbacking',
  'error_deleting',
];

/** How a project backs up disks: VBS policies (the older service) or CBR vaults that carry a policy. */
export type BackupService = 'vbs' | 'cbr';

export interface SandboxProject {
  readonly id: string;
  readonly name: string;
  readonly region: string;
  /** A CBR project is seeded with vaults and CBR policies as well (its VBS routes still answer). */
  readonly backupService: BackupService;
}

/** `week_frequency` values. */
export const VBS_WEEK_DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
export type VbsWeekDay = (typeof VBS_WEEK_DAYS)[number];

export interface SandboxPolicy {
  readonly id: string;
  readonly name: string;
  /** HH:mm UTC on a full hour, or several in ascending local order: `22:00,00:00,02:00`. */
  readonly startTime: string;
  /** Days between backups (VBS allows 1-14). Set unless the policy runs on week days. */
  readonly frequency?: number;
  /** The week days it runs on, when it has no `frequency` (VBS: "if you set both, frequency is used"). */
  readonly weekFrequency?: readonly VbsWeekDay[];
  /** `UTC+02:00`: where a "day" (and so a week day) starts; the start times stay UTC. */
  readonly timeZone?: string;
  /** Backups kept (VBS spells it `rentention_num`). */
  readonly retentionNum: number;
  readonly remainFirstBackupOfCurMonth: 'Y' | 'N';
  readonly status: 'ON' | 'OFF';
}

export interface SandboxAttachment {
  readonly serverId: string;
  /** Not part of the EVS answer (EVS knows only the server id); shown in the CLI banner. */
  readonly serverName: string;
  readonly device: string;
  readonly attachmentId: string;
  /** Cinder style, no zone: `2024-03-11T09:14:22.000000`. */
  readonly attachedAt: string;
}

export interface SandboxVolume {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly status: VolumeStatus;
  readonly availabilityZone: string;
  /** Storage pod, e.g. `pod01`; `os-vol-host-attr:host` is `${pod}.${availabilityZone}#${volumeType}`. */
  readonly pod: string;
  readonly size: number;
  readonly volumeType: string;
  readonly bootable: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly attachments: readonly SandboxAttachment[];
}

/** An ECS server (Nova). The sandbox knows only what `--server` look-ups need. */
export interface SandboxServer {
  readonly id: string;
  readonly name: string;
  /** Nova status, e.g. `ACTIVE`, `SHUTOFF`. */
  readonly status: string;
  readonly createdAt: string;
}

/** Everything one project holds. `bindings` maps volume id -> policy id (a disk is in at most one policy). */
export interface ProjectData {
  readonly project: SandboxProject;
  readonly policies: Map<string, SandboxPolicy>;
  readonly volumes: Map<string, SandboxVolume>;
  /** In creation order (the ECS list order of the sandbox). */
  readonly servers: Map<string, SandboxServer>;
  readonly bindings: Map<string, string>;
  /** Volume id -> when (epoch ms, sandbox clock) it joined its policy; none for seeded bindings. */
  readonly joined: Map<string, number>;
}

/** `2024-03-11T09:14:22.123456` (Cinder timestamps carry microseconds and no zone). */
export function formatCinderTime(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000`;
}

/** `2024-03-11T09:14:22Z` (Nova timestamps). */
export function formatNovaTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** `2015-11-09T01:42:57.527363Z` (IAM timestamps). */
export function formatIamTime(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000Z`;
}

export function volumeHost(volume: Pick<SandboxVolume, 'pod' | 'availabilityZone' | 'volumeType'>): string {
  return `${volume.pod}.${volume.availabilityZone}#${volume.volumeType}`;
}
