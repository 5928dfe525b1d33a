import type { SandboxCbrPolicy } from './cbr-model';
import type { SandboxProject } from './model';
import type { Sandbox } from './types';

type Table = ReadonlyArray<readonly string[]>;

/** A CBR project's policies and vaults, as tables for the banner (the first row is the header). */
export function cbrTables(sandbox: Sandbox, project: SandboxProject): { policies: Table; vaults: Table } {
  const cbr = sandbox.state.cbr;
  const vaults = cbr.listVaults(project.id);
  const policies = cbr.listPolicies(project.id);
  const policyName = new Map(policies.map((p) => [p.id, p.name]));
  const volumeName = new Map(sandbox.state.listVolumes(project.id).map((v) => [v.id, v.name]));
  return {
    policies: [
      ['NAME', 'ID', 'SCHEDULE (UTC)', 'RETENTION', 'STATUS', 'VAULTS'],
      ...policies.map((p) => [
        p.name,
        p.id,
        p.pattern.join(' | '),
        retention(p),
        p.enabled ? 'ON' : 'OFF',
        vaults
          .filter((v) => v.policyId === p.id)
          .map((v) => v.name)
          .join(', ') || '-',
      ]),
    ],
    vaults: [
      ['NAME', 'ID', 'TYPE', 'CAPACITY', 'POLICY', 'DISKS'],
      ...vaults.map((v) => [
        v.name,
        v.id,
        v.objectType,
        `${cbr.allocatedGb(project.id, v.id)} of ${v.sizeGb} GB`,
        v.policyId === null ? '-' : (policyName.get(v.policyId) ?? v.policyId),
        cbr
          .vaultResources(project.id, v.id)
          .map((id) => volumeName.get(id) ?? id)
          .join(', ') || '-',
      ]),
    ],
  };
}

/** The name of the vault a disk is in, or `-`. */
export function vaultNameOf(sandbox: Sandbox, projectId: string, volumeId: string): string {
  const vaultId = sandbox.state.cbr.vaultOfVolume(projectId, volumeId);
  return vaultId === undefined ? '-' : (sandbox.state.cbr.getVault(projectId, vaultId)?.name ?? vaultId);
}

function retention(policy: SandboxCbrPolicy): string {
  const parts = [
    ...(policy.maxBackups === undefined ? [] : [`${policy.maxBackups} backups`]),
    ...(policy.retentionDurationDays === undefined ? [] : [`${policy.retentionDurationDays} days`]),
  ];
  const kept = parts.join(', ') || 'forever';
  return policy.timezone === undefined ? kept : `${kept} (${policy.timezone})`;
}
