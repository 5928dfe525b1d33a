import type { VbsWeekDay, VolumeStatus } from './model';

/** What tests and demos pass to SandboxState to add data. */

export interface NewPolicyInput {
  readonly id?: string;
  readonly name: string;
  /** Default `01:00`; `HH:00` UTC, or several comma-separated. */
  readonly startTime?: string;
  /** Days between backups, 1-14. Default 1 unless `weekFrequency` is given (then it wins only if both are). */
  readonly frequency?: number;
  /** Week days instead of `frequency`, e.g. `['SUN', 'WED']`. */
  readonly weekFrequency?: readonly VbsWeekDay[];
  /** `UTC+02:00`; default none (UTC). */
  readonly timeZone?: string;
  readonly retentionNum?: number;
  readonly remainFirstBackupOfCurMonth?: 'Y' | 'N';
  readonly status?: 'ON' | 'OFF';
}

export interface NewVolumeInput {
  readonly id?: string;
  readonly name: string;
  readonly size?: number;
  readonly volumeType?: string;
  /** Default: the project's `${region}-01`. */
  readonly availabilityZone?: string;
  readonly pod?: string;
  /** Default: `in-use` when attached, else `available`. */
  readonly status?: VolumeStatus;
  readonly bootable?: boolean;
  readonly description?: string | null;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly attachments?: ReadonlyArray<{
    readonly serverId: string;
    /** Default: the name of the sandbox server with that id, else the id. */
    readonly serverName?: string;
    readonly device?: string;
  }>;
  /** Put the new volume in this policy at once. */
  readonly policyId?: string;
}

export interface NewServerInput {
  readonly id?: string;
  readonly name: string;
  /** Default `ACTIVE`. */
  readonly status?: string;
}
