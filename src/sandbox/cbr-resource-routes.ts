import type { CbrCode } from './cbr-codes';
import { CBR_MESSAGES, cbrBadRequest, cbrError, unknownVault } from './cbr-codes';
import type { SandboxVault } from './cbr-model';
import { CBR_MAX_RESOURCES_PER_CALL, CBR_VOLUME_TYPE } from './cbr-model';
import type { Reply, SandboxContext, SandboxRequest } from './http-util';
import { reply } from './http-util';
import type { SandboxVolume } from './model';

/**
 * CBR's three calls that change a vault's resources. Each is all-or-nothing: the whole request is
 * checked first, in a fixed order, and the first problem is the answer (400, or 404 for an unknown vault
 * in the path); only a request without a problem changes the vaults. The order: the vault in the path; the
 * body (JSON object, 1 to 256 items, each well formed: else 9900); the same resource twice (6104); then
 * resource by resource in request order, each's first failing check; then the vault's capacity (6100).
 */

type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reply: Reply };

const fail = (answer: Reply): { readonly ok: false; readonly reply: Reply } => ({ ok: false, reply: answer });
const problem = (code: CbrCode, message: string): Reply => cbrError(400, code, message);

/** `POST /v3/{project_id}/vaults/{vault_id}/addresources` -> `{"add_resource_ids":[…]}` (ids as sent). */
export function handleAddResources(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const vault = ctx.state.cbr.getVault(projectId, req.params.vaultId ?? '');
  if (vault === undefined) return unknownVault();
  const body = parseObjectBody(req.body);
  if (!body.ok) return body.reply;
  const resources = parseResources(body.value.resources);
  if (!resources.ok) return resources.reply;
  const ids = resources.value.map((r) => r.id);
  const duplicate = firstDuplicate(ids);
  if (duplicate !== undefined) return duplicateResource(duplicate);

  const volumes: SandboxVolume[] = [];
  for (const { id, type } of resources.value) {
    // The sandbox associates disks only: any other type (a server too, which CBR would take into a
    // server vault) is refused as a type the vault does not support.
    if (type !== CBR_VOLUME_TYPE) return unsupportedType(id, type, vault);
    const volume = ctx.state.getVolume(projectId, id);
    if (volume === undefined) return unknownDisk(id);
    if (vault.objectType !== 'disk') return unsupportedType(id, type, vault);
    // Any vault, this one included: CBR adds a resource once. The message names it, so a client can tell which.
    const holder = ctx.state.cbr.vaultOfVolume(projectId, volume.id);
    if (holder !== undefined) {
      const holderName = ctx.state.cbr.getVault(projectId, holder)?.name ?? holder;
      return problem('BackupService.6103', `Resource ${id} is already associated with vault ${holderName}.`);
    }
    volumes.push(volume);
  }
  const full = capacityProblem(ctx, projectId, vault, volumes);
  if (full !== undefined) return full;

  for (const volume of volumes) ctx.state.cbr.putVolumeInVault(projectId, volume.id, vault.id);
  return reply(200, { add_resource_ids: ids });
}

/** `POST /v3/{project_id}/vaults/{vault_id}/removeresources` -> `{"remove_resource_ids":[…]}` (ids as sent). */
export function handleRemoveResources(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const vault = ctx.state.cbr.getVault(projectId, req.params.vaultId ?? '');
  if (vault === undefined) return unknownVault();
  const body = parseObjectBody(req.body);
  if (!body.ok) return body.reply;
  const ids = parseIdList(body.value.resource_ids, 'resource_ids');
  if (!ids.ok) return ids.reply;
  const duplicate = firstDuplicate(ids.value);
  if (duplicate !== undefined) return duplicateResource(duplicate);
  const volumes = disksInVault(ctx, projectId, vault, ids.value);
  if (!volumes.ok) return volumes.reply;

  for (const volume of volumes.value) ctx.state.cbr.removeVolumeFromVault(projectId, volume.id);
  return reply(200, { remove_resource_ids: ids.value });
}

/**
 * `POST /v3/{project_id}/vaults/{vault_id}/migrateresources` `{"destination_vault_id","resource_ids"}`
 * -> `{"migrated_resources":[…]}`: the disks leave the source vault and join the destination (the
 * sandbox keeps no backups to move). The table says "List of migrated resources"; the docs' example
 * lists the destination vault's id instead, which the sandbox takes for a slip: it lists the resource
 * ids, as sent. An unknown destination is 400 9900 (a bad body parameter; 404 is for the vault in the
 * path); the source as destination is 400 9900 too.
 */
export function handleMigrateResources(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const source = ctx.state.cbr.getVault(projectId, req.params.vaultId ?? '');
  if (source === undefined) return unknownVault();
  const body = parseObjectBody(req.body);
  if (!body.ok) return body.reply;
  const destinationId = body.value.destination_vault_id;
  if (typeof destinationId !== 'string' || destinationId.trim() === '') {
    return cbrBadRequest('destination_vault_id must be a vault id.');
  }
  const ids = parseIdList(body.value.resource_ids, 'resource_ids');
  if (!ids.ok) return ids.reply;
  const destination = ctx.state.cbr.getVault(projectId, destinationId.trim());
  if (destination === undefined) return cbrError(400, 'BackupService.9900', 'Invalid destination_vault_id provided.');
  if (destination.id === source.id) return cbrBadRequest('destination_vault_id is the source vault.');
  const duplicate = firstDuplicate(ids.value);
  if (duplicate !== undefined) return duplicateResource(duplicate);
  const volumes = disksInVault(ctx, projectId, source, ids.value, (id) =>
    destination.objectType === 'disk' ? undefined : unsupportedType(id, CBR_VOLUME_TYPE, destination),
  );
  if (!volumes.ok) return volumes.reply;
  const full = capacityProblem(ctx, projectId, destination, volumes.value);
  if (full !== undefined) return full;

  for (const volume of volumes.value) ctx.state.cbr.putVolumeInVault(projectId, volume.id, destination.id);
  return reply(200, { migrated_resources: ids.value });
}

