import { z } from 'zod';
import { asPolicyId } from '../domain/ids';
import { isRecord } from './response-body';
import type { BackupPolicy } from './types';

/**
 * VBS response bodies. Keys are trimmed before validation: the policy list in OTC's own docs has
 * `"backup_policy_name "` with a trailing space. Extra fields are tolerated; fields the bot does not
 * need may be absent or null.
 */

/** Trims whitespace around every object key, at any depth. An exact key wins over a padded twin. */
export function trimKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(trimKeysDeep);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) if (key === key.trim()) out[key] = trimKeysDeep(inner);
  for (const [key, inner] of Object.entries(value)) {
    const trimmed = key.trim();
    if (trimmed !== key && !(trimmed in out)) out[trimmed] = trimKeysDeep(inner);
  }
  return out;
}

const optionalText = z.string().nullish();
const optionalNumber = z.number().nullish();

const scheduledPolicySchema = z.object({
  /** `HH:mm` (several comma-separated), in the policy's `time_zone`; UTC when it has none. */
  start_time: optionalText,
  /** Every so many days; a weekly policy has `week_frequency` instead. */
  frequency: optionalNumber,
  /** Week days (`SUN`, `WED`, ...) of a weekly policy. */
  week_frequency: z.array(z.string()).nullish(),
  /** Upstream spelling, for both: backups kept by number, or by days. */
  rentention_num: optionalNumber,
  retention_num: optionalNumber,
  rentention_day: optionalNumber,
  retention_day: optionalNumber,
  status: optionalText,
});

const policySchema = z.object({
  backup_policy_id: z.string().min(1),
  backup_policy_name: z.string(),
  scheduled_policy: scheduledPolicySchema.nullish(),
  policy_resource_count: optionalNumber,
  /** e.g. `UTC+08:00`, beside `scheduled_policy` as in the create request and python-otcextensions. */
  time_zone: optionalText,
});

export const policyListBodySchema = z.preprocess(trimKeysDeep, z.object({ backup_policies: z.array(policySchema) }));

const successResourceSchema = z.object({
  resource_id: z.string().min(1),
  os_vol_host_attr: optionalText,
  availability_zone: optionalText,
  resource_type: optionalText,
});

const failResourceSchema = z.object({
  resource_id: z.string().min(1),
  resource_type: optionalText,
  code: z.union([z.string(), z.number()]).nullish(),
  message: optionalText,
});

/**
 * Associate and disassociate answer with the same body. Either list may be missing (python-otcextensions
 * treats both as optional): a missing list is an empty one. Every volume of the call that is in
 * neither list is still reported, as failed without a code (associate.ts).
 */
export const resourcesBodySchema = z.preprocess(
  trimKeysDeep,
  z.object({
    success_resources: z
      .array(successResourceSchema)
      .nullish()
      .transform((list) => list ?? []),
    fail_resources: z
      .array(failResourceSchema)
      .nullish()
      .transform((list) => list ?? []),
  }),
);

export type ResourcesBody = z.output<typeof resourcesBodySchema>;

export function toBackupPolicy(raw: z.infer<typeof policySchema>): BackupPolicy {
  const scheduled = raw.scheduled_policy ?? undefined;
  return {
    id: asPolicyId(raw.backup_policy_id),
    name: raw.backup_policy_name,
    status: scheduled?.status ?? 'UNKNOWN',
    startTime: scheduled?.start_time ?? undefined,
    timeZone: raw.time_zone ?? undefined,
    frequencyDays: scheduled?.frequency ?? undefined,
    weekDays: scheduled?.week_frequency ?? undefined,
    retentionCount: scheduled?.rentention_num ?? scheduled?.retention_num ?? undefined,
    retentionDays: scheduled?.rentention_day ?? scheduled?.retention_day ?? undefined,
    resourceCount: raw.policy_resource_count ?? undefined,
  };
}

export function toBackupPolicies(body: z.infer<typeof policyListBodySchema>): BackupPolicy[] {
  return body.backup_policies.map(toBackupPolicy);
}
