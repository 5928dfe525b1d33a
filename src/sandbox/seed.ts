import { createHash } from 'node:crypto';
import type { ProjectData, SandboxPolicy, SandboxProject, SandboxServer, SandboxVolume, VolumeStatus } from './model';
import { VOLUME_STATUSES, formatCinderTime, formatNovaTime } from './model';
import { cell, rows } from './seed-table';

/**
 * The seeded project: a small but realistic estate. Deterministic (no randomness, no clock): the
 * first project gets the literal ids below; any further project gets ids derived from a hash of its
 * project id and the row's key, so projects never share ids. AZ column: 1 -> `${region}-01`, etc.
 */
export const DEFAULT_PROJECT_ID = '0123456789abcdef0123456789abcdef';

/** Metadata the sandbox puts on HANA disks, which VBS cannot protect (AutoBackup.0210). */
export const HANA_METADATA_KEY = 'sandbox_hana_disk';

const POLICIES = `
# name         id                                    start  every(days) keep  first-of-month  status
daily-7d       b1cb1816-7d85-457c-9f32-2a1422d00e17  02:00  1           7     N               ON
daily-30d      5bb7fb0f-d8d9-415b-8725-460b8ce504db  03:00  1           30    N               ON
weekly-4w      ce9c02e4-aafb-4062-97ff-bbaaeca05990  04:00  7           4     N               ON
monthly-12m    0583542f-4cd5-413d-8c6e-3438c63be5a9  05:00  14          26    Y               ON
db-hourly      e35fd989-b021-4ac8-8c31-76236de8809a  00:00  1           24    N               OFF
`;

const SERVERS = `
# name         id
web-01         dde53f64-b9a5-4b5f-b3c1-8c1b55270a2c
web-02         2e432cd4-4edb-4a59-89e3-2949b3995201
web-03         8a1e6f91-0951-4549-a823-213cb38eb51c
app-01         5fbd48da-8157-4056-9496-0b4de48e224b
app-02         1a306ce2-9f4a-4d58-afb7-fb492f5fca05
db-01          db4b4019-d184-4f29-8669-d2723a604f08
db-02          233308a8-c720-4ded-8418-4a04f387583b
k8s-node-1     012e4e3f-a801-487e-9900-011f20c187c3
k8s-node-2     1f5f1573-3e36-43ab-81be-5112f6c70655
k8s-node-3     46c853e3-1ef2-4445-b91d-047126fb6a74
k8s-node-4     6c1868f0-d431-472d-b951-cfa7f6ec15bd
k8s-node-5     8b2fce6d-f5dc-4f05-a167-23208c00f1ff
bastion-01     1946f580-3cae-445c-9069-80ba1f71f6fa
monitoring-01  3b7040a0-38d0-4604-a124-e839b9cbfb00
jenkins-01     93f69c0d-5bf3-4ee9-9997-15295147816b
ftp-01         344e7650-5394-4be7-8b41-ab84f95bf027
win-ad-01      315d6abf-5d8e-4ddf-9b87-8ed9438197f0
hana-01        6b0e2c1d-5f8a-4c3e-9d71-2a4f8e6b9c10
`;