/**
 * Each id must be a disk of the project (else 7000) in `vault` (else 6135, the table's "The resource
 * does not exist in the vault.", naming it: the documented code for removing or migrating a resource
 * the vault does not hold). `andThen` is a further check per disk.
 */
function disksInVault(
  ctx: SandboxContext,
  projectId: string,
  vault: SandboxVault,
  ids: readonly string[],
  andThen: (id: string) => Reply | undefined = () => undefined,
): Checked<SandboxVolume[]> {
  const volumes: SandboxVolume[] = [];
  for (const id of ids) {
    const volume = ctx.state.getVolume(projectId, id);
    if (volume === undefined) return fail(unknownDisk(id));
    if (ctx.state.cbr.vaultOfVolume(projectId, volume.id) !== vault.id) {
      return fail(problem('BackupService.6135', `The resource ${id} does not exist in the vault ${vault.name}.`));
    }
    const further = andThen(id);
    if (further !== undefined) return fail(further);
    volumes.push(volume);
  }
  return { ok: true, value: volumes };
}

/** 6100 when the disks would take more than the vault's capacity. The message names the vault, no disk. */
function capacityProblem(
  ctx: SandboxContext,
  projectId: string,
  vault: SandboxVault,
  joining: readonly SandboxVolume[],
): Reply | undefined {
  const total = ctx.state.cbr.allocatedGb(projectId, vault.id) + joining.reduce((sum, v) => sum + v.size, 0);
  if (total <= vault.sizeGb) return undefined;
  const detail = `vault ${vault.name} holds ${vault.sizeGb} GB and its disks would take ${total} GB.`;
  return problem('BackupService.6100', `${CBR_MESSAGES['BackupService.6100']} The capacity is not enough: ${detail}`);
}

/**
 * An id that is no EVS disk of the project: 7000 "The disk does not exist.", naming it. The table lists
 * 7000 under 404; the sandbox answers 400 because the disk is a body parameter of a call whose vault
 * exists, and a 404 from these calls would read as "no such vault".
 */
function unknownDisk(id: string): Reply {
  return problem('BackupService.7000', `The disk ${id} does not exist.`);
}

function duplicateResource(id: string): Reply {
  return problem('BackupService.6104', `Duplicate vault resources: ${id} is listed more than once.`);
}

function unsupportedType(id: string, type: string, vault: SandboxVault): Reply {
  return problem(
    'BackupService.6102',
    `Resource ${id} of type ${type} cannot be associated with vault ${vault.name} (a ${vault.objectType} vault).`,
  );
}

/** The first id sent twice (ids compare as CBR's do, ignoring case), as sent the second time. */
function firstDuplicate(ids: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const id of ids) {
    const key = id.toLowerCase();
    if (seen.has(key)) return id;
    seen.add(key);
  }
  return undefined;
}

function parseObjectBody(body: Buffer): Checked<Record<string, unknown>> {
  const text = body.toString('utf8').trim();
  if (text === '') return fail(cbrBadRequest('The request body is empty.'));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(cbrBadRequest('The request body is not JSON.'));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(cbrBadRequest('The request body must be a JSON object.'));
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** An array of 1 to 256 items (CBR's documented bounds), else 9900. */
function parseList(value: unknown, key: string): Checked<unknown[]> {
  if (!Array.isArray(value)) return fail(cbrBadRequest(`${key} must be a list.`));
  if (value.length < 1 || value.length > CBR_MAX_RESOURCES_PER_CALL) {
    return fail(cbrBadRequest(`${key} must list 1 to ${CBR_MAX_RESOURCES_PER_CALL} resources, got ${value.length}.`));
  }
  return { ok: true, value };
}

function parseIdList(value: unknown, key: string): Checked<string[]> {
  const list = parseList(value, key);
  if (!list.ok) return list;
  const ids: string[] = [];
  for (const [index, item] of list.value.entries()) {
    if (typeof item !== 'string' || item.trim() === '') return fail(cbrBadRequest(`${key}[${index}] is not an id.`));
    ids.push(item);
  }
  return { ok: true, value: ids };
}

/** `resources: [{"id","type"[,"name"][,"extra_info"]}]`: `id` and `type` are required strings. */
function parseResources(value: unknown): Checked<Array<{ id: string; type: string }>> {
  const list = parseList(value, 'resources');
  if (!list.ok) return list;
  const resources: Array<{ id: string; type: string }> = [];
  for (const [index, item] of list.value.entries()) {
    const entry =
      typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>) : {};
    const { id, type } = entry;
    if (typeof id !== 'string' || id.trim() === '') return fail(cbrBadRequest(`resources[${index}].id is missing.`));
    if (typeof type !== 'string' || type === '') return fail(cbrBadRequest(`resources[${index}].type is missing.`));
    resources.push({ id, type });
  }
  return { ok: true, value: resources };
}
