import { z } from 'zod';
import type { Reply, SandboxContext, SandboxRequest } from './http-util';
import { reply } from './http-util';
import type { SandboxVolume } from './model';
import { VBS_INVALID_DISK_STATUSES, volumeHost } from './model';
import { HANA_METADATA_KEY } from './seed';
import type { VbsCode } from './vbs-codes';
import { VBS_MESSAGES, vbsError } from './vbs-codes';

const PolicyIdSchema = z.object({ backup_policy_id: z.string().trim().min(1) });
const ResourcesSchema = z.object({ resources: z.array(z.unknown()).min(1) });
const ResourceSchema = z.object({ resource_id: z.string().trim().min(1), resource_type: z.unknown().optional() });

type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reply: Reply };
type ResourceEntry = Record<string, string>;

/**
 * `GET /v2/{project_id}/backuppolicy`, with live resource counts. `frequency` or `week_frequency`, whichever
 * the policy has, and `time_zone` only when set (the docs list them; their example shows neither).
 */
export function handleListPolicies(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const backupPolicies = ctx.state.listPolicies(projectId).map((p) => ({
    backup_policy_id: p.id,
    backup_policy_name: p.name,
    scheduled_policy: {
      remain_first_backup_of_curMonth: p.remainFirstBackupOfCurMonth,
      rentention_num: p.retentionNum,
      ...(p.frequency === undefined ? {} : { frequency: p.frequency }),
      ...(p.weekFrequency === undefined ? {} : { week_frequency: [...p.weekFrequency] }),
      start_time: p.startTime,
      status: p.status,
    },
    policy_resource_count: ctx.state.policyResourceCount(projectId, p.id),
    ...(p.timeZone === undefined ? {} : { time_zone: p.timeZone }),
  }));
  return reply(200, { backup_policies: backupPolicies });
}

/** `POST /v2/{project_id}/backuppolicyresources`: adds disks, moving each out of any other policy. */
export function handleAssociate(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const body = parseObjectBody(req.body);
  if (!body.ok) return body.reply;
  const policyId = PolicyIdSchema.safeParse(body.value);
  if (!policyId.success) return vbsError(400, 'AutoBackup.0006');
  const resources = parseResources(body.value, true);
  if (!resources.ok) return resources.reply;
  if (resources.value.length > ctx.vbsMaxResourcesPerCall) return vbsError(400, 'AutoBackup.0204');
  const id = policyId.data.backup_policy_id;
  if (ctx.state.getPolicy(projectId, id) === undefined) return vbsError(400, 'AutoBackup.0205');

  return eachResource(ctx, projectId, resources.value, (resourceId, volume) => {
    if (VBS_INVALID_DISK_STATUSES.includes(volume.status)) return failEntry(resourceId, 'AutoBackup.0206');
    // The API allows a failure without code or message; VBS sends such entries, so the sandbox does too.
    if (volume.status === 'awaiting-transfer') return { resource_id: resourceId };
    // A disk EVS lists as healthy that VBS still refuses: what a partial failure looks like in practice.
    if (volume.metadata[HANA_METADATA_KEY] === 'true') return failEntry(resourceId, 'AutoBackup.0210');
    ctx.state.bindVolume(projectId, volume.id, id);
    return 'done';
  });
}

/** `POST /v2/{project_id}/backuppolicyresources/{policy_id}/deleted_resources`. */
export function handleDisassociate(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const policyId = req.params.policyId ?? '';
  const body = parseObjectBody(req.body);
  if (!body.ok) return body.reply;
  const resources = parseResources(body.value, false);
  if (!resources.ok) return resources.reply;
  if (ctx.state.getPolicy(projectId, policyId) === undefined) return vbsError(400, 'AutoBackup.0205');

  return eachResource(ctx, projectId, resources.value, (resourceId, volume) => {
    // Not in this policy: VBS answers a bare failed entry (see the reference disassociate response).
    if (ctx.state.policyOfVolume(projectId, volume.id) !== policyId) return { resource_id: resourceId };
    ctx.state.unbindVolume(projectId, volume.id);
    return 'done';
  });
}

/**
 * VBS's per-resource answer: each id that is not a volume fails with AutoBackup.1400; `act` does
 * the rest, returning 'done' or the failed entry to report.
 */
function eachResource(
  ctx: SandboxContext,
  projectId: string,
  resourceIds: readonly string[],
  act: (resourceId: string, volume: SandboxVolume) => ResourceEntry | 'done',
): Reply {
  const success: ResourceEntry[] = [];
  const fail: ResourceEntry[] = [];
  for (const resourceId of resourceIds) {
    const volume = ctx.state.getVolume(projectId, resourceId);
    const outcome = volume === undefined ? failEntry(resourceId, 'AutoBackup.1400') : act(resourceId, volume);
    if (outcome !== 'done') fail.push(outcome);
    else if (volume !== undefined) success.push(successEntry(resourceId, volume));
  }
  return reply(200, { success_resources: success, fail_resources: fail });
}

function parseObjectBody(body: Buffer): Parsed<Record<string, unknown>> {
  const text = body.toString('utf8').trim();
  if (text === '') return { ok: false, reply: vbsError(400, 'AutoBackup.0000') };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reply: vbsError(400, 'AutoBackup.0008') };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reply: vbsError(400, 'AutoBackup.0008') };
  }
  if (Object.keys(value).length === 0) return { ok: false, reply: vbsError(400, 'AutoBackup.0001') };
  return { ok: true, value: value as Record<string, unknown> };
}

/** The resource ids, in request order. Associate requires `resource_type: "volume"`; disassociate allows it. */
function parseResources(body: Record<string, unknown>, typeRequired: boolean): Parsed<string[]> {
  const list = ResourcesSchema.safeParse(body);
  if (!list.success) return { ok: false, reply: vbsError(400, 'AutoBackup.0207') };
  const ids: string[] = [];
  for (const item of list.data.resources) {
    const resource = ResourceSchema.safeParse(item);
    if (!resource.success) return { ok: false, reply: vbsError(400, 'AutoBackup.0209') };
    const type = resource.data.resource_type;
    if ((typeRequired || type !== undefined) && type !== 'volume') {
      return { ok: false, reply: vbsError(400, 'AutoBackup.0211') };
    }
    ids.push(resource.data.resource_id);
  }
  return { ok: true, value: ids };
}

function failEntry(resourceId: string, code: VbsCode): ResourceEntry {
  return { resource_id: resourceId, resource_type: 'volume', code, message: VBS_MESSAGES[code] };
}

function successEntry(resourceId: string, volume: SandboxVolume): ResourceEntry {
  return {
    resource_id: resourceId,
    os_vol_host_attr: volumeHost(volume).split('#')[0] ?? '',
    availability_zone: volume.availabilityZone,
    resource_type: 'volume',
  };
}