// `scratch` is used by two volumes on purpose (name ambiguity); a `:vda` device is the boot disk.
const VOLUMES = `
# name                  id                                    az size  type  status             attached to        policy
web-01-root             d089b204-9df5-4f11-ac7c-78e987180a16  1  40    SSD   in-use             web-01:vda         -
web-01-data             35d1990a-8d83-482a-9840-8d39c2209e5b  1  100   SAS   in-use             web-01:vdb         daily-7d
web-02-root             c5693eee-b791-4378-8103-14055035bf96  2  40    SSD   in-use             web-02:vda         -
web-02-data             543df196-94a7-4eac-8d9c-351899186b58  2  100   SAS   in-use             web-02:vdb         -
web-03-root             acaff851-9f80-45c6-92da-2bbe68bb6bca  3  40    SSD   in-use             web-03:vda         -
web-03-data             f446ab69-f4e0-49cb-9e39-a4fb6224f1ea  3  100   SAS   in-use             web-03:vdb         -
app-01-root             741b9eec-8c30-4769-bfa3-1572eb2525b6  1  40    SSD   in-use             app-01:vda         -
app-01-data             47a33e7f-d1a9-42f2-9dfd-419cfc490243  1  200   SAS   in-use             app-01:vdb         daily-30d
app-01-logs             139f377e-9ff4-4892-8121-730c9f7e26fb  1  50    SATA  in-use             app-01:vdc         -
app-02-root             dd530390-0355-484f-a7a2-894bd120fa23  2  40    SSD   in-use             app-02:vda         -
app-02-data             40b54727-0c93-48d9-8a43-537c4322e8cb  2  200   SAS   in-use             app-02:vdb         daily-30d
app-02-logs             abaf62ff-19ca-4c7e-8ad1-e8abb9e1d4d0  2  50    SATA  in-use             app-02:vdc         -
db-01-root              81041cf1-360e-4cd1-bdbd-ba78d354ca8e  1  40    SSD   in-use             db-01:vda          -
db-data-1               0f187b65-8d0e-4fc0-9096-3b55d330531e  1  500   SSD   in-use             db-01:vdb          -
db-log-1                526169f2-9672-4661-a8c6-ce8e7d3f266a  1  100   SSD   in-use             db-01:vdc          weekly-4w
db-02-root              acc7d7d6-fda4-47a8-9c3f-c2470f83622d  2  40    SSD   in-use             db-02:vda          -
db-data-2               ed53b291-0b6a-4d23-861a-474ac0e64334  2  500   SSD   in-use             db-02:vdb          -
db-log-2                8dd63b80-1077-4b5d-855c-ed18f8505211  2  100   SSD   in-use             db-02:vdc          -
db-data-3               c8be0c35-5607-4d55-9ba8-ed90b066495d  1  500   SSD   error              -                  -
k8s-node-1-root         6f4d7ced-747b-48d7-8a5c-aa25bbc1f8d9  1  80    SSD   in-use             k8s-node-1:vda     daily-7d
k8s-node-1-containerd   ffb39e2c-2bab-4677-8780-9c0937cd351a  1  200   SAS   in-use             k8s-node-1:vdb     -
k8s-node-2-root         f0f19960-35c4-44ef-86f0-3c60ae6bd184  2  80    SSD   in-use             k8s-node-2:vda     -
k8s-node-2-containerd   6ff9fe6d-3f08-4917-aae7-95d4afe62223  2  200   SAS   in-use             k8s-node-2:vdb     -
k8s-node-3-root         3ac59a48-aea5-46d9-9653-0f8e6d5d4f7b  3  80    SSD   in-use             k8s-node-3:vda     -
k8s-node-3-containerd   8e9f676c-1a49-47f3-abc7-cf509e85a426  3  200   SAS   in-use             k8s-node-3:vdb     -
k8s-node-4-root         6fa9d6b1-e215-4a42-9667-28176e9b4661  1  80    SSD   in-use             k8s-node-4:vda     -
k8s-node-4-containerd   fbf07495-af36-4159-b7a0-d499827431cf  1  200   SAS   in-use             k8s-node-4:vdb     -
k8s-node-5-root         a297e957-b5af-4296-852b-864b49c871f7  2  80    SSD   in-use             k8s-node-5:vda     -
k8s-node-5-containerd   17d9e92f-c2cf-4dc1-914c-a9cf14c7f75f  2  200   SAS   in-use             k8s-node-5:vdb     -
bastion-01-root         79ab59e7-ec9e-4fe1-a603-f35072f5f7be  1  20    SATA  in-use             bastion-01:vda     -
monitoring-01-root      d5daa96c-38a1-46ad-a44b-d9bdec2bbd68  3  40    SSD   in-use             monitoring-01:vda  monthly-12m
prometheus-data         ecd56a88-bf48-4f95-8cff-308e186adc8a  3  300   SAS   in-use             monitoring-01:vdb  -
jenkins-01-root         5cdfc249-6a85-4e29-8994-5515f723c625  2  40    SSD   in-use             jenkins-01:vda     -
jenkins-home            0f710289-50b9-4949-9f93-3a2b8c3b8353  2  250   SAS   in-use             jenkins-01:vdb     weekly-4w
ftp-01-root             b3c5ccd1-1df7-4fd9-a5c7-2fb5e1981b50  3  40    SATA  in-use             ftp-01:vda         -
ftp-01-data             9759f4e7-47f1-439d-96f6-3434ae353b3d  3  1000  SATA  in-use             ftp-01:vdb         -
win-ad-01-root          ebe9e44b-7495-4b5c-93af-7988af99df01  1  60    SAS   in-use             win-ad-01:vda      -
sap-hana-data-1         3e5a7c91-2b4d-4f60-8e1a-9c7b5d3f2a18  2  512   SSD   in-use             hana-01:vdb        -
scratch                 a1b8dbc4-0fc7-49f5-b3ab-4a2f5410876e  2  100   SATA  available          -                  -
scratch                 7763a639-13fe-4911-a051-cf2d6849fb3b  3  100   SATA  available          -                  -
backup-staging          24a99e12-29e4-4b0f-9b73-2b32863b8039  1  500   SATA  available          -                  -
old-web-data            da65c988-e1a6-4658-854a-39c4c6d2d1a9  2  100   SAS   available          -                  -
test-vol-1              1ca4abc7-67b0-41ce-8dae-94c5f08169b5  3  10    SATA  available          -                  -
test-vol-2              4f9672c4-9692-44e3-9658-857ed9234ff7  3  10    SATA  available          -                  -
spare-ssd-1             9fa08ce7-00e9-48d3-baee-0e0f8544e814  1  100   SSD   available          -                  -
elk-data-old            66754ee7-f012-4b7f-927c-bea00875ae92  3  400   SATA  available          -                  -
restore-tmp-1           7a363f50-ca23-4899-85ae-895c9ee862c8  2  100   SAS   error_restoring    -                  -
handover-data           a9ff79dd-3100-496a-b1e2-061f260a3f5d  1  50    SATA  awaiting-transfer  -                  -
new-data-vol            f702f2f5-137f-49bf-83cb-f047f62b4c93  2  100   SSD   creating           -                  -
resize-failed           d848c338-cd5f-4781-88f9-e06aad6d0705  3  200   SAS   error_extending    -                  -
k8s-pv-orphan           dacdb984-9815-4ed9-9cb9-eabf8e99d822  1  20    SSD   error_deleting     -                  -
`;

