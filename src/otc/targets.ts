import type { BackupSchedule, BackupTarget } from './types';

/** The schedule a target runs on: a policy's own, or the policy bound to a vault (none when unbound). */
export function scheduleOf(target: BackupTarget): BackupSchedule | undefined {
  return target.kind === 'policy' ? target : target.policy;
}
