import { z } from 'zod';
import { asPolicyId, asVolumeId } from '../domain/ids';
import type { VolumeId } from '../domain/ids';
import { readTriggerPatterns } from './cbr-schedule';
import type { BackupSchedule, BackupVault } from './types';

/**
 * CBR v3 response bodies (vaults, policies, and the answers of add/remove/migrate resources). Only
 * what the bot uses is checked; other fields pass through unchecked, and fields the bot can do
 * without may be absent or null.
 */

/** The resource type of an EVS disk in a vault. */
export const CBR_VOLUME_TYPE = 'OS::Cinder::Volume';

/** A field the bot can do without: absent, null, or of this type. */
const optionalText = z.string().nullish();
/** A number the bot can do without: absent, null, or a number. */
const optionalNumber = z.number().nullish();

/** One resource bound to a vault. */
const vaultResourceSchema = z.object({
  id: z.string().min(1),
  /** `OS::Cinder::Volume`, `OS::Nova::Server`, `OS::Sfs::Turbo`, ... */
  type: optionalText,
  /** GB */
  size: optionalNumber,
});

/** A vault's size and kind. */
const vaultBillingSchema = z.object({
  /** Capacity, GB. */
  size: optionalNumber,
  /** GB taken by the resources bound to the vault. */
  allocated: optionalNumber,
  /** What the vault backs up: `disk`, `server`, `turbo`, ... */
  object_type: optionalText,
});

/** A vault, in the list and on its own. */
export const vaultBodySchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  resources: z.array(vaultResourceSchema).nullish(),
  billing: vaultBillingSchema.nullish(),
});

/** A vault as checked. */
export type VaultBody = z.output<typeof vaultBodySchema>;

/** `GET /vaults`: one page (`limit`, `offset`); `count` is the number of vaults in all pages. */
export const vaultListBodySchema = z.object({
  vaults: z.array(vaultBodySchema),
  count: optionalNumber,
});

/** `GET /vaults/{vault_id}`. */
export const vaultGetBodySchema = z.object({ vault: vaultBodySchema });

/** A policy and the vaults bound to it. */
const policySchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  enabled: z.boolean().nullish(),
  /** `backup` or `replication`. */
  operation_type: optionalText,
  operation_definition: z
    .object({
      /** -1 (or absent): not kept by age. */
      retention_duration_days: optionalNumber,
      /** -1 (or absent): not kept by number. */
      max_backups: optionalNumber,
      /** e.g. `UTC+08:00`: the zone of the trigger's hours. */
      timezone: optionalText,
    })
    .nullish(),
  trigger: z.object({ properties: z.object({ pattern: z.array(z.string()).nullish() }).nullish() }).nullish(),
  associated_vaults: z.array(z.object({ vault_id: z.string().min(1), destination_vault_id: optionalText })).nullish(),
});

/** A policy as checked. */
export type PolicyBody = z.output<typeof policySchema>;

/** `GET /policies?operation_type=backup`. */
export const policyListBodySchema = z.object({ policies: z.array(policySchema), count: optionalNumber });

/**
 * The answers of the three resource calls. Each call is all-or-nothing: a 2xx means every resource
 * sent was taken, so the lists are read for their shape only (the migrate example in OTC's docs
 * lists the destination vault's id, not the resources moved).
 */
export const addResourcesBodySchema = z.object({ add_resource_ids: z.array(z.string()).nullish() });
export const removeResourcesBodySchema = z.object({ remove_resource_ids: z.array(z.string()).nullish() });
export const migrateResourcesBodySchema = z.object({ migrated_resources: z.array(z.string()).nullish() });

/** The ids of every resource in the vault, lower-cased: a resource listed without its type is still itself. */
export function resourceIdsOf(vault: VaultBody): ReadonlySet<string> {
  return new Set((vault.resources ?? []).map((r) => r.id.toLowerCase()));
}

/** Whether the vault backs up EVS disks (a server vault cannot take a disk). */
export function isVolumeVault(vault: VaultBody): boolean {
  return vault.billing?.object_type === 'disk';
}

/**
 * The vault as the bot sees it, with the backup policy bound to it: the first backup policy that
 * names the vault among its `associated_vaults` (CBR binds at most one).
 */
export function toBackupVault(vault: VaultBody, policies: readonly PolicyBody[]): BackupVault {
  const resources = vault.resources ?? [];
  const bound = policies.find(
    (p) => isBackupPolicy(p) && (p.associated_vaults ?? []).some((a) => a.vault_id === vault.id),
  );
  return {
    id: asPolicyId(vault.id),
    name: vault.name,
    policy: bound === undefined ? undefined : toBoundPolicy(bound),
    volumeIds: resources.filter((r) => r.type === CBR_VOLUME_TYPE).map((r): VolumeId => asVolumeId(r.id)),
    resourceCount: resources.length,
    capacityGb: vault.billing?.size ?? undefined,
    allocatedGb: vault.billing?.allocated ?? undefined,
  };
}

/** Backup, not replication; a policy that does not say is taken as the backup policy it was asked for. */
function isBackupPolicy(policy: PolicyBody): boolean {
  return policy.operation_type === undefined || policy.operation_type === null || policy.operation_type === 'backup';
}

/** The policy as the schedule of the vault it is bound to. */
function toBoundPolicy(policy: PolicyBody): BackupSchedule & { readonly id: string; readonly name: string } {
  const definition = policy.operation_definition ?? undefined;
  return {
    id: policy.id,
    name: policy.name,
    status: policy.enabled === true ? 'ON' : policy.enabled === false ? 'OFF' : 'UNKNOWN',
    ...readTriggerPatterns(policy.trigger?.properties?.pattern ?? []),
    timeZone: definition?.timezone?.trim() || undefined,
    retentionCount: keptIfSet(definition?.max_backups),
    retentionDays: keptIfSet(definition?.retention_duration_days),
  };
}

/** CBR writes -1 for "not limited this way". */
function keptIfSet(value: number | null | undefined): number | undefined {
  return value === undefined || value === null || value < 0 ? undefined : value;
}