/** A stable UUID (version 4 layout) from a project id and a seed key. */
export function deriveUuid(projectId: string, key: string): string {
  const h = createHash('sha256').update(`${projectId}/${key}`).digest('hex');
  const variant = ((parseInt(h.charAt(16), 16) & 3) | 8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function asStatus(text: string): VolumeStatus {
  const status = VOLUME_STATUSES.find((s) => s === text);
  if (status === undefined) throw new Error(`seed: unknown volume status ${text}`);
  return status;
}

/** Keys identify seed rows across projects: the name, or `name#2` for the second row of a name. */
function keyed(table: string): Array<{ key: string; row: string[] }> {
  const seen = new Map<string, number>();
  return rows(table).map((row) => {
    const name = cell(row, 0);
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return { key: n === 1 ? name : `${name}#${n}`, row };
  });
}

/** When the seeded estate was built: servers before it, volumes after it. */
export const BASE_TIME = Date.UTC(2024, 0, 8, 9, 0, 0);
export const MINUTE = 60_000;
/** Servers were created an hour apart, before the first volume. */
const SERVER_COUNT = rows(SERVERS).length;

/** Builds one project's data. `fixedIds` (the first project) uses the literal ids of the tables. */
export function buildSeedProject(project: SandboxProject, fixedIds: boolean): ProjectData {
  const id = (key: string, literal: string): string => (fixedIds ? literal : deriveUuid(project.id, key));
  const policies = new Map<string, SandboxPolicy>();
  const policyIdByName = new Map<string, string>();
  for (const { key, row } of keyed(POLICIES)) {
    const policyId = id(`policy/${key}`, cell(row, 1));
    policyIdByName.set(cell(row, 0), policyId);
    policies.set(policyId, {
      id: policyId,
      name: cell(row, 0),
      startTime: cell(row, 2),
      frequency: Number(cell(row, 3)),
      retentionNum: Number(cell(row, 4)),
      remainFirstBackupOfCurMonth: cell(row, 5) === 'Y' ? 'Y' : 'N',
      status: cell(row, 6) === 'ON' ? 'ON' : 'OFF',
    });
  }
  const servers = new Map<string, SandboxServer>();
  const serverIds = new Map<string, string>();
  keyed(SERVERS).forEach(({ key, row }, index) => {
    const serverId = id(`server/${key}`, cell(row, 1));
    serverIds.set(key, serverId);
    const createdAt = formatNovaTime(new Date(BASE_TIME - (SERVER_COUNT - index) * 60 * MINUTE));
    servers.set(serverId, { id: serverId, name: cell(row, 0), status: 'ACTIVE', createdAt });
  });
  const volumes = new Map<string, SandboxVolume>();
  const bindings = new Map<string, string>();
  keyed(VOLUMES).forEach(({ key, row }, index) => {
    const volumeId = id(`volume/${key}`, cell(row, 1));
    const az = Number(cell(row, 2));
    const created = BASE_TIME + index * (2 * 24 * 60 + 197) * MINUTE;
    const [serverName, device] = cell(row, 6).split(':');
    const serverId = serverName === undefined ? undefined : serverIds.get(serverName);
    const attached = serverName !== undefined && serverId !== undefined && device !== undefined;
    volumes.set(volumeId, {
      id: volumeId,
      name: cell(row, 0),
      description: cell(row, 0).startsWith('restore-') ? 'auto-created_from_restore_from_backup' : null,
      status: asStatus(cell(row, 5)),
      availabilityZone: `${project.region}-0${az}`,
      pod: az === 3 ? 'pod02' : 'pod01',
      size: Number(cell(row, 3)),
      volumeType: cell(row, 4),
      bootable: device === 'vda',
      createdAt: formatCinderTime(new Date(created)),
      updatedAt: formatCinderTime(new Date(created + (attached ? 11 : 2) * MINUTE)),
      metadata: {
        ...(attached ? { __system__encrypted: '0', attached_mode: 'rw', readonly: 'False' } : {}),
        // EVS reports a HANA disk like any other; VBS refuses it (AutoBackup.0210). The sandbox marks them here.
        ...(cell(row, 0).startsWith('sap-hana-') ? { [HANA_METADATA_KEY]: 'true' } : {}),
      },
      attachments: attached
        ? [
            {
              serverId,
              serverName,
              device: `/dev/${device}`,
              attachmentId: deriveUuid(project.id, `attachment/${key}`),
              attachedAt: formatCinderTime(new Date(created + 10 * MINUTE)),
            },
          ]
        : [],
    });
    const policyId = policyIdByName.get(cell(row, 7));
    if (policyId !== undefined) bindings.set(volumeId, policyId);
  });
  return { project, policies, volumes, servers, bindings, joined: new Map() };
}

/** First-project ids by name, for demos and tests (`scratch` has two). */
export function seededPolicyId(name: string): string | undefined {
  return rows(POLICIES).find((row) => row[0] === name)?.[1];
}

export function seededVolumeIds(name: string): string[] {
  return rows(VOLUMES)
    .filter((row) => row[0] === name)
    .map((row) => cell(row, 1));
}

export function seededServerId(name: string): string | undefined {
  return rows(SERVERS).find((row) => row[0] === name)?.[1];
}

/**
 * The id the seeded volume `name` (a name only one row has) has in a project: the table's literal id
 * in the first project (`fixedIds`), else the one derived from the project id, as buildSeedProject makes it.
 */
export function seededVolumeIdIn(projectId: string, fixedIds: boolean, name: string): string {
  const [literal, second] = seededVolumeIds(name);
  if (literal === undefined || second !== undefined) throw new Error(`seed: no single volume named ${name}`);
  return fixedIds ? literal : deriveUuid(projectId, `volume/${name}`);
}
