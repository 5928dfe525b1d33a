import type { CbrProjectData, SandboxCbrPolicy, SandboxVault } from './cbr-model';
import { VAULT_OBJECT_TYPES, formatCbrScheduleTime } from './cbr-model';
import type { SandboxProject } from './model';
import { formatCinderTime } from './model';
import { BASE_TIME, MINUTE, deriveUuid, seededVolumeIdIn } from './seed';
import { cell, rows } from './seed-table';

/** A project id for a CBR project beside the default one (`npm run sandbox -- --cbr`, tests). */
export const DEFAULT_CBR_PROJECT_ID = 'cb7e5a2d0c4f4e1b9a3d6f8e2b1c0a9d';

/**
 * A CBR project's vaults and policies, beside the EVS and ECS estate every project has. Deterministic
 * like the rest of the seed: the first project gets the literal ids below, any other project ids
 * derived from its project id. `-` means none.
 */
const POLICIES = `
# name            id                                    enabled  max-backups  keep-days  timezone   pattern (hours in UTC)
daily-7-backups   e312be6d-88e9-46d3-8fff-f9948ee0b8f1  on       7            -          -          FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=00
weekly-30-days    f902d8d3-7e0d-41ac-85f9-3ad619134876  on       -            30         UTC+01:00  FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=14;BYMINUTE=00
paused-nightly    f3fac292-9a24-4c2d-9715-a5c0cd99c8d2  off      3            -          -          FREQ=DAILY;INTERVAL=1;BYHOUR=23;BYMINUTE=30
`;

// vault-small is nearly full on purpose (50 of 60 GB): one more 10 GB disk fits, anything larger does not.
const VAULTS = `
# name           id                                    type    size(GB)  policy           disks
vault-daily      35c262b8-6c50-4693-9d31-015c3ff5ab74  disk    1000      daily-7-backups  web-01-data,k8s-node-1-root
vault-weekly     28a574c4-2a6a-4e02-b327-adc9c3bea07b  disk    2000      weekly-30-days   db-log-1,jenkins-home,app-01-data,app-02-data
vault-small      40cfbb50-cb03-4498-9d73-22ad81c50a1a  disk    60        daily-7-backups  monitoring-01-root,test-vol-1
vault-archive    3a21b42e-57c5-4737-997f-53958c2758d7  disk    500       -                -
vault-servers    394aabbe-3fd9-46eb-8aca-802afe24646a  server  800       weekly-30-days   -
`;

function optionalNumber(text: string): number | undefined {
  return text === '-' ? undefined : Number(text);
}

/** Builds one CBR project's data. `fixedIds` (the first project) uses the literal ids of the tables. */
export function buildCbrSeed(project: SandboxProject, fixedIds: boolean): CbrProjectData {
  const id = (key: string, literal: string): string => (fixedIds ? literal : deriveUuid(project.id, key));
  const policies = new Map<string, SandboxCbrPolicy>();
  const policyIdByName = new Map<string, string>();
  for (const row of rows(POLICIES)) {
    const name = cell(row, 0);
    const policyId = id(`cbr-policy/${name}`, cell(row, 1));
    const maxBackups = optionalNumber(cell(row, 3));
    const retentionDurationDays = optionalNumber(cell(row, 4));
    const timezone = cell(row, 5);
    policyIdByName.set(name, policyId);
    policies.set(policyId, {
      id: policyId,
      name,
      enabled: cell(row, 2) === 'on',
      pattern: [cell(row, 6)],
      startTime: formatCbrScheduleTime(new Date(BASE_TIME)),
      ...(maxBackups === undefined ? {} : { maxBackups }),
      ...(retentionDurationDays === undefined ? {} : { retentionDurationDays }),
      ...(timezone === '-' ? {} : { timezone }),
    });
  }
  const vaults = new Map<string, SandboxVault>();
  const members = new Map<string, string>();
  rows(VAULTS).forEach((row, index) => {
    const name = cell(row, 0);
    const vaultId = id(`vault/${name}`, cell(row, 1));
    const objectType = VAULT_OBJECT_TYPES.find((t) => t === cell(row, 2));
    if (objectType === undefined) throw new Error(`cbr seed: unknown vault type ${cell(row, 2)}`);
    const policyName = cell(row, 4);
    const policyId = policyName === '-' ? null : policyIdByName.get(policyName);
    if (policyId === undefined) throw new Error(`cbr seed: unknown policy ${policyName}`);
    vaults.set(vaultId, {
      id: vaultId,
      name,
      description: null,
      objectType,
      sizeGb: Number(cell(row, 3)),
      policyId,
      createdAt: formatCinderTime(new Date(BASE_TIME + (index + 1) * 7 * MINUTE)),
    });
    const disks = cell(row, 5);
    if (disks === '-') return;
    for (const volumeName of disks.split(',')) members.set(seededVolumeIdIn(project.id, fixedIds, volumeName), vaultId);
  });
  return { vaults, policies, members, joined: new Map() };
}

/** First-project ids of the seeded vaults and CBR policies, by name (for tests and demos). */
export function seededVaultId(name: string): string | undefined {
  return rows(VAULTS).find((row) => row[0] === name)?.[1];
}

export function seededCbrPolicyId(name: string): string | undefined {
  return rows(POLICIES).find((row) => row[0] === name)?.[1];
}
