import type { SandboxCbrPolicy, SandboxVault } from './cbr-model';
import { CBR_PROVIDER_IDS, CBR_SPEC_CODES, CBR_VOLUME_TYPE } from './cbr-model';
import type { SandboxContext } from './http-util';
import { iamIdOf } from './iam-routes';

/** Renders a vault as CBR does (`GET /vaults` and `GET /vaults/{id}` share the shape), with live resources. */
export function renderVault(ctx: SandboxContext, projectId: string, vault: SandboxVault) {
  const cbr = ctx.state.cbr;
  const resources = cbr.vaultResources(projectId, vault.id).flatMap((volumeId) => {
    const volume = ctx.state.getVolume(projectId, volumeId);
    if (volume === undefined) return [];
    return [
      {
        id: volume.id,
        name: volume.name,
        type: CBR_VOLUME_TYPE,
        size: volume.size,
        protect_status: 'available',
        backup_size: 0,
        backup_count: 0,
      },
    ];
  });
  return {
    id: vault.id,
    name: vault.name,
    description: vault.description,
    resources,
    provider_id: CBR_PROVIDER_IDS[vault.objectType],
    created_at: vault.createdAt,
    project_id: projectId,
    enterprise_project_id: '0',
    auto_bind: false,
    bind_rules: {},
    auto_expand: false,
    user_id: iamIdOf('user', ctx.credentials.username),
    billing: {
      allocated: cbr.allocatedGb(projectId, vault.id),
      cloud_type: 'public',
      consistent_level: 'crash_consistent',
      charging_mode: 'post_paid',
      protect_type: 'backup',
      object_type: vault.objectType,
      spec_code: CBR_SPEC_CODES[vault.objectType],
      // The sandbox makes no backups: nothing is used.
      used: 0,
      status: 'available',
      size: vault.sizeGb,
      frozen_scene: null,
      order_id: null,
      product_id: null,
      storage_unit: null,
    },
    tags: [],
  };
}

/** Renders a CBR policy as `GET /policies` does; retention fields only when the policy has them. */
export function renderPolicy(ctx: SandboxContext, projectId: string, policy: SandboxCbrPolicy, triggerId: string) {
  const associated = ctx.state.cbr
    .listVaults(projectId)
    .filter((v) => v.policyId === policy.id)
    .map((v) => ({ vault_id: v.id }));
  return {
    id: policy.id,
    name: policy.name,
    enabled: policy.enabled,
    operation_type: 'backup',
    operation_definition: {
      ...(policy.maxBackups === undefined ? {} : { max_backups: policy.maxBackups }),
      ...(policy.retentionDurationDays === undefined ? {} : { retention_duration_days: policy.retentionDurationDays }),
      ...(policy.timezone === undefined ? {} : { timezone: policy.timezone }),
    },
    trigger: {
      id: triggerId,
      name: 'default',
      type: 'time',
      properties: { pattern: [...policy.pattern], start_time: policy.startTime },
    },
    associated_vaults: associated,
  };
}
